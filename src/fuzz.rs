//! Test-only support for the parser fuzz targets: the `fuzz_tests` modules next to every
//! parser den applies to a repository's files (den.toml, dotenv, den.lock, the foreign
//! version files, `${}` templates, version specs). Holds one proptest configuration and
//! generators of near-valid text built from the tokens of TOML and dotenv, so that random
//! cases get past the lexer into den's own checks instead of dying at the first byte.
//!
//! Bounded time: each property runs a fixed number of cases (the `cases` given to
//! [`config`]), sized so that all fuzz properties together take well under 20 s in a debug
//! build on 2 cores (`cargo test --bin den fuzz`). For a longer local run set
//! `PROPTEST_CASES` (e.g. `PROPTEST_CASES=20000 cargo test --bin den fuzz`), which replaces
//! every property's count; `PROPTEST_RNG_SEED=<n>` repeats a run.
//!
//! Decision: failures are never persisted (no `proptest-regressions/` files appear in the
//! work tree of a developer or of CI). Every input a property found is kept instead as a
//! plain `#[test]` with the literal input, next to the property that found it, so it is
//! read, reviewed and run like any other test. A developer's run starts from a fresh random
//! seed, so local runs keep exploring and a failure prints the shrunk input to turn into
//! such a test; CI pins `PROPTEST_RNG_SEED` (`.ci/run`) so that a submission is judged on
//! the same inputs every time.
//!
//! Never used outside tests; never touches the network.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config;

use crate::diag::Diagnostic;

/// The proptest configuration of a fuzz property: `cases` cases unless `PROPTEST_CASES`
/// says otherwise, and no failure persistence.
pub fn config(cases: u32) -> Config {
    let from_env = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok());
    Config { cases: from_env.unwrap_or(cases), failure_persistence: None, ..Config::default() }
}

/// Asserts that a diagnostic points into `source`: the file it was given, a line of the
/// text (or the one just past a final newline), a column within that line, and a snippet
/// that shows that line's number.
pub fn assert_located(d: &Diagnostic, file: &Path, source: &str) {
    assert_eq!(d.file, file, "{d}");
    let lines: Vec<&str> = source.split('\n').collect();
    assert!(d.line >= 1 && d.line <= lines.len(), "line {} of {} lines: {d}", d.line, lines.len());
    let width = lines[d.line - 1].chars().count();
    assert!(d.col >= 1 && d.col <= width + 1, "col {} past a line of {width} chars: {d}", d.col);
    assert!(d.snippet.contains(&format!("{} | ", d.line)), "snippet without its line: {d}");
    let control = |c: char| c.is_control() && c != '\t';
    assert!(!d.message.is_empty() && !d.message.contains(control), "message not one line: {d:?}");
    let raw = d.snippet.contains(|c: char| c.is_control() && c != '\n' && c != '\t');
    assert!(!raw, "control character shown raw: {d:?}");
}

/// Text made of `tokens`, with a few arbitrary characters mixed in.
pub fn soup(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> + Clone {
    let piece = prop_oneof![
        8 => select(tokens).prop_map(str::to_string),
        1 => any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|p| p.concat())
}

/// `text` after a few edits: a span of characters deleted, or a token inserted, at
/// arbitrary character positions. Turns valid text into the near-valid text parsers
/// meet when a file is half edited.
pub fn mutate(
    text: impl Strategy<Value = String>,
    tokens: &'static [&'static str],
) -> impl Strategy<Value = String> {
    let edit = (any::<Index>(), 0..6usize, proptest::option::of(select(tokens)));
    (text, proptest::collection::vec(edit, 0..4)).prop_map(|(text, edits)| {
        let mut chars: Vec<char> = text.chars().collect();
        for (at, len, insert) in edits {
            let at = at.index(chars.len() + 1);
            match insert {
                Some(token) => drop(chars.splice(at..at, token.chars())),
                None => drop(chars.drain(at..(at + len).min(chars.len()))),
            }
        }
        chars.into_iter().collect()
    })
}

/// The tokens of TOML, with the spellings its lexer treats specially.
pub const TOML_TOKENS: &[&str] = &[
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "\"",
    "'",
    "\"\"\"",
    "'''",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "#",
    "# c\n",
    "\\",
    "\\n",
    "\\u00e9",
    "\\U0001F600",
    "\\uD800",
    "\\U00110000",
    "\\x",
    "a",
    "x.y",
    "0",
    "-1",
    "+1",
    "0x1F",
    "0o7",
    "0b1",
    "1_000",
    "99999999999999999999",
    "1.5",
    "1e400",
    "-inf",
    "nan",
    "true",
    "false",
    "1979-05-27",
    "07:32:00",
    "1979-05-27T07:32:00Z",
    "\u{0}",
    "\u{7f}",
    "é",
    "✓",
    "\u{feff}",
];

/// A key: one of `vocab`, a bare key, a quoted key, or a dotted pair.
pub fn toml_key(vocab: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => select(vocab).prop_map(bare_or_quoted),
        1 => "[A-Za-z0-9_-]{1,8}",
        1 => "[^\"\\\\\n]{0,6}".prop_map(|k| format!("\"{k}\"")),
        1 => (select(vocab), select(vocab)).prop_map(|(a, b)| format!("{}.{}", bare_or_quoted(a), bare_or_quoted(b))),
    ]
}

/// `key` as a TOML key: bare when it can be, else quoted.
fn bare_or_quoted(key: &str) -> String {
    let bare = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { key.to_string() } else { format!("\"{}\"", key.replace(['"', '\\'], "")) }
}

/// Contents of a string: den's vocabulary, `${}` references, escapes (valid and not).
fn string_body(vocab: &'static [&'static str]) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => select(vocab).prop_map(str::to_string),
        2 => "[ -~]{0,6}".prop_map(|s| s.replace(['"', '\\'], "")),
        1 => select(&["${A}", "${A:-x}", "$$", "$", "${", "}", ":-", " ", "/", "../", "~/", "{os}", "{arch}", "{version}"][..]).prop_map(str::to_string),
        1 => select(&["\\n", "\\t", "\\\\", "\\\"", "\\u00e9", "\\uD800", "\\q", "\u{0}", "é", "\u{202e}"][..]).prop_map(str::to_string),
    ];
    proptest::collection::vec(piece, 0..5).prop_map(|p| p.concat())
}

/// A TOML value, nested up to a few levels: strings of `vocab`, numbers, booleans,
/// dates, arrays and inline tables.
pub fn toml_value(vocab: &'static [&'static str]) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        6 => string_body(vocab).prop_map(|s| format!("\"{s}\"")),
        2 => select(vocab).prop_map(|s| format!("'{s}'")),
        1 => string_body(vocab).prop_map(|s| format!("\"\"\"\n{s}\"\"\"")),
        2 => select(&["0", "3000", "-1", "0x1F", "1_000", "99999999999999999999", "1.5", "inf", "true", "false", "1979-05-27"][..]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(4, 24, 5, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec((toml_key(vocab), inner), 0..4).prop_map(|kv| {
                let items: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", items.join(", "))
            }),
        ]
    })
    .boxed()
}

/// A TOML document: key/value lines under `[table]` and `[[array]]` headers whose paths
/// come from `headers` (dotted spellings such as `services.db.ready` welcome).
pub fn toml_doc(
    headers: &'static [&'static str],
    vocab: &'static [&'static str],
) -> impl Strategy<Value = String> {
    let header = prop_oneof![
        8 => select(headers).prop_map(|h| format!("[{h}]\n")),
        1 => select(headers).prop_map(|h| format!("[[{h}]]\n")),
        1 => Just(String::new()),
    ];
    let line = (toml_key(vocab), toml_value(vocab), select(&["", " # c", "\r"][..]))
        .prop_map(|(k, v, end)| format!("{k} = {v}{end}\n"));
    let section = (header, proptest::collection::vec(line, 0..5)).prop_map(|(h, l)| h + &l.concat());
    proptest::collection::vec(section, 0..5).prop_map(|s| s.concat())
}

/// The pieces real version strings, tags and specs are made of.
pub const VERSION_TOKENS: &[&str] = &[
    "0",
    "1",
    "2",
    "10",
    "22",
    "007",
    "99999999999999999999",
    ".",
    ".",
    ".",
    "-",
    "+",
    "_",
    "v",
    "V",
    "go",
    "jq-",
    "@a/b@",
    "rc",
    "beta",
    "alpha",
    "pre",
    "dev",
    "b",
    "2025-08-25",
    "x",
    "*",
    " ",
    "é",
    "\u{0}",
];

/// Version-shaped text: tags, pre-releases, builds, and a little noise.
pub fn version_text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        3 => soup(VERSION_TOKENS, 10),
        2 => "(v|go|jq-)?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}([-.]?(rc|beta|alpha)[.]?[0-9]{0,2})?(\\+[0-9a-z]{1,4})?",
        1 => any::<String>(),
    ]
}
