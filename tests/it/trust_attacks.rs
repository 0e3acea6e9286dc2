//! What a repository can try against trust (spec §8, issue 8), with the real binary and
//! attackers' files built here: a den.toml symlinked to a trusted one, den.toml swapped
//! while den reads it, a committed dotenv file changed by `git pull`, and trust records
//! someone else could have written.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::support::{Env, git, run};

/// A project that uses every kind of relative path trust must cover.
const TOML: &str = "[env]\nPATH = { prepend = [\"bin\"] }\ndotenv = [\".env\"]\n";

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// An executable script that leaves `marker` behind when it runs.
fn tool(path: &Path, marker: &Path) {
    write(path, &format!("#!/bin/sh\ntouch '{}'\necho ran\n", marker.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn bucket(env: &Env) -> PathBuf {
    env.home().join(".local/share/den/trust-v1")
}

#[test]
fn a_den_toml_symlinked_to_a_trusted_one_is_untrusted_where_it_is() {
    let env = Env::new();
    env.write("den.toml", TOML);
    env.write(".env", "GREETING=hello\n");
    env.trust();

    let evil = env.tmp.path().join("evil");
    let marker = env.tmp.path().join("pwned");
    std::fs::create_dir(&evil).unwrap();
    std::os::unix::fs::symlink(env.project().join("den.toml"), evil.join("den.toml")).unwrap();
    write(&evil.join(".env"), &format!("PROMPT_COMMAND=touch {}\nGREETING=evil\n", marker.display()));
    tool(&evil.join("bin/git"), &marker);
    let evil_toml = evil.canonicalize().unwrap().join("den.toml");
    let refused = format!(
        "den: {} is not trusted\nhelp: review it, then run `den trust`\n",
        evil.join("den.toml").display()
    );

    let out = run(env.den_in(&evil), &["export", "json"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (1, "", refused.as_str()));

    // The hook: one line, nothing of the project's applied.
    let out = run(env.den_in(&evil), &["export", "bash"]);
    out.success();
    for applied in ["PROMPT_COMMAND", "GREETING", "evil/bin"] {
        assert!(!out.stdout.contains(applied), "{applied}: {}", out.stdout);
    }
    assert_eq!(
        out.stderr,
        format!("den: {} is not trusted: review it, then run `den trust`\n", evil.join("den.toml").display())
    );

    for args in [&["run", "--", "git", "status"][..], &["enter"]] {
        let mut cmd = env.den_in(&evil);
        cmd.env("SHELL", evil.join("bin/git"));
        let out = run(cmd, args);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (1, "", refused.as_str()),
            "{args:?}"
        );
    }
    assert!(!marker.exists(), "something of the untrusted directory ran");

    // Trusted where it is, it is its own record, and its paths are its own directory's.
    let out = run(env.den_in(&evil), &["trust"]);
    assert_eq!(out.stderr, format!("den: trusted {}\n", evil_toml.display()));
    let out = run(env.den_in(&evil), &["export", "json"]);
    out.success();
    assert!(out.stdout.contains("\"GREETING\": \"evil\""), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("\"PATH\": \"{}/bin:", evil.display())), "{}", out.stdout);
    let out = run(env.den(), &["trust", "--list"]);
    let project_toml = env.project().canonicalize().unwrap().join("den.toml");
    let mut want =
        [format!("{}\ttrusted\n", evil_toml.display()), format!("{}\ttrusted\n", project_toml.display())];
    want.sort();
    assert_eq!(out.stdout, want.concat());
    // Untrusting the link leaves the target trusted.
    let out = run(env.den_in(&evil), &["untrust"]);
    assert_eq!(out.stderr, format!("den: untrusted {}\n", evil_toml.display()));
    run(env.den(), &["export", "json"]).success();
}

#[test]
fn den_toml_swapped_while_den_reads_it_never_applies_the_untrusted_content() {
    let env = Env::new();
    let trusted = "[env]\nMARK = \"trusted\"\n";
    let untrusted = "[env]\nMARK = \"untrusted-content\"\n";
    let file = env.write("den.toml", trusted);
    env.trust();

    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let stop = stop.clone();
        let (file, dir) = (file.clone(), env.project());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(Ordering::Relaxed) {
                for (i, content) in [untrusted, trusted].iter().enumerate() {
                    let tmp = dir.join(format!(".swap{i}"));
                    std::fs::write(&tmp, content).unwrap();
                    std::fs::rename(&tmp, &file).unwrap();
                }
                swaps += 1;
            }
            swaps
        })
    };
    let (mut applied, mut refused) = (0, 0);
    for _ in 0..300 {
        let out = run(env.den(), &["export", "json"]);
        assert!(!out.stdout.contains("untrusted-content"), "untrusted content applied:\n{}", out.stdout);
        match out.code {
            0 => applied += 1,
            _ => refused += 1,
        }
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    // Both outcomes were met, so the loop did race den's reads.
    assert!(swaps > 0 && applied > 0 && refused > 0, "swaps {swaps}, applied {applied}, refused {refused}");
}

/// A clone of a repository whose den.toml names a committed `.env`; returns (env, upstream).
fn cloned_project() -> (Env, PathBuf) {
    let env = Env::new();
    let upstream = env.tmp.path().join("upstream");
    write(&upstream.join("den.toml"), "[env]\ndotenv = [\".env\", \".env.local\"]\n");
    write(&upstream.join(".env"), "GREETING=hello\n");
    write(&upstream.join(".gitignore"), ".env.local\n");
    git(&upstream, &["init", "-q"]);
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-q", "-m", "init"]);
    std::fs::remove_dir(env.project()).unwrap();
    git(env.tmp.path(), &["clone", "-q", upstream.to_str().unwrap(), "project"]);
    write(&env.project().join(".env.local"), "LOCAL=1\n");
    env.trust();
    (env, upstream)
}

#[test]
fn a_committed_dotenv_changed_by_git_pull_applies_only_after_den_trust() {
    let (env, upstream) = cloned_project();
    let out = run(env.den(), &["export", "json"]);
    out.success();
    assert!(out.stdout.contains("\"GREETING\": \"hello\""), "{}", out.stdout);

    let marker = env.tmp.path().join("pwned");
    let attack =
        format!("GREETING=hello\nPROMPT_COMMAND=touch {}\nLD_PRELOAD=/tmp/evil.so\n", marker.display());
    write(&upstream.join(".env"), &attack);
    git(&upstream, &["commit", "-q", "-am", "innocent"]);
    git(&env.project(), &["pull", "-q", "--ff-only"]);

    let root = env.project();
    let line = format!(".env changed since you trusted {} and is part of the repository", root.display());
    let out = run(env.den(), &["export", "json"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    assert_eq!(out.stderr, format!("den: {line}\nhelp: run `den trust` to review the change\n"));

    let out = run(env.den(), &["export", "bash"]);
    out.success();
    assert!(!out.stdout.contains("PROMPT_COMMAND") && !out.stdout.contains("GREETING"), "{}", out.stdout);
    assert_eq!(out.stderr, format!("den: {line}: run `den trust` to review the change\n"));

    let out = run(env.den(), &["run", "--", "sh", "-c", "echo $LD_PRELOAD"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{}", out.stderr);
    assert!(!marker.exists());

    // `den trust` shows what changed in the committed file, then it applies.
    let out = run(env.den(), &["trust"]);
    out.success();
    let shown = root.join(".env");
    let m = root.canonicalize().unwrap().join("den.toml");
    assert_eq!(
        out.stderr,
        format!(
            "--- {f} (trusted)\n+++ {f} (current)\n@@ -1 +1,3 @@\n GREETING=hello\n+PROMPT_COMMAND=touch {}\n\
             +LD_PRELOAD=/tmp/evil.so\nden: trusted {}\n",
            marker.display(),
            m.display(),
            f = shown.display()
        )
    );
    let out = run(env.den(), &["export", "json"]);
    out.success();
    assert!(out.stdout.contains("\"LD_PRELOAD\": \"/tmp/evil.so\""), "{}", out.stdout);

    // The record, den.toml's copy and one copy per dotenv file, all private.
    let files: Vec<_> = std::fs::read_dir(bucket(&env)).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 4, "{files:?}");
    for f in files {
        assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600, "{}", f.display());
    }
    let copies: Vec<_> = std::fs::read_dir(bucket(&env))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(copies.contains(&attack) && copies.contains(&"LOCAL=1\n".to_string()), "{copies:?}");
}

#[test]
fn a_git_ignored_or_uncommitted_dotenv_stays_freely_editable() {
    let (env, _) = cloned_project();
    // Git-ignored: edited after trust, applied without trusting again.
    env.write(".env.local", "LOCAL=2\n");
    let out = run(env.den(), &["export", "json"]);
    out.success();
    assert!(out.stdout.contains("\"LOCAL\": \"2\""), "{}", out.stdout);

    // Not in any repository: edited after trust, applied.
    let plain = Env::new();
    plain.write("den.toml", "[env]\ndotenv = [\".env\"]\n");
    plain.write(".env", "A=1\n");
    plain.trust();
    plain.write(".env", "A=2\n");
    let out = run(plain.den(), &["export", "json"]);
    out.success();
    assert!(out.stdout.contains("\"A\": \"2\""), "{}", out.stdout);
}

#[test]
fn a_changed_dotenv_counts_as_tracked_when_git_cannot_say() {
    let env = Env::new();
    env.write("den.toml", "[env]\ndotenv = [\".env\"]\n");
    env.write(".env", "A=1\n");
    env.trust();
    // A work tree git cannot read (a `.git` pointing nowhere): fail closed.
    env.write(".git", "gitdir: /nonexistent\n");
    env.write(".env", "A=2\n");
    let out = run(env.den(), &["export", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.contains(".env changed since you trusted"), "{}", out.stderr);
}

/// A trusted project whose environment shows whether its record was believed.
fn trusted_project() -> Env {
    let env = Env::new();
    env.write("den.toml", "[env]\nMARK = \"applied\"\n");
    env.trust();
    run(env.den(), &["export", "json"]).success();
    env
}

fn record(env: &Env) -> PathBuf {
    let dir = bucket(env);
    let mut records: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert_eq!(records.len(), 1);
    records.pop().unwrap()
}

/// `den export json` is refused as untrusted, after one warning line naming `path`.
fn ignored(env: &Env, warning: &str) {
    let out = run(env.den(), &["export", "json"]);
    assert_eq!((out.code, out.stdout.as_str()), (1, ""));
    let first = out.stderr.lines().next().unwrap_or_default();
    assert_eq!(first, format!("den: warning: {warning}"), "{}", out.stderr);
    assert!(out.stderr.contains("is not trusted"), "{}", out.stderr);
}

#[test]
fn a_trust_dir_writable_by_others_is_ignored_with_the_fix() {
    let env = trusted_project();
    let dir = bucket(&env);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    ignored(
        &env,
        &format!(
            "ignoring the trust records in {d}: it is writable by group or others; run `chmod 700 {d}`",
            d = dir.display()
        ),
    );
    let out = run(env.den(), &["trust"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "den: refusing to write trust records in {d}: it is writable by group or others\n\
             help: run `chmod 700 {d}`\n",
            d = dir.display()
        )
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    run(env.den(), &["export", "json"]).success();
}

#[test]
fn a_record_writable_by_others_or_owned_by_another_user_is_ignored() {
    let env = trusted_project();
    let rec = record(&env);
    let m = env.project().canonicalize().unwrap().join("den.toml");
    std::fs::set_permissions(&rec, std::fs::Permissions::from_mode(0o666)).unwrap();
    let why = |reason: &str| {
        format!(
            "ignoring the trust record of {} ({}): {reason}; remove it, then run `den trust` there again",
            m.display(),
            rec.display()
        )
    };
    ignored(&env, &why("it is writable by group or others"));
    // `den trust` writes a new record of its own (0600, by rename).
    env.trust();
    run(env.den(), &["export", "json"]).success();

    // Tests run as root, who can give the record to another user.
    let euid = std::fs::metadata(env.home()).unwrap();
    use std::os::unix::fs::MetadataExt;
    if euid.uid() == 0 {
        std::os::unix::fs::chown(&rec, Some(65534), None).unwrap();
        ignored(&env, &why("it is owned by uid 65534, not by you (uid 0)"));
    }
}

#[test]
fn a_trust_dir_symlinked_elsewhere_is_ignored() {
    let env = trusted_project();
    let dir = bucket(&env);
    let elsewhere = env.tmp.path().join("shared-trust");
    std::fs::rename(&dir, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
    ignored(
        &env,
        &format!(
            "ignoring the trust records in {}: it is a symlink; remove it, then run `den trust` in your projects again",
            dir.display()
        ),
    );
}

#[test]
fn the_terminal_question_shows_the_dotenv_change_that_comes_with_a_den_toml_change() {
    let (env, upstream) = cloned_project();
    write(&upstream.join("den.toml"), "[env]\ndotenv = [\".env\", \".env.local\"]\nB = \"1\"\n");
    write(&upstream.join(".env"), "GREETING=hello\nBASH_ENV=/tmp/evil.sh\n");
    git(&upstream, &["commit", "-q", "-am", "innocent"]);
    git(&env.project(), &["pull", "-q", "--ff-only"]);

    let ask = |answer: &str| {
        let mut cmd = env.den();
        cmd.env("NO_COLOR", "1").args(["run", "--", "sh", "-c", "echo ran with $BASH_ENV"]);
        let mut pty = crate::pty::Pty::spawn(cmd);
        let shown = pty.expect("and run? [y/N] ");
        (shown, pty.exit(answer))
    };
    let (shown, code) = ask("n");
    assert_eq!(code, 1);
    assert!(shown.contains("+B = \"1\"") && shown.contains("+BASH_ENV=/tmp/evil.sh"), "{shown}");
    let out = run(env.den(), &["export", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);

    let (_, code) = ask("y");
    assert_eq!(code, 0);
    let out = run(env.den(), &["export", "json"]);
    out.success();
    assert!(out.stdout.contains("\"BASH_ENV\": \"/tmp/evil.sh\""), "{}", out.stdout);
}
