//! Fuzz target of the den.toml parser (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): arbitrary text, TOML token soup and near-valid den.toml files never
//! panic; every error points at a line and column of the file; every tool, variable and
//! dotenv entry it accepts is located on a line of the file.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;

use super::env::ACTIONS;
use super::services::SERVICE_KEYS;
use super::tools::MANIFEST_TOOL_KEYS;
use super::{TOP_KEYS, manifest};
use crate::fuzz::{TOML_TOKENS, assert_located, config, mutate, soup, toml_doc, toml_value};

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
    "cache",
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
    "urls",
    "oci://h/team/den",
    "file:///srv/den",
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

/// A value spelling per key, valid and not (every string already TOML-quoted).
fn value_for(key: &str) -> BoxedStrategy<String> {
    let pick = |items: &'static [&'static str]| select(items).prop_map(str::to_string).boxed();
    match key {
        "version" => pick(&[
            "\"22\"",
            "\"1.2.3\"",
            "\"^1.2\"",
            "\">=1, <2\"",
            "\"latest\"",
            "\"lts\"",
            "\"\"",
            "\" \"",
            "3.10",
        ]),
        "source" => pick(&[
            "\"github:o/r\"",
            "\"npm:@a/b-{os}-{arch}\"",
            "\"pypi:uv\"",
            "\"system\"",
            "\"github:\"",
            "\"gitlab:x\"",
            "\"npm:\"",
        ]),
        "venv" => pick(&["\".venv\"", "\"a/b\"", "\"../x\"", "\"/abs\"", "\".\"", "\"\"", "1"]),
        "url" | "http" => pick(&[
            "\"https://h/x-{version}-{os}-{arch}.tar.gz\"",
            "\"http://h:8080/x\"",
            "\"ftp://x\"",
            "\"\"",
            "\"https://h/{nope}\"",
        ]),
        "sha256" => pick(&[
            "\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"",
            "\"abc\"",
            "\"sha256:00\"",
        ]),
        "bin" => pick(&["\"bin/x\"", "[\"a\", \"b/c\"]", "\"../x\"", "\"/abs\"", "[]", "[1]", "\"\""]),
        "prepend" | "append" | "dotenv" => pick(&[
            "[\"bin\", \"node_modules/.bin\"]",
            "[\"\"]",
            "[]",
            "\"bin\"",
            "[\".env\", \".env.local\"]",
        ]),
        "file" | "command" | "run" | "cwd" | "editor" => {
            pick(&["\"~/.token\"", "\"pass show gh\"", "\"\"", "1"])
        }
        "unset" => pick(&["true", "false", "\"yes\""]),
        "preset" => pick(&["\"postgres\"", "\"redis\"", "\"valkey\"", "\"mysql\"", "\"postgre\"", "\"\""]),
        "port" | "tcp" => pick(&["5432", "0", "70000", "-1", "\"5432\"", "99999999999999999999"]),
        "ready" => pick(&[
            "{ tcp = 5432 }",
            "{ http = \"http://localhost:1/\", timeout = \"5s\" }",
            "{ command = \"pg_isready\" }",
            "{}",
            "{ tcp = 1, http = \"http://h/\" }",
            "\"tcp\"",
        ]),
        "depends_on" | "services" => {
            pick(&["[\"db\"]", "[\"db\", \"cache\"]", "[\"nope\"]", "[\"web\"]", "[]", "\"db\""])
        }
        "env" => {
            pick(&["{ A = \"1\", PORT = 3000 }", "{ \"1A\" = \"x\" }", "{ A = { file = \"x\" } }", "\"A=1\""])
        }
        "restart" => pick(&["\"never\"", "\"on-failure\"", "\"always\"", "\"sometimes\""]),
        "stop_signal" => pick(&["\"SIGTERM\"", "\"SIGKILL\"", "\"TERM\"", "\"SIGFOO\"", "15"]),
        "stop_timeout" | "timeout" => pick(&[
            "\"500ms\"",
            "\"30s\"",
            "\"2m\"",
            "\"1h\"",
            "10",
            "\"10\"",
            "\"5x\"",
            "\"99999999999999999999h\"",
            "-1",
        ]),
        _ => toml_value(VOCAB),
    }
}

/// `key = value` lines for keys of `keys` (and now and then a near miss).
fn lines(keys: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let key = prop_oneof![9 => select(keys), 1 => select(&["versoin", "srouce", "Port", "x"][..])];
    let line = key.prop_flat_map(|k| value_for(k).prop_map(move |v| (k, format!("{k} = {v}\n"))));
    proptest::collection::vec(line, 0..max).prop_map(unique)
}

/// The items, each name once: a duplicate is a TOML error that would hide the checks behind it.
fn unique(items: Vec<(&str, String)>) -> String {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().filter(|(name, _)| seen.insert(*name)).map(|(_, text)| text).collect()
}

/// Mostly a good name, now and then a bad one.
fn name(good: &'static [&'static str], bad: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop_oneof![8 => select(good), 1 => select(bad)]
}

/// A den.toml shaped like the schema (spec §2, §7): every section, every key, with values
/// that are mostly right, so that cases reach each field's own checks. The keys are the
/// parser's own lists, so a key added there is fuzzed too.
fn schema_doc() -> impl Strategy<Value = String> {
    let tool = (
        name(&["node", "go", "jq", "my-tool"], &["a.b", "\".x\"", "\"a b\""]),
        prop_oneof![
            value_for("version"),
            lines(MANIFEST_TOOL_KEYS, 4).prop_map(|l| format!("{{ {} }}", l.trim_end().replace('\n', ", "))),
        ],
    )
        .prop_map(|(name, v)| (name, format!("{name} = {v}\n")));
    let var = (
        name(&["A", "PATH", "PORT", "_X", "dotenv"], &["1A", "a-b"]),
        prop_oneof![
            select(
                &[
                    "\"v\"",
                    "\"${A}\"",
                    "\"${A:-x}\"",
                    "\"${\"",
                    "3000",
                    "true",
                    "1.5",
                    "1979-05-27",
                    "[\"a\"]"
                ][..]
            )
            .prop_map(str::to_string),
            lines(ACTIONS, 3).prop_map(|l| format!("{{ {} }}", l.trim_end().replace('\n', ", "))),
            value_for("dotenv"),
        ],
    )
        .prop_map(|(name, v)| (name, format!("{name} = {v}\n")));
    let tools = proptest::collection::vec(tool, 1..4).prop_map(|t| format!("[tools]\n{}", unique(t)));
    let env = proptest::collection::vec(var, 1..4).prop_map(|v| format!("[env]\n{}", unique(v)));
    let service = (name(&["db", "cache", "web"], &["\"a b\""]), lines(SERVICE_KEYS, 6))
        .prop_map(|(name, l)| (name, format!("[services.{name}]\n{l}")));
    let services = proptest::collection::vec(service, 1..3).prop_map(unique);
    let enter = lines(&["services"], 2).prop_map(|l| format!("[enter]\n{l}"));
    let ide = lines(&["editor"], 2).prop_map(|l| format!("[ide]\n{l}"));
    let sections = (tools, env, services, enter, ide);
    (sections, any::<[bool; 5]>()).prop_map(|((t, e, s, n, i), on)| {
        [t, e, s, n, i].into_iter().zip(on).filter(|(_, on)| *on).map(|(text, _)| text + "\n").collect()
    })
}

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
    #![proptest_config(config(500))]

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

    #[test]
    fn schema_shaped_files_never_panic(text in prop_oneof![schema_doc(), mutate(schema_doc(), TOML_TOKENS)]) {
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
    assert!(e.snippet.contains("# \\e[2J\\e]0;owned\\x07"), "{}", e.snippet);
    // The caret stays under the span once what precedes it is escaped.
    let text = "a = \"\x1b\"\n";
    let e = manifest(file, text).unwrap_err();
    assert_located(&e, file, text);
    let lines: Vec<&str> = e.snippet.lines().collect();
    let caret = lines[2].find('^').unwrap();
    assert_eq!(&lines[1][caret..caret + 2], "\\e", "{}", e.snippet);
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

/// Found: an error on a 100,000-character line printed the whole line in its snippet.
/// Now a window around the span, cut with `…`, the caret still under the span.
#[test]
fn snippet_of_a_long_line_is_a_window() {
    let file = Path::new("den.toml");
    let text = format!("[env]\nA = \"{}\" B\n", "x".repeat(100_000));
    let e = manifest(file, &text).unwrap_err();
    assert_located(&e, file, &text);
    let lines: Vec<&str> = e.snippet.lines().collect();
    assert!(lines[1].chars().count() < 140 && lines[1].contains('…'), "{}", e.snippet);
    let caret = lines[2].chars().position(|c| c == '^').unwrap();
    assert_eq!(lines[1].chars().nth(caret), Some('B'), "{}", e.snippet);
    // A short line is shown whole.
    let e = manifest(file, "[env]\nA = \"x\" B\n").unwrap_err();
    assert_eq!(e.snippet, "  |\n2 | A = \"x\" B\n  |         ^");
}
