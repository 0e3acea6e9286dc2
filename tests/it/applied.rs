//! One environment builder for every front end: `den export --format json` and
//! `den explain` in a shell where the hook already applied the project (by evaluating
//! `den export bash`) give exactly what they give in a clean environment, because the
//! applied project (`__DEN_STATE`) is taken off before the environment is computed.

use crate::support::{Env, run};

const TOML: &str = r#"[env]
PATH = { prepend = ["bin"] }
LIST = { prepend = ["/p"] }
FROM_OUTER = "${OUTER}!"
OUTER = "changed by the project"
OLD = { unset = true }
GREETING = "${GREETING} world"
"#;

/// The outer variables both runs start with.
const OUTER: &[(&str, &str)] =
    &[("OUTER", "outer"), ("LIST", "/outer:/x"), ("OLD", "old value"), ("GREETING", "hello")];

/// `den <args>` run by bash after `eval "$(den export bash)"`, in the same pinned
/// environment `den` gets in a clean run.
fn inside_applied_shell(env: &Env, args: &str) -> (String, String) {
    let Some(bash) = crate::prereq::program("bash") else { return Default::default() };
    let den = env!("CARGO_BIN_EXE_den");
    let mut cmd = env.command(bash);
    cmd.args(["--norc", "--noprofile", "-c"])
        .arg(format!("set -e; eval \"$('{den}' export bash)\"; test -n \"$__DEN_STATE\"; '{den}' {args}"));
    cmd.envs(OUTER.iter().copied());
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "bash: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn clean(env: &Env, args: &[&str]) -> String {
    let mut cmd = env.den();
    cmd.envs(OUTER.iter().copied());
    let out = run(cmd, args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

/// The hook never downloads, `auto_install = true` being the one exception, and that one
/// honours `DEN_OFFLINE=1` (and `--offline`): no request reaches the upstream.
#[test]
fn the_hook_s_auto_install_honours_offline() {
    let up = crate::upstream::Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    let config = env.home().join(".config/den/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("auto_install = true\n{text}")).unwrap();
    env.write("den.toml", "[tools]\njq = \"1.7\"\n");
    env.trust();
    let mut cmd = env.den();
    cmd.env("DEN_OFFLINE", "1");
    let out = run(cmd, &["export", "bash"]);
    assert_eq!(up.log().len(), 0, "an offline hook must never download: {}", out.stderr);
    assert!(out.stderr.contains("offline"), "{}", out.stderr);
    let out = run(env.den(), &["export", "bash"]);
    assert!(!up.log().is_empty(), "online, auto_install installs: {}", out.stderr);
}

#[test]
fn export_json_and_explain_inside_an_applied_shell_equal_a_clean_environment() {
    let env = Env::new();
    env.write("den.toml", TOML);
    env.trust();
    let json = clean(&env, &["export", "--format", "json"]);
    assert!(json.contains("\"LIST\": \"/p:/outer:/x\""), "{json}");
    assert!(json.contains("\"GREETING\": \"hello world\""), "{json}");
    let (inside, stderr) = inside_applied_shell(&env, "export --format json");
    if crate::prereq::program("bash").is_none() {
        return;
    }
    assert_eq!(inside, json, "{stderr}");
    let explain = clean(&env, &["explain"]);
    let (inside, stderr) = inside_applied_shell(&env, "explain");
    assert_eq!(inside, explain, "{stderr}");
    let (inside, _) = inside_applied_shell(&env, "explain OLD");
    assert_eq!(inside, clean(&env, &["explain", "OLD"]));
}
