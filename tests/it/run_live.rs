//! `den run` and `den x` against the real package registries this machine is configured
//! for (found by den's discovery: the user's npm and pip configuration, never written
//! here): ruff from PyPI, biome from npm, cold then warm. Each test fails, naming the
//! prerequisite, when the registry cannot be reached; `DEN_TEST_SKIP_LIVE=1` skips them all.

use std::process::Command;

use crate::prereq;
use crate::support::{Env, Run, run};

/// Variables passed through from the outer environment: how this machine reaches and
/// trusts its registries (proxies, certificates, npm and pip settings; never den's own
/// variables, which the shell running the tests may point anywhere), and a PATH where
/// `npm` and `python3` are found for registry discovery.
fn passed_through(name: &str) -> bool {
    let exact =
        ["PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy"];
    let prefixes = ["PIP_", "UV_", "npm_config_", "NPM_CONFIG_"];
    exact.contains(&name) || prefixes.iter().any(|p| name.starts_with(p))
}

/// `den` in a fresh home that still reaches the registries the outer environment is
/// configured for.
fn live_den(env: &Env) -> Command {
    let mut cmd = env.den();
    cmd.envs(std::env::vars().filter(|(k, _)| passed_through(k)));
    if let Some(home) = std::env::var_os("HOME") {
        let npmrc = std::path::Path::new(&home).join(".npmrc");
        if npmrc.exists() {
            cmd.env("npm_config_userconfig", npmrc);
        }
    }
    cmd.env("DEN_HTTP_TIMEOUT", "20");
    cmd
}

/// Whether a failed run failed because the registry was out of reach (or not configured).
fn unreachable(out: &Run) -> bool {
    out.code != 0
        && [
            "cannot reach",
            "timed out",
            "sent nothing for",
            "TLS error",
            "registry is configured",
            "index is configured",
        ]
        .iter()
        .any(|s| out.stderr.contains(s))
}

/// Runs den twice (cold, then warm) and returns both, or `None` when the user opted out of
/// the live tests. An unreachable registry fails the test, naming it.
fn cold_and_warm(env: &Env, args: &[&str]) -> Option<(Run, Run)> {
    if prereq::live_skipped() {
        return None;
    }
    let cold = run(live_den(env), args);
    if unreachable(&cold) {
        let what = format!("a reachable package registry; den said: {}", cold.stderr.trim());
        prereq::missing(prereq::SKIP_LIVE, &what);
    }
    let warm = run(live_den(env), args);
    Some((cold, warm))
}

#[test]
fn ruff_from_pypi() {
    let env = Env::new();
    let Some((cold, warm)) = cold_and_warm(&env, &["run", "pypi:ruff@0.6.9", "--", "ruff", "--version"])
    else {
        return;
    };
    assert_eq!((cold.code, cold.stdout.as_str()), (0, "ruff 0.6.9\n"), "{}", cold.stderr);
    assert!(cold.stderr.contains("installed ruff 0.6.9"), "{}", cold.stderr);
    assert_eq!((warm.code, warm.stdout.as_str(), warm.stderr.as_str()), (0, "ruff 0.6.9\n", ""));
    let out = run(live_den(&env), &["x", "pypi:ruff@0.6", "--version"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "ruff 0.6.9\n"), "{}", out.stderr);
}

#[test]
fn biome_from_npm() {
    let env = Env::new();
    let args = ["x", "npm:@biomejs/cli-{os}-{arch}@2.0.0", "--version"];
    let Some((cold, warm)) = cold_and_warm(&env, &args) else { return };
    assert_eq!((cold.code, cold.stdout.as_str()), (0, "Version: 2.0.0\n\n"), "{}", cold.stderr);
    assert_eq!((warm.code, warm.stdout.as_str(), warm.stderr.as_str()), (0, "Version: 2.0.0\n\n", ""));
}
