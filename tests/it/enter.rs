//! `den enter` on a pseudo-terminal in real bash, zsh and fish: the environment, exit
//! codes, `--pure`, nested sessions, trust, and nothing left behind.

use std::collections::BTreeMap;
use std::path::Path;

use crate::pty::Pty;
use crate::shells::{SHELL_OWN, Sh, World, installed, quoted};
use crate::support::run;

/// `den enter` run on a terminal, with `SHELL` set to `shell`.
fn enter(w: &World, shell: &str, args: &[&str]) -> Pty {
    let mut cmd = w.terminal_command(env!("CARGO_BIN_EXE_den"));
    cmd.arg("enter")
        .args(args)
        .current_dir(&w.a)
        .env("SHELL", format!("/usr/bin/{shell}"))
        .env("KEEP_ME", "outer");
    // Interactive shells without the user's rc files, as a clean user would have them.
    match shell {
        "bash" => cmd.env("BASH_ENV", "/dev/null"),
        "zsh" => cmd.env("ZDOTDIR", w.env.tmp.path()),
        _ => &mut cmd,
    };
    Pty::spawn(cmd)
}

fn environment_of(pty: &mut Pty, dir: &Path, n: u32) -> BTreeMap<String, String> {
    let file = dir.join(format!("enter-env-{n}"));
    pty.run(&format!("/usr/bin/env -0 > '{}'", file.display()));
    String::from_utf8(std::fs::read(&file).unwrap())
        .unwrap()
        .split('\0')
        .filter_map(|e| e.split_once('='))
        .filter(|(k, _)| !SHELL_OWN.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn enter_gives_the_environment_and_returns_the_exit_code_in_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        if !installed(shell) {
            continue;
        }
        let w = World::new();
        let mut sh = enter(&w, shell, &[]);
        let env = environment_of(&mut sh, w.env.tmp.path(), 1);
        assert_eq!(env.get("FOO").map(String::as_str), Some("bar"), "{shell}");
        assert_eq!(env.get("MULTI").map(String::as_str), Some("one\ntwo 'three' $HOME"), "{shell}");
        assert_eq!(env.get("DEN_PROJECT").map(String::as_str), Some("project"), "{shell}");
        assert_eq!(env.get("GONE"), None, "{shell}");
        assert_eq!(env.get("KEEP_ME").map(String::as_str), Some("outer"), "{shell}");
        assert!(env.contains_key("__DEN_STATE"), "{shell}");
        let session_dirs = std::fs::read_dir(w.a.join(".den/tmp")).unwrap().count();
        assert_eq!(session_dirs, 1, "{shell}: the session has its temporary directory");
        assert_eq!(sh.exit("exit 7"), 7, "{shell}");
        assert_eq!(
            std::fs::read_dir(w.a.join(".den/tmp")).unwrap().count(),
            0,
            "{shell}: session left behind"
        );
        assert_eq!(
            std::fs::read_dir(w.a.join(".den/sessions")).unwrap().count(),
            0,
            "{shell}: record left behind"
        );
    }
}

#[test]
fn enter_pure_keeps_only_the_basics() {
    let w = World::new();
    let mut sh = enter(&w, "bash", &["--pure"]);
    let env = environment_of(&mut sh, w.env.tmp.path(), 1);
    let names: Vec<&str> = env.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "DEN_PROJECT",
            "DEN_ROOT",
            "DEN_STATE_DIR",
            "FOO",
            "HOME",
            "LANG",
            "MULTI",
            "PATH",
            "TERM",
            "__DEN_STATE"
        ]
    );
    assert_eq!(env["PATH"], format!("{}/bin:/usr/bin:/bin", w.a.display()));
    assert_eq!(sh.exit("exit"), 0);
}

#[test]
fn nested_enter_replaces_the_outer_project_and_an_installed_hook_changes_nothing() {
    let w = World::new();
    let mut sh = Sh { pty: enter(&w, "bash", &[]), dumps: w.env.tmp.path().to_path_buf(), n: 0 };
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let before = w.starts();
    let first = sh.environment();
    assert!(w.starts() <= before + 1, "the hook ran den more than once on its first prompt");
    assert_eq!(first.get("FOO").map(String::as_str), Some("bar"));
    // From inside project A, enter project B: nothing of A may stay.
    sh.run(&format!("'{}' enter {}", env!("CARGO_BIN_EXE_den"), quoted(&w.b)));
    let nested = sh.environment();
    assert_eq!(nested.get("ONLY_B").map(String::as_str), Some("b"));
    assert_eq!(nested.get("FOO").map(String::as_str), Some("from b"));
    assert_eq!(nested.get("MULTI"), None);
    assert_eq!(nested.get("GONE").map(String::as_str), Some("outer value"), "A's unset must be undone in B");
    sh.pty.send("exit 5\n");
    assert!(sh.run("echo \"code=$?\"").contains("code=5"));
    let back = sh.environment();
    assert_eq!(back.get("FOO").map(String::as_str), Some("bar"));
    assert_eq!(sh.pty.exit("exit"), 0);
}

#[test]
fn enter_refuses_an_untrusted_project_without_a_terminal_and_trusts_with_the_flag() {
    let w = World::new();
    std::fs::write(w.a.join("den.toml"), "[env]\nFOO = \"changed\"\n").unwrap();
    let mut cmd = w.env.den_in(&w.a);
    cmd.env("SHELL", "/bin/sh");
    let out = run(cmd, &["enter"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is not trusted (it changed since you trusted it)"), "{}", out.stderr);
    let mut cmd = w.env.den_in(&w.a);
    cmd.env("SHELL", "/bin/sh").stdin(std::process::Stdio::piped());
    let mut child = cmd
        .args(["enter", "--trust"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"echo \"FOO=$FOO\"; exit 4\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "FOO=changed\n");
}
