//! Fuzz target of the den.toml parser (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): arbitrary text, TOML token soup and near-valid den.toml files never
//! panic; every error points at a line and column of the file; every tool, variable and
//! dotenv entry it accepts is located on a line of the file.

use std::path::Path;

use proptest::prelude::*;

use super::{TOP_KEYS, manifest};
use crate::fuzz::{TOML_TOKENS, assert_located, config, mutate, soup, toml_doc};

/// Headers a den.toml has, spelled as they are and a little off.
const HEADERS: &[&str] = &[
    "tools",
    "env",
    "services",
    "services.db",
    "services.db.ready",
    "services.db.env",
    "enter",
    "ide",
    "tools.node",
    "env.PATH",
    "services.\"a b\"",
    "tool",
    "Env",
];

/// Keys and string contents den.toml's schema knows, and near misses.
const VOCAB: &[&str] = &[
    "tools",
    "env",
    "services",
    "enter",
    "ide",
    "editor",
    "node",
    "go",
    "jq",
    "version",
    "source",
    "url",
    "sha256",
    "bin",
    "22",
    "1.2.3",
    "^1.2",
    ">=1, <2",
    "latest",
    "lts",
    "github:o/r",
    "npm:@a/b",
    "pypi:uv",
    "https://h/x",
    "bin/tool",
    "../x",
    "/abs",
    "PATH",
    "A",
    "1A",
    "dotenv",
    ".env",
    "prepend",
    "append",
    "file",
    "command",
    "unset",
    "run",
    "preset",
    "postgres",
    "port",
    "ready",
    "tcp",
    "http",
    "timeout",
    "depends_on",
    "restart",
    "always",
    "cwd",
    "stop_signal",
    "SIGTERM",
    "stop_timeout",
    "5s",
    "db",
    "versoin",
    "",
];

fn check(source: &str) {
    let file = Path::new("den.toml");
    match manifest(file, source) {
        Err(d) => assert_located(&d, file, source),
        Ok(m) => {
            let lines = source.split('\n').count();
            let located = m.tools.values().map(|t| &t.at).chain(m.env.iter().map(|e| &e.at));
            for at in located.chain(m.dotenv.iter().map(|d| &d.at)) {
                assert!(at.file == file && at.line >= 1 && at.line <= lines, "{at:?} in {source:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn token_soup_never_panics(text in soup(TOML_TOKENS, 40)) {
        check(&text);
    }

    #[test]
    fn near_valid_files_never_panic(text in mutate(toml_doc(HEADERS, VOCAB), TOML_TOKENS)) {
        check(&text);
    }

    #[test]
    fn valid_toml_is_checked_not_crashed(text in toml_doc(HEADERS, VOCAB)) {
        check(&text);
    }
}

/// Deep nesting of every TOML construct: an error (or a value), never a stack overflow.
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    for n in [10_000, 100_000] {
        check(&"[".repeat(n));
        check(&format!("a = {}", "[".repeat(n)));
        check(&format!("a = {}{}", "[".repeat(n), "]".repeat(n)));
        check(&format!("[env]\nA = {}1{}", "{a = ".repeat(n), "}".repeat(n)));
        check(&format!("[{}]", vec!["a"; n].join(".")));
        check(&format!("{} = 1", vec!["a"; n].join(".")));
    }
}

#[test]
fn every_top_key_reaches_its_checker() {
    for key in TOP_KEYS {
        let e = manifest(Path::new("den.toml"), &format!("{key} = 1\n")).unwrap_err();
        assert!(e.message.contains("must be a table"), "{key}: {e}");
    }
}

/// Found: an error at a `\r` that is not part of a CRLF panicked while laying out the
/// caret (the span started past the line's text once the `\r` was trimmed).
#[test]
fn error_at_a_lone_carriage_return() {
    for text in ["[tools]\nenter = []\r", "a = 1\r", "[tools]\r", "\r"] {
        let e = manifest(Path::new("den.toml"), text).unwrap_err();
        assert_located(&e, Path::new("den.toml"), text);
    }
}

/// Found: messages and snippets showed the file's control characters raw: a quoted key
/// with `\n` split the one-line error, and a raw ESC in the file reached the terminal.
#[test]
fn control_characters_in_errors_are_escaped() {
    let file = Path::new("den.toml");
    let text = "\"a\\nb\" = 1\n";
    let e = manifest(file, text).unwrap_err();
    assert_eq!(e.message, "unknown key `a\\nb` in den.toml");
    assert_located(&e, file, text);
    let text = "[tools]\nnode = 1 # \x1b[2J\x1b]0;owned\x07\n";
    let e = manifest(file, text).unwrap_err();
    assert_located(&e, file, text);
    assert!(e.snippet.contains("# \\u{1b}[2J\\u{1b}]0;owned\\u{7}"), "{}", e.snippet);
    // The caret stays under the span once what precedes it is escaped.
    let text = "a = \"\x1b\"\n";
    let e = manifest(file, text).unwrap_err();
    assert_located(&e, file, text);
    let lines: Vec<&str> = e.snippet.lines().collect();
    let caret = lines[2].find('^').unwrap();
    assert_eq!(&lines[1][caret..caret + 6], "\\u{1b}", "{}", e.snippet);
}

/// Found: every tool, variable and dotenv entry was located by scanning the text before
/// it, so reading 40,000 `[env]` keys took 95 s in a debug build (now well under a second).
/// Timings are not asserted; this checks that the located lines stay exact at that size.
#[test]
fn many_keys_are_located_exactly() {
    let n = 40_000;
    let mut text = String::from("[tools]\nnode = \"22\"\n\n[env]\n");
    for i in 0..n {
        text.push_str(&format!("VAR_{i} = \"value {i}\"\n"));
    }
    text.push_str("dotenv = [\n  \".env\",\n  \".env.local\",\n]\n");
    let m = manifest(Path::new("den.toml"), &text).unwrap();
    assert_eq!(m.tools["node"].at.line, 2);
    assert_eq!((m.env[0].at.line, m.env[n - 1].at.line), (5, n + 4));
    let dotenv: Vec<usize> = m.dotenv.iter().map(|d| d.at.line).collect();
    assert_eq!(dotenv, [n + 6, n + 7]);
}
