//! Issue 17, items 1, 2 and 6 (`.den/bin`): a repository commits `.den/` itself, with
//! links where den writes (a shim's temp file, a service's log and its rotation,
//! `supervisor.log`, the editor's log, `run/` files) and files den did not write in
//! `.den/bin/`. Each attacker's repository is built with real `git init`/`commit`/`clone`;
//! the real binary must leave every file outside the project as it was (content and mode)
//! and say what it replaced or moved aside.

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use crate::services::{Guard, eventually};
use crate::support::{Env, git, run};
use crate::upstream::Upstream;

/// A file of the user's outside every project (0640, known content): what an attacker
/// aims at.
fn victim(env: &Env, name: &str) -> PathBuf {
    let path = env.tmp.path().join(name);
    std::fs::write(&path, "the user's own file\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    path
}

fn untouched(path: &Path) {
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        "the user's own file\n",
        "{} was written",
        path.display()
    );
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640, "{}'s mode was changed", path.display());
}

/// The attacker's repository: `den.toml`, and `links` (path in the repository → target)
/// and `files` committed; cloned as the env's project.
fn clone(env: &Env, toml: &str, links: &[(&str, &Path)], files: &[(&str, &str)]) {
    let upstream = env.tmp.path().join("attacker");
    std::fs::create_dir_all(&upstream).unwrap();
    std::fs::write(upstream.join("den.toml"), toml).unwrap();
    for (rel, target) in links {
        let at = upstream.join(rel);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        symlink(target, at).unwrap();
    }
    for (rel, text) in files {
        let at = upstream.join(rel);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, text).unwrap();
        std::fs::set_permissions(&at, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    git(&upstream, &["init", "-q"]);
    git(&upstream, &["add", "-f", "."]);
    git(&upstream, &["commit", "-q", "-m", "innocent"]);
    std::fs::remove_dir(env.project()).unwrap();
    git(env.tmp.path(), &["clone", "-q", upstream.to_str().unwrap(), "project"]);
}

/// Whether `.den/bin/<name>` is den's shim (a regular file, not a link).
fn is_shim(env: &Env, name: &str) -> bool {
    let path = env.project().join(".den/bin").join(name);
    std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file())
        && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("# den shim:"))
}

/// A home talking to `up` (jq 1.7.1 published) and the attacker's clone with `toml` and a
/// committed `.den/bin/.jq.tmp` pointing at the victim.
fn shim_attack(toml: &str) -> (Upstream, Env, PathBuf) {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    let target = victim(&env, "victim");
    clone(&env, toml, &[(".den/bin/.jq.tmp", &target)], &[]);
    (up, env, target)
}

#[test]
fn a_committed_shim_temp_link_is_not_written_through_by_den_install() {
    let (_up, env, target) = shim_attack("[tools]\njq = \"1.7\"\n");
    // No trust asked: installing a catalog tool needs none.
    let out = run(env.den(), &["install"]);
    out.success();
    untouched(&target);
    assert!(is_shim(&env, "jq"), "den install refreshes the shims: {}", out.stderr);
}

#[test]
fn a_committed_shim_temp_link_is_not_written_through_by_den_ide_shims() {
    let (_up, env, target) = shim_attack("[tools]\njq = \"1.7\"\n");
    env.trust();
    let out = run(env.den(), &["ide", "--shims"]);
    out.success();
    untouched(&target);
    assert!(is_shim(&env, "jq"));
    assert!(out.stderr.contains("wrote 1 shim"), "{}", out.stderr);
}

#[test]
fn a_committed_shim_temp_link_is_not_written_through_by_den_add() {
    let (_up, env, target) = shim_attack("[tools]\n");
    env.trust();
    let out = run(env.den(), &["add", "jq@1.7"]);
    out.success();
    untouched(&target);
    assert!(is_shim(&env, "jq"), "den add writes the new tool's shim: {}", out.stderr);
}

#[test]
fn a_committed_shim_temp_link_is_not_written_through_by_den_upgrade() {
    let (_up, env, target) = shim_attack("[tools]\njq = \"1\"\n");
    env.trust();
    let out = run(env.den(), &["upgrade", "jq"]);
    out.success();
    untouched(&target);
    assert!(is_shim(&env, "jq"), "den upgrade refreshes the shims: {}", out.stderr);
}

#[test]
fn a_committed_file_in_den_bin_that_den_did_not_write_is_moved_aside_with_one_line() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    let marker = env.tmp.path().join("pwned");
    let evil = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    clone(&env, "[tools]\njq = \"1.7\"\n", &[], &[(".den/bin/python", &evil), (".den/bin/jq", &evil)]);
    env.trust();
    let out = run(env.den(), &["ide", "--shims"]);
    out.success();
    let bin = env.project().join(".den/bin");
    assert!(is_shim(&env, "jq"), "jq is den's shim now");
    assert!(!bin.join("python").exists(), "the repository's python is gone from .den/bin");
    let aside: Vec<PathBuf> = std::fs::read_dir(env.project().join(".den"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("bin.foreign-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read_to_string(aside[0].join("python")).unwrap(), evil, "kept, aside");
    for name in ["python", "jq"] {
        let line = format!(
            "den: warning: moved {}, which den did not write, to {}: .den/bin holds den's shims only\n",
            bin.join(name).display(),
            aside[0].display()
        );
        assert_eq!(out.stderr.matches(&line).count(), 1, "{name}: {}", out.stderr);
    }
    assert!(!marker.exists());
}

/// A trusted clone whose one service prints a line and sleeps, with `links` committed.
fn service_attack(env: &Env, links: &[(&str, &Path)]) {
    clone(env, "[services.web]\nrun = \"echo hi from web; sleep 30\"\n", links, &[]);
    env.trust();
}

#[test]
fn service_logs_shipped_as_links_are_replaced_and_nothing_outside_is_written_or_shown() {
    let env = Env::new();
    let log = victim(&env, "log-victim");
    let older = victim(&env, "older-victim");
    let sup = victim(&env, "supervisor-victim");
    let lock = env.tmp.path().join("lock-made-here");
    service_attack(
        &env,
        &[
            (".den/logs/web.log", &log),
            (".den/logs/web.log.1", &older),
            (".den/logs/supervisor.log", &sup),
            (".den/run/supervisor.lock", &lock),
        ],
    );
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    out.success();
    let logs = env.project().join(".den/logs");
    assert!(eventually(10, || std::fs::read_to_string(logs.join("web.log"))
        .is_ok_and(|t| t.contains("hi from web"))));
    // `den up -d` says what it replaced; the detached supervisor says it in its own log.
    let said =
        |name: &str| format!("den: warning: replaced {}, a symbolic link to", logs.join(name).display());
    assert!(out.stderr.contains(&said("supervisor.log")), "{}", out.stderr);
    let supervisor = std::fs::read_to_string(logs.join("supervisor.log")).unwrap();
    assert!(supervisor.contains(&said("web.log")), "{supervisor}");
    let shown = run(env.den(), &["logs", "web"]);
    assert!(
        !shown.stdout.contains("the user's own file"),
        "den logs showed a file outside: {}",
        shown.stdout
    );
    run(env.den(), &["down"]).success();
    for target in [&log, &older, &sup] {
        untouched(target);
    }
    assert!(!lock.exists(), "the lock link was followed");
}

#[test]
fn a_run_dir_shipped_as_a_link_is_replaced() {
    let env = Env::new();
    let outside = env.tmp.path().join("outside-run");
    std::fs::create_dir(&outside).unwrap();
    service_attack(&env, &[(".den/run", &outside)]);
    let _guard = Guard { env: &env };
    let out = run(env.den(), &["up", "-d"]);
    out.success();
    let run_dir = env.project().join(".den/run");
    assert!(std::fs::symlink_metadata(&run_dir).unwrap().is_dir());
    assert!(
        out.stderr.contains(&format!("den: warning: replaced {}, a symbolic link to", run_dir.display()))
    );
    run(env.den(), &["down"]).success();
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "den wrote into the linked run dir");
}

#[test]
fn the_editors_log_shipped_as_a_link_is_replaced() {
    let env = Env::new();
    let target = victim(&env, "ide-victim");
    clone(&env, "[env]\nA = \"1\"\n", &[(".den/logs/ide-code.log", &target)], &[]);
    env.trust();
    let editor = env.tmp.path().join("bin/code");
    std::fs::write(&editor, "#!/bin/sh\necho the editor says hello\n").unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(env.den(), &["ide", "code"]);
    out.success();
    let log = env.project().join(".den/logs/ide-code.log");
    assert!(
        eventually(10, || std::fs::read_to_string(&log).is_ok_and(|t| t.contains("the editor says hello")))
    );
    untouched(&target);
    assert!(out.stderr.contains(&format!("den: warning: replaced {}, a symbolic link to", log.display())));
}

#[test]
fn den_down_purge_never_deletes_through_a_committed_den_link() {
    let env = Env::new();
    let outside = env.tmp.path().join("outside");
    std::fs::create_dir_all(outside.join("state/web")).unwrap();
    std::fs::write(outside.join("state/web/data"), "the user's data\n").unwrap();
    std::fs::create_dir_all(outside.join("run")).unwrap();
    std::fs::write(outside.join("run/status.json"), "the user's file\n").unwrap();
    service_attack(&env, &[(".den", &outside)]);
    let out = run(env.den(), &["down", "--purge", "--yes"]);
    out.success();
    assert_eq!(std::fs::read_to_string(outside.join("state/web/data")).unwrap(), "the user's data\n");
    assert_eq!(std::fs::read_to_string(outside.join("run/status.json")).unwrap(), "the user's file\n");
}
