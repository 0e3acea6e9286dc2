//! The shell hook in real interactive bash, zsh and fish on a pseudo-terminal.

use std::process::Command;

use crate::pty::Pty;

#[test]
fn pty_drives_an_interactive_bash() {
    let mut cmd = Command::new("bash");
    cmd.args(["--norc", "--noprofile", "-i"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb")
        .env("PS1", "$ ");
    let mut sh = Pty::spawn(cmd);
    let out = sh.run("echo $((40 + 2))");
    assert!(out.contains("42"), "{out}");
    assert_eq!(sh.exit("exit 7"), 7);
}
