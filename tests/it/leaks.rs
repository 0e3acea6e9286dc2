//! What den remembers never leaks: a value den unsets or replaces is readable by no child
//! of `den run`, `den enter` or a hooked shell (not in `__DEN_STATE`, not anywhere in their
//! environment), and leaving the project still restores it exactly.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::pty::Pty;
use crate::shells::{BASH, FISH, Sh, ShellKind, World, ZSH, fish_quoted, installed, quoted};
use crate::support::{Env, run};

/// The outer value of a variable the project unsets.
const UNSET_SECRET: &str = "s3cr3t-unset-7f3a";
/// The outer value of a variable the project replaces.
const REPLACED_SECRET: &str = "s3cr3t-replaced-91c2";

const DEN_TOML: &str = "[env]\nAWS_SECRET_ACCESS_KEY = { unset = true }\nTOKEN = \"project\"\n\
                        PATH = { prepend = [\"bin\"] }\n";

fn secrets() -> [(&'static str, &'static str); 2] {
    [("AWS_SECRET_ACCESS_KEY", UNSET_SECRET), ("TOKEN", REPLACED_SECRET)]
}

/// Fails when any name or value of `env` shows either secret.
fn assert_no_secret(env: &BTreeMap<String, String>, who: &str) {
    for (name, value) in env {
        for secret in [UNSET_SECRET, REPLACED_SECRET] {
            assert!(
                !name.contains(secret) && !value.contains(secret),
                "{who}: {name}={value} shows {secret}"
            );
        }
    }
}

fn parse_env0(bytes: &[u8]) -> BTreeMap<String, String> {
    String::from_utf8_lossy(bytes)
        .split('\0')
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The files of previous values, with their modes; asserts the directory is 0700.
fn saved_files(home: &Path) -> Vec<(PathBuf, u32)> {
    let dir = home.join(".cache/den/saved-v1");
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    entries
        .map(|e| {
            let path = e.unwrap().path();
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            (path, mode)
        })
        .collect()
}

#[test]
fn den_run_children_cannot_read_unset_or_replaced_values_and_leaving_restores_them() {
    let env = Env::new();
    env.write("den.toml", DEN_TOML);
    env.trust();
    let den = env!("CARGO_BIN_EXE_den");
    let with_secrets = || {
        let mut cmd = env.den();
        cmd.envs(secrets());
        cmd
    };

    let out = with_secrets().args(["run", "--", "env", "-0"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let child = parse_env0(&out.stdout);
    assert_eq!(child.get("TOKEN").map(String::as_str), Some("project"));
    assert_eq!(child.get("AWS_SECRET_ACCESS_KEY"), None);
    assert!(child.contains_key("__DEN_STATE"));
    assert_no_secret(&child, "den run -- env");
    for (path, mode) in saved_files(&env.home()) {
        assert_eq!(mode, 0o600, "{}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(UNSET_SECRET) && text.contains(REPLACED_SECRET), "{text}");
    }

    // A nested `den run` reverts the applied project first: the same environment.
    let out = with_secrets().args(["run", "--", den, "run", "--", "env", "-0"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let nested = parse_env0(&out.stdout);
    assert_no_secret(&nested, "den run -- den run -- env");
    assert_eq!(nested.get("PATH"), child.get("PATH"), "the project was applied twice");

    // Leaving the project from the command (the hook's `den export` outside it) gives
    // both values back exactly.
    let script = format!("cd / && exec '{den}' export bash");
    let out = with_secrets().args(["run", "--", "sh", "-c", &script]).output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains(&format!("export AWS_SECRET_ACCESS_KEY={UNSET_SECRET};")), "{shown}");
    assert!(shown.contains(&format!("export TOKEN={REPLACED_SECRET};")), "{shown}");
    assert!(shown.contains("unset __DEN_STATE;"), "{shown}");
}

#[test]
fn a_forged_state_reads_nothing_outside_den_s_directory() {
    let env = Env::new();
    env.write("den.toml", "[env]\nFOO = \"bar\"\n");
    env.trust();
    std::fs::write(env.tmp.path().join("loot"), r#"{"FOO":"leaked"}"#).unwrap();
    let forged = format!(
        r#"{{"root":"{}","vars":{{"FOO":{{"was":"saved"}}}},"saved":"../../../loot"}}"#,
        env.project().display()
    );
    let out = env
        .den_in(Path::new("/"))
        .env("FOO", "x")
        .env("__DEN_STATE", forged)
        .args(["export", "bash"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!shown.contains("leaked"), "{shown}");
}

/// `kind` started on a terminal with both secrets in its environment, the project's
/// den.toml replaced by one that unsets and replaces them.
fn hooked_shell(w: &World, kind: &ShellKind) -> Sh {
    std::fs::write(w.a.join("den.toml"), DEN_TOML).unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let mut cmd = w.terminal_command(kind.name);
    cmd.args(kind.args).current_dir(w.env.tmp.path()).envs(secrets());
    let mut sh = Sh { pty: Pty::spawn(cmd), dumps: w.env.tmp.path().to_path_buf(), n: 0 };
    let q = |p: &Path| if kind.name == "fish" { fish_quoted(p) } else { quoted(p) };
    sh.run(&format!("source {}", q(Path::new(&w.hook(kind.name)))));
    sh
}

fn hooked(kind: &ShellKind) {
    if !installed(kind.name) {
        return;
    }
    let w = World::new();
    let mut sh = hooked_shell(&w, kind);
    let q = |p: &Path| if kind.name == "fish" { fish_quoted(p) } else { quoted(p) };
    let outside = sh.environment();
    assert_eq!(outside.get("TOKEN").map(String::as_str), Some(REPLACED_SECRET));

    sh.run(&format!("cd {}", q(&w.a)));
    let inside = sh.environment();
    assert_eq!(inside.get("TOKEN").map(String::as_str), Some("project"), "{}", kind.name);
    assert_no_secret(&inside, kind.name);
    // A grandchild sees no more than the child.
    let file = w.env.tmp.path().join("grandchild-env");
    sh.run(&format!("sh -c 'env -0 > {}'", q(&file)));
    assert_no_secret(&parse_env0(&std::fs::read(&file).unwrap()), kind.name);
    let files = saved_files(&w.env.home());
    assert_eq!(files.len(), 1, "{}: {files:?}", kind.name);
    assert_eq!(files[0].1, 0o600);

    sh.run("cd /");
    assert_eq!(sh.environment(), outside, "{}: leaving must restore everything", kind.name);
    assert_eq!(
        saved_files(&w.env.home()),
        Vec::new(),
        "{}: the shell's file stayed after leaving",
        kind.name
    );
}

#[test]
fn hooked_bash_children_cannot_read_unset_or_replaced_values() {
    hooked(&BASH);
}

#[test]
fn hooked_zsh_children_cannot_read_unset_or_replaced_values() {
    hooked(&ZSH);
}

#[test]
fn hooked_fish_children_cannot_read_unset_or_replaced_values() {
    hooked(&FISH);
}

#[test]
fn den_enter_children_cannot_read_unset_or_replaced_values_and_leaving_restores_them() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    std::fs::write(w.a.join("den.toml"), DEN_TOML).unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let mut cmd = w.terminal_command(env!("CARGO_BIN_EXE_den"));
    cmd.arg("enter")
        .current_dir(&w.a)
        .env("SHELL", "/usr/bin/bash")
        .env("BASH_ENV", "/dev/null")
        .envs(secrets());
    let mut sh = Sh { pty: Pty::spawn(cmd), dumps: w.env.tmp.path().to_path_buf(), n: 0 };
    let inside = sh.environment();
    assert_eq!(inside.get("TOKEN").map(String::as_str), Some("project"));
    assert_eq!(inside.get("AWS_SECRET_ACCESS_KEY"), None);
    assert_no_secret(&inside, "den enter");

    // The hook in the entered shell, leaving the project, gives both back.
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    sh.run("cd /");
    let left = sh.environment();
    assert_eq!(left.get("AWS_SECRET_ACCESS_KEY").map(String::as_str), Some(UNSET_SECRET));
    assert_eq!(left.get("TOKEN").map(String::as_str), Some(REPLACED_SECRET));
    assert_eq!(left.get("__DEN_STATE"), None);
    assert_eq!(sh.pty.exit("exit"), 0);
    assert_eq!(saved_files(&w.env.home()), Vec::new(), "den enter left its file behind");
}

/// The shell's file of previous values is removed as the shell ends, by `exit` or by a
/// hang-up (its terminal closed), and a user's own EXIT trap still runs (bash).
fn forgotten_when_the_shell_ends(kind: &ShellKind) {
    if !installed(kind.name) {
        return;
    }
    let q = |p: &Path| if kind.name == "fish" { fish_quoted(p) } else { quoted(p) };
    for hang_up in [false, true] {
        let w = World::new();
        let mut sh = hooked_shell(&w, kind);
        let user_trap = w.env.tmp.path().join("user-trap-ran");
        if kind.name == "bash" {
            // Set before the hook is sourced again: the hook goes in front, keeping it.
            sh.run(&format!("trap 'touch {}' EXIT", q(&user_trap)));
            sh.run(&format!("source {}", q(Path::new(&w.hook("bash")))));
        }
        sh.run(&format!("cd {}", q(&w.a)));
        // Subshells and command substitutions end too, the shell does not.
        sh.run(if kind.name == "fish" { "set x (true); fish -c true" } else { "(exit 0); x=$(exit 0)" });
        let files = saved_files(&w.env.home());
        assert_eq!(files.len(), 1, "{}: {files:?}", kind.name);
        if hang_up {
            sh.pty.hang_up();
        } else {
            assert_eq!(sh.pty.exit("exit"), 0);
        }
        assert_eq!(
            saved_files(&w.env.home()),
            Vec::new(),
            "{} (hang-up: {hang_up}): the file stayed after the shell ended",
            kind.name
        );
        if kind.name == "bash" {
            assert!(user_trap.exists(), "the user's EXIT trap did not run (hang-up: {hang_up})");
        }
    }
}

#[test]
fn bash_s_saved_values_go_when_it_exits_or_hangs_up() {
    forgotten_when_the_shell_ends(&BASH);
}

#[test]
fn zsh_s_saved_values_go_when_it_exits_or_hangs_up() {
    forgotten_when_the_shell_ends(&ZSH);
}

#[test]
fn fish_s_saved_values_go_when_it_exits_or_hangs_up() {
    forgotten_when_the_shell_ends(&FISH);
}

/// A shell killed with SIGKILL runs no handler: the next den that applies an environment
/// removes its file, and a file whose pid now belongs to another process (this test's,
/// started at another time) too.
#[test]
fn a_killed_shell_s_saved_values_go_with_the_next_den() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let mut sh = hooked_shell(&w, &BASH);
    sh.run(&format!("cd {}", quoted(&w.a)));
    let files = saved_files(&w.env.home());
    assert_eq!(files.len(), 1, "{files:?}");
    let dir = w.env.home().join(".cache/den/saved-v1");
    let recycled = dir.join(format!("{}-1-1", std::process::id()));
    std::fs::write(&recycled, r#"{"TOKEN":"old"}"#).unwrap();
    drop(sh); // SIGKILL, and reaped
    assert!(files[0].0.exists(), "nothing ran yet");
    let out = run(w.env.den_in(&w.b), &["run", "--", "true"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(saved_files(&w.env.home()), Vec::new(), "a dead shell's file stayed");
}
