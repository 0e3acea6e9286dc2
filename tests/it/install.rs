//! `den install` against the fake upstreams: real archives from a local server, verified,
//! unpacked into the shared store, pinned in den.lock, and on PATH. The helpers here are
//! shared by the submodules, one per concern.

mod concurrency;
pub mod failures;
mod formats;
mod offline;

use std::path::{Path, PathBuf};

use crate::support::{Env, Run, run};
use crate::upstream::Upstream;

/// A home whose den talks to `up`, and a trusted project with `toml`.
pub fn project(up: &Upstream, toml: &str) -> Env {
    up.project(toml)
}

/// `den install` in the project, asserted to succeed.
pub fn install_ok(env: &Env) -> Run {
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "den install failed:\n{}", out.stderr);
    out
}

/// den's data directory (the store) in `env`'s home.
pub fn store(env: &Env) -> PathBuf {
    env.home().join(".local/share/den")
}

/// The names in a store bucket (`tools-v1`, `downloads-v1`), sorted, `CACHEDIR.TAG` left out.
pub fn bucket(env: &Env, name: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(store(env).join(name))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.retain(|n| n != "CACHEDIR.TAG");
    names.sort();
    names
}

/// The installed tool directories (`sha256-…`/`sha512-…`), without receipts, manifests or temp dirs.
pub fn tool_dirs(env: &Env) -> Vec<String> {
    bucket(env, "tools-v1").into_iter().filter(|n| store(env).join("tools-v1").join(n).is_dir()).collect()
}

/// The project's PATH as `den export` computes it.
pub fn exported_path(env: &Env) -> String {
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    json["PATH"].as_str().unwrap_or_default().to_string()
}

/// Runs `bin --version` found on the project's PATH, returning its trimmed stdout.
pub fn run_tool(env: &Env, bin: &str) -> String {
    let path = exported_path(env);
    let exe = path
        .split(':')
        .map(|d| Path::new(d).join(bin))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{bin} is not on the project's PATH: {path}"));
    let ran = env.command(&exe).arg("--version").output().unwrap();
    assert!(
        ran.status.success(),
        "{} --version failed: {}",
        exe.display(),
        String::from_utf8_lossy(&ran.stderr)
    );
    String::from_utf8_lossy(&ran.stdout).trim().to_string()
}

/// The project's den.lock.
pub fn lock(env: &Env) -> String {
    std::fs::read_to_string(env.project().join("den.lock")).expect("den.lock written")
}

#[test]
fn installs_catalog_tools_pins_them_and_puts_them_on_path() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1").catalog_tool("node", "22.11.0");
    let env = project(&up, "[tools]\njq = \"1.7\"\nripgrep = \"14\"\nnode = \"22\"\n");
    let out = install_ok(&env);
    assert!(out.stderr.contains("installed"), "{}", out.stderr);
    let lock = lock(&env);
    for needle in ["[tools.jq]", "version = \"1.7.1\"", "[tools.ripgrep]", "version = \"14.1.1\"", "sha256"] {
        assert!(lock.contains(needle), "{needle} missing from den.lock:\n{lock}");
    }
    assert!(exported_path(&env).contains("tools-v1"));
    assert_eq!(run_tool(&env, "jq"), "jq-1.7.1");
    assert_eq!(run_tool(&env, "rg"), "ripgrep 14.1.1");
    assert_eq!(run_tool(&env, "node"), "v22.11.0");

    // A second install changes nothing and downloads nothing.
    let before = up.log().len();
    let again = install_ok(&env);
    assert_eq!(again.stderr.trim(), "den: all 3 tools installed", "{}", again.stderr);
    assert_eq!(up.log().len(), before, "a locked, installed project must not touch the network");
    assert_eq!(self::lock(&env), lock, "den.lock churned");
}

#[test]
fn den_lock_pins_url_checksum_and_size_and_is_stable() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ruff", "0.6.9");
    let env = project(&up, "[tools]\njq = \"1.7.1\"\nruff = \"0.6\"\n");
    install_ok(&env);
    let first = lock(&env);
    let jq = up.url("/github.com/jqlang/jq/releases/download/jq-1.7.1/jq-linux-amd64");
    let ruff =
        up.url("/github.com/astral-sh/ruff/releases/download/0.6.9/ruff-x86_64-unknown-linux-gnu.tar.gz");
    // The lock records the upstream URL (mirrors are applied when fetching), so compare
    // against both spellings.
    let real = |u: &str| u.replace(&format!("{}/github.com/", up.base()), "https://github.com/");
    for url in [&jq, &ruff] {
        assert!(first.contains(url.as_str()) || first.contains(&real(url)), "{url} missing:\n{first}");
    }
    let checksums = first.lines().filter(|l| l.trim_start().starts_with("checksum = \"sha256:")).count();
    let sizes = first.lines().filter(|l| l.trim_start().starts_with("size = ")).count();
    assert_eq!((checksums, sizes), (2, 2), "one checksum and one size per tool:\n{first}");

    // Reinstalling from scratch (empty store) rewrites nothing.
    crate::support::remove_store(&store(&env));
    install_ok(&env);
    assert_eq!(lock(&env), first, "den.lock changed on a second den install");
    install_ok(&env);
    assert_eq!(lock(&env), first);
}

#[test]
fn a_terminal_gets_a_progress_bar_per_download_and_a_pipe_gets_plain_lines() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\nripgrep = \"14\"\n");
    let mut cmd = env.den();
    cmd.arg("install").env("TERM", "xterm");
    let mut pty = crate::pty::Pty::spawn(cmd);
    let shown = pty.expect("installed jq 1.7.1");
    assert!(shown.contains("jq 1.7.1") && shown.contains("ripgrep 14.1.1"), "{shown}");
    assert!(shown.contains("[=") || shown.contains("B/s"), "no progress bar on a terminal:\n{shown}");
    assert!(!shown.contains("den: downloading"), "plain lines on a terminal:\n{shown}");

    let piped = Env::new();
    up.write_config(&piped);
    piped.write("den.toml", "[tools]\njq = \"1.7\"\n");
    piped.trust();
    let out = run(piped.den(), &["install"]);
    assert!(out.stderr.contains("den: downloading jq 1.7.1"), "{}", out.stderr);
    assert!(!out.stderr.contains('\x1b'), "{}", out.stderr);
}
