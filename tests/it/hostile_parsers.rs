//! Hostile project files through the real binary, for the parser faults the fuzz targets
//! found (see the `fuzz_tests` modules): each is one clean error naming the file, never a
//! crash, a stack overflow or an escape sequence sent to the terminal.

use crate::support::{Env, Run, run};

/// `den export --format json` in a project holding `files`, trusted when `trust`.
fn export(files: &[(&str, &str)], trust: bool) -> Run {
    let env = Env::new();
    for (name, text) in files {
        env.write(name, text);
    }
    if trust {
        env.trust();
    }
    run(env.den(), &["export", "--format", "json"])
}

/// One error, exit code 1, nothing on stdout, no control character but the final newline.
fn assert_clean_error(out: &Run, wants: &str) {
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains(wants), "{}", out.stderr);
    let raw = out.stderr.chars().any(|c| c.is_control() && c != '\n');
    assert!(!raw, "control character in {:?}", out.stderr);
}

#[test]
fn nested_defaults_in_den_toml_are_an_error_not_a_stack_overflow() {
    let n = 100_000;
    let value = format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
    let out = export(&[("den.toml", &format!("[env]\nB = \"{value}\"\n"))], true);
    assert_clean_error(&out, "defaults nested more than 64 deep");
}

#[test]
fn nested_defaults_in_a_dotenv_file_are_an_error_not_a_stack_overflow() {
    let n = 100_000;
    let dotenv = format!("A=1\nB=\"{}x{}\"\n", "${A:-".repeat(n), "}".repeat(n));
    let out = export(&[("den.toml", "[env]\ndotenv = [\".env\"]\n"), (".env", &dotenv)], true);
    assert_clean_error(&out, ".env:2: `${...:-...}` defaults nested more than 64 deep");
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_stack_overflow() {
    for (text, at) in
        [("[".repeat(100_000), "den.toml:1:"), (format!("[env]\nA = {}", "[".repeat(100_000)), "den.toml:2:")]
    {
        let out = export(&[("den.toml", &text)], false);
        assert_clean_error(&out, at);
        // The snippet shows a window of the 100,000-character line, not all of it.
        assert!(out.stderr.len() < 1000, "{}", out.stderr);
    }
}

#[test]
fn escape_sequences_in_a_file_do_not_reach_the_terminal() {
    let out = export(&[("den.toml", "[tools]\nnode = 1 # \x1b[2J\x1b]0;owned\x07\n")], false);
    assert_clean_error(&out, "2 | node = 1 # \\e[2J\\e]0;owned\\x07");
    let out = export(&[("den.toml", "[env]\ndotenv = [\".env\"]\n"), (".env", "A='x'\x1b[31m\n")], true);
    assert_clean_error(&out, ".env:1: unexpected `\\e` after the closing quote");
}
