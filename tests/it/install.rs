//! `den install` against the fake upstreams: real archives from a local server, verified,
//! unpacked into the shared store, pinned in den.lock, and on PATH.

use crate::support::{Env, run};
use crate::upstream::Upstream;

/// A home whose den talks to `up`, and a trusted project with `toml`.
fn project(up: &Upstream, toml: &str) -> Env {
    let env = Env::new();
    up.write_config(&env);
    env.write("den.toml", toml);
    env.trust();
    env
}

#[test]
fn installs_catalog_tools_pins_them_and_puts_them_on_path() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1").catalog_tool("node", "22.11.0");
    let env = project(&up, "[tools]\njq = \"1.7\"\nripgrep = \"14\"\nnode = \"22\"\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("installed"), "{}", out.stderr);
    let lock = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    for needle in ["[tools.jq]", "version = \"1.7.1\"", "[tools.ripgrep]", "version = \"14.1.1\"", "sha256"] {
        assert!(lock.contains(needle), "{needle} missing from den.lock:\n{lock}");
    }
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let path = json["PATH"].as_str().unwrap_or_default().to_string();
    assert!(path.contains("tools-v1"), "tools are not on PATH: {path}");
    let jq =
        path.split(':').map(|d| std::path::Path::new(d).join("jq")).find(|p| p.exists()).expect("jq on PATH");
    let ran = std::process::Command::new(&jq).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout).trim(), "jq-1.7.1");

    // A second install changes nothing and downloads nothing.
    let before = up.log().len();
    let again = run(env.den(), &["install"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(up.log().len(), before, "a locked, installed project must not touch the network");
    assert_eq!(std::fs::read_to_string(env.project().join("den.lock")).unwrap(), lock, "den.lock churned");
}
