//! The tool-management commands against the fake upstreams: `den add`, `remove`,
//! `upgrade`, `outdated`, `lock --platform`, `ls`, `ls-remote`, and `install --frozen`
//! after an edit; exact stdout, den.toml and den.lock contents.

use crate::support::{Env, Run, run, store_dir, this_platform};
use crate::upstream::Upstream;

fn read(env: &Env, file: &str) -> String {
    std::fs::read_to_string(env.project().join(file)).unwrap()
}

/// den.lock as TOML.
fn lock(env: &Env) -> toml::Table {
    read(env, "den.lock").parse().unwrap()
}

/// The locked version of `tool`.
fn locked(env: &Env, tool: &str) -> String {
    lock(env)["tools"][tool]["version"].as_str().unwrap().to_string()
}

/// The platforms den.lock pins for `tool`.
fn platforms(env: &Env, tool: &str) -> Vec<String> {
    lock(env)["tools"][tool]["platforms"].as_table().unwrap().keys().cloned().collect()
}

/// The first line of stderr, and how many lines it has.
fn first_line(out: &Run) -> (&str, usize) {
    (out.stderr.lines().next().unwrap_or_default(), out.stderr.lines().count())
}

#[test]
fn add_installs_and_locks_then_ls_lists() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[tools]\n");
    let out = env.ok(&["add", "jq@1.7"]);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("installed jq 1.7.1"), "{}", out.stderr);
    assert_eq!(read(&env, "den.toml"), "[tools]\njq = \"1.7\"\n");
    assert_eq!(locked(&env, "jq"), "1.7.1");
    assert!(store_dir(&env, "jq").join("jq").exists());

    // A tool in den.toml that is neither locked nor installed.
    std::fs::write(env.project().join("den.toml"), "[tools]\njq = \"1.7\"\nripgrep = \"14\"\n").unwrap();
    let out = env.ok(&["ls"]);
    let jq = store_dir(&env, "jq");
    assert_eq!(
        out.stdout,
        format!("jq       1.7  1.7.1  yes  {}\nripgrep  14   -      no   -\n", jq.display())
    );
}

#[test]
fn add_keeps_comments_and_trust() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let toml = "# The team's environment.\n# Keep tools sorted.\n\n[tools]\n# search\nripgrep = \"14\" # fast grep\n\n[env]\n# where we are\nGREETING = \"hi\"\n";
    let env = up.project(toml);
    env.ok(&["add", "jq@1.7.1"]);
    assert_eq!(
        read(&env, "den.toml"),
        "# The team's environment.\n# Keep tools sorted.\n\n[tools]\n# search\nripgrep = \"14\" # fast grep\njq = \"1.7.1\"\n\n[env]\n# where we are\nGREETING = \"hi\"\n"
    );
    assert_eq!((locked(&env, "jq"), locked(&env, "ripgrep")), ("1.7.1".into(), "14.1.1".into()));
    // Still trusted: export works without `den trust`.
    let out = env.ok(&["export", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["GREETING"], "hi");
}

#[test]
fn remove_takes_the_tool_out_of_den_toml_and_den_lock_but_not_the_store() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[tools]\n# json\njq = \"1.7\"\nripgrep = \"14\" # grep\n");
    env.ok(&["install"]);
    let jq_dir = store_dir(&env, "jq");
    let ripgrep_lock = lock(&env)["tools"]["ripgrep"].clone();
    let out = env.ok(&["remove", "jq"]);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "den: removed jq from den.toml and den.lock; the store keeps its files until `den cache prune`\n"
    );
    assert_eq!(read(&env, "den.toml"), "[tools]\nripgrep = \"14\" # grep\n");
    let lock = lock(&env);
    assert_eq!(lock["tools"].as_table().unwrap().keys().collect::<Vec<_>>(), ["ripgrep"]);
    assert_eq!(lock["tools"]["ripgrep"], ripgrep_lock);
    assert!(jq_dir.join("jq").exists(), "remove must not delete from the store");
    env.ok(&["export", "--format", "json"]);

    let out = run(env.den(), &["remove", "ripgrp"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        first_line(&out).0,
        format!("den: {} has no tool `ripgrp`", env.project().join("den.toml").display())
    );
}

#[test]
fn upgrade_moves_only_the_named_tool_within_its_spec() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[tools]\njq = \"1.7\"\nripgrep = \"14\"\n");
    env.ok(&["install"]);
    let ripgrep_before = lock(&env)["tools"]["ripgrep"].clone();
    up.catalog_tool("jq", "1.7.2").catalog_tool("jq", "1.8.0").catalog_tool("ripgrep", "14.1.2");

    let out = env.ok(&["upgrade", "jq"]);
    assert_eq!(out.stdout, "jq 1.7.1 → 1.7.2\n");
    assert_eq!(locked(&env, "jq"), "1.7.2");
    assert_eq!(lock(&env)["tools"]["ripgrep"], ripgrep_before, "only the named tool changes");
    assert_eq!(read(&env, "den.toml"), "[tools]\njq = \"1.7\"\nripgrep = \"14\"\n");

    let out = env.ok(&["upgrade"]);
    assert_eq!(out.stdout, "jq 1.7.2 (already newest)\nripgrep 14.1.1 → 14.1.2\n");
    assert_eq!(locked(&env, "ripgrep"), "14.1.2");

    let out = run(env.den(), &["upgrade", "jqq"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("help: did you mean `jq`?"), "{}", out.stderr);
}

#[test]
fn outdated_shows_locked_wanted_and_latest() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = up.project("[tools]\njq = \"1.7\"\n");
    env.ok(&["install"]);
    up.catalog_tool("jq", "1.7.2").catalog_tool("jq", "1.8.0").catalog_tool("ripgrep", "14.1.1");
    std::fs::write(env.project().join("den.toml"), "[tools]\njq = \"1.7\"\nripgrep = \"14\"\n").unwrap();
    let lock_before = read(&env, "den.lock");
    let out = env.ok(&["outdated"]);
    assert_eq!(
        out.stdout,
        "TOOL     SPEC  LOCKED  WANTED  LATEST\njq       1.7   1.7.1   1.7.2   1.8.0\nripgrep  14    -       14.1.1  14.1.1\n"
    );
    assert_eq!(read(&env, "den.lock"), lock_before, "outdated changes nothing");
}

#[test]
fn outdated_marks_a_tool_whose_upstream_refuses_and_fails() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[tools]\njq = \"1.7\"\nripgrep = \"14\"\n");
    env.ok(&["install"]);
    up.fault("/repos/BurntSushi/ripgrep/*", crate::upstream::Fault::RateLimited);
    let out = run(env.den(), &["outdated"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "TOOL     SPEC  LOCKED  WANTED  LATEST\njq       1.7   1.7.1   1.7.1   1.7.1\nripgrep  14    14.1.1  ?       ?\n"
    );
    assert!(out.stderr.starts_with("den: warning: ripgrep: "), "{}", out.stderr);
}

#[test]
fn lock_platform_adds_other_platforms_without_downloading_and_later_installs_keep_them() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = up.project("[tools]\njq = \"1.7\"\n");
    env.ok(&["install"]);
    // A newer matching release must not move the lock while platforms are added.
    up.catalog_tool("jq", "1.7.2");
    let out = env.ok(&["lock", "--platform", "linux-arm64,darwin-arm64"]);
    assert_eq!(out.stdout, "");
    let mut expected = vec!["darwin-arm64".to_string(), "linux-arm64".into(), this_platform()];
    expected.sort();
    expected.dedup();
    assert_eq!(platforms(&env, "jq"), expected);
    assert_eq!(locked(&env, "jq"), "1.7.1");
    let arm = &lock(&env)["tools"]["jq"]["platforms"]["linux-arm64"];
    assert!(arm["url"].as_str().unwrap().ends_with("/jq-1.7.1/jq-linux-arm64"), "{arm}");
    assert_eq!(up.requests(&up.github_download_path("jqlang/jq", "jq-1.7.1", "jq-linux-arm64")), 0);
    assert_eq!(up.requests(&up.github_download_path("jqlang/jq", "jq-1.7.1", "jq-macos-arm64")), 0);

    let text = read(&env, "den.lock");
    env.ok(&["install"]);
    assert_eq!(read(&env, "den.lock"), text, "install keeps other platforms");
    // A tool added later gets the platforms the lock covers; an upgrade keeps them.
    up.catalog_tool("ripgrep", "14.1.1");
    env.ok(&["add", "ripgrep@14"]);
    assert_eq!(platforms(&env, "ripgrep"), expected);
    assert_eq!(platforms(&env, "jq"), expected);
    env.ok(&["upgrade", "jq"]);
    assert_eq!(locked(&env, "jq"), "1.7.2");
    assert_eq!(platforms(&env, "jq"), expected);

    let out = run(env.den(), &["lock", "--platform", "windows-x64"]);
    assert_eq!(out.code, 2, "a usage error");
    assert_eq!(
        first_line(&out).0,
        "den: unknown platform `windows-x64` (known: linux-x64, linux-arm64, darwin-x64, darwin-arm64)"
    );
}

#[test]
fn ls_remote_lists_versions_with_a_prefix() {
    let up = Upstream::start();
    for v in ["1.6", "1.7", "1.7.1", "1.70.0"] {
        up.catalog_tool("jq", v);
    }
    let env = Env::new();
    up.write_config(&env);
    let out = env.ok(&["ls-remote", "jq", "1.7"]);
    assert_eq!(out.stdout, "1.7\n1.7.1\n");
    let out = env.ok(&["ls-remote", "jq"]);
    assert_eq!(out.stdout, "1.6\n1.7\n1.7.1\n1.70.0\n");

    let out = run(env.den(), &["ls-remote", "jqq"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(
        out.stderr,
        "den: den has no built-in definition of `jqq`\nhelp: did you mean `jq`? Otherwise give `jqq` a `source` (github:owner/repo, npm:<package>, pypi:<package>) or a `url` in den.toml\n"
    );
}

#[test]
fn ls_remote_uses_the_den_toml_source() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    up.github_release("acme/mytool", "v0.3.0", &[]).github_release("acme/mytool", "v0.4.1", &[]);
    let env = up.project("[tools]\nmytool = { version = \"0.4\", source = \"github:acme/mytool\" }\n");
    let out = env.ok(&["ls-remote", "mytool"]);
    assert_eq!(out.stdout, "0.3.0\n0.4.1\n");
}

#[test]
fn frozen_install_names_the_mismatch_after_an_edit() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = up.project("[tools]\njq = \"1.7\"\n");
    env.ok(&["install"]);
    std::fs::write(env.project().join("den.toml"), "[tools]\njq = \"1.7.1\"\n").unwrap();
    let out = run(env.den(), &["install", "--frozen"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        first_line(&out).0,
        format!(
            "den: {} does not match den.toml: `jq` is locked for `1.7`, den.toml asks for `1.7.1`",
            env.project().join("den.lock").display()
        )
    );
}

#[test]
fn add_errors_leave_den_toml_and_den_lock_as_they_were() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = up.project("[tools]\n# json\njq = \"1.7\"\n");
    env.ok(&["install"]);
    let (toml, lock) = (read(&env, "den.toml"), read(&env, "den.lock"));

    // An unknown tool is refused when den.toml would be read, before any look-up: a usage error.
    let out = run(env.den(), &["add", "jqq@1.7"]);
    assert_eq!((out.code, out.stdout.as_str()), (2, ""));
    assert_eq!(first_line(&out).0, "den: cannot add `jqq`: den has no tool `jqq`");
    assert!(out.stderr.contains("help: did you mean `jq`?"), "{}", out.stderr);
    assert_eq!((read(&env, "den.toml"), read(&env, "den.lock")), (toml.clone(), lock.clone()));

    let out = run(env.den(), &["add", "jq@9.9"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(
        first_line(&out).0,
        format!(
            "den: no release of jq matches `9.9` for {} (newest: 1.7.1) — see `den ls-remote jq`",
            this_platform()
        )
    );
    assert_eq!((read(&env, "den.toml"), read(&env, "den.lock")), (toml, lock));
    // Still trusted after the edit and its rollback.
    env.ok(&["export", "--format", "json"]);
}
