//! The command line itself: help, exit codes, usage errors.

use crate::support::{Env, run};

#[test]
fn help_lists_every_built_command_of_the_spec() {
    let env = Env::new();
    let out = run(env.den(), &["--help"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for cmd in [
        "enter",
        "hook",
        "export",
        "run",
        "x",
        "install",
        "add",
        "remove",
        "upgrade",
        "outdated",
        "lock",
        "ls",
        "ls-remote",
        "which",
        "trust",
        "untrust",
        "init",
        "explain",
        "cache",
        "up",
        "down",
        "ps",
        "logs",
        "restart",
        "ide",
    ] {
        assert!(
            out.stdout.lines().any(|l| l.trim_start().starts_with(&format!("{cmd} "))),
            "{cmd} missing from help"
        );
    }
}

#[test]
fn unknown_command_is_a_usage_error() {
    let env = Env::new();
    let out = run(env.den(), &["frobnicate"]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.is_empty());
}
