//! Editing and upgrading a project's tools through the real binary against the fake
//! upstreams: what `den add` writes without a version, a widened spec keeping its locked
//! version, `den run tool@ver` in a project whose own tools cannot be resolved, and the
//! small texts and exit codes of `den run` without a command and `den outdated --exit-code`.

use crate::support::{Env, Run, run};
use crate::upstream::Upstream;

/// A home whose den talks to `up`, and a trusted project with `toml`.
fn project(up: &Upstream, toml: &str) -> Env {
    let env = Env::new();
    up.write_config(&env);
    env.write("den.toml", toml);
    env.trust();
    env
}

fn ok(env: &Env, args: &[&str]) -> Run {
    let out = run(env.den(), args);
    assert_eq!(out.code, 0, "den {args:?} failed:\n{}", out.stderr);
    out
}

#[test]
fn den_run_with_tools_and_no_command_says_the_command_is_missing() {
    let env = Env::new();
    for (args, shown) in [
        (&["run", "ruff@0.6.9"][..], "den run ruff@0.6.9"),
        (&["run", "ruff@0.6.9", "jq@1.7"], "den run ruff@0.6.9 jq@1.7"),
        (&["run"], "den run"),
    ] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 2, "den {args:?}: {}", out.stderr);
        let mut lines = out.stderr.lines();
        assert_eq!(
            lines.next(),
            Some(format!("den: `{shown}` has no command to run").as_str()),
            "{}",
            out.stderr
        );
        let help = lines.next().unwrap_or_default();
        assert!(help.starts_with("help: usage: den run [TOOL@VERSION…] -- COMMAND [ARGS…]"), "{help}");
        assert_eq!(lines.next(), None, "{}", out.stderr);
    }
    // A command without its `--` is still told so.
    let out = run(env.den(), &["run", "ruff@0.6.9", "ruff", "check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("den: `den run` needs `--` before the command\n"), "{}", out.stderr);
}

#[test]
fn outdated_exit_code_is_1_when_a_tool_is_outdated_and_0_when_none_is() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    ok(&env, &["install"]);
    let out = ok(&env, &["outdated", "--exit-code"]);
    assert_eq!(out.stdout, "TOOL  SPEC  LOCKED  WANTED  LATEST\njq    1.7   1.7.1   1.7.1   1.7.1\n");

    // Newer outside the spec only: outdated (LATEST moved).
    up.catalog_tool("jq", "1.8.0");
    let out = run(env.den(), &["outdated", "--exit-code"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "TOOL  SPEC  LOCKED  WANTED  LATEST\njq    1.7   1.7.1   1.7.1   1.8.0\n");
    assert_eq!(out.stderr, "");
    // Without the flag the table is all there is to it.
    assert_eq!(ok(&env, &["outdated"]).stdout, out.stdout);

    // Newer within the spec: outdated too; a tool not locked at all is outdated.
    up.catalog_tool("jq", "1.7.2").catalog_tool("ripgrep", "14.1.1");
    let out = run(env.den(), &["outdated", "--exit-code"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    std::fs::write(env.project().join("den.toml"), "[tools]\nripgrep = \"14\"\n").unwrap();
    env.trust();
    let out = run(env.den(), &["outdated", "--exit-code"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (1, "TOOL     SPEC  LOCKED  WANTED  LATEST\nripgrep  14    -       14.1.1  14.1.1\n")
    );
    ok(&env, &["install"]);
    ok(&env, &["outdated", "--exit-code"]);
}
