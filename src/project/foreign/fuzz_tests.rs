//! Fuzz target of the foreign version files (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): `.tool-versions`, `.nvmrc`, `.node-version`, `.python-version`,
//! `.go-version` and `mise.toml` never panic on arbitrary or near-valid text; what they
//! accept is a plain tool name with a usable version on a line of the file, and a mise.toml
//! syntax error points into the file. One property goes through [`read`] with real files.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;

use super::{Entry, go_version, mise, node_version, python_version, read, single, tool_versions};
use crate::fuzz::{TOML_TOKENS, assert_located, config, mutate, soup, toml_doc};
use crate::project::parse::walk::is_plain_name;

const WORDS: &[&str] = &[
    "node",
    "nodejs",
    "golang",
    "python",
    "go",
    "ruby",
    "1.2.3",
    "v22.1.0",
    "go1.22.1",
    "lts/*",
    "lts/iron",
    "stable",
    "iojs",
    "system",
    "ref:abc",
    "path:/x",
    "prefix:1",
    "3.12",
    "latest",
    "a/b",
    "-x",
    ".hidden",
    "npm:prettier",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "#",
    "# c",
    "é",
    "\u{0}",
    "\u{feff}",
];

/// `.tool-versions`-shaped lines: a name, versions, maybe a comment.
fn tool_versions_text() -> impl Strategy<Value = String> {
    let line = (select(WORDS), proptest::collection::vec(select(WORDS), 0..3), select(&["", " # c"][..]))
        .prop_map(|(n, v, c)| format!("{n} {}{c}\n", v.join(" ")));
    mutate(proptest::collection::vec(line, 0..6).prop_map(|l| l.concat()), WORDS)
}

const MISE_HEADERS: &[&str] = &["tools", "env", "settings", "tools.node", "tasks.x"];
const MISE_VOCAB: &[&str] = &[
    "node",
    "nodejs",
    "python",
    "npm:prettier",
    "cargo:ripgrep",
    "\"npm:x\"",
    "version",
    "22",
    "3.12",
    "system",
    "ref:x",
    "lts",
    "latest",
    "a b",
    "postinstall",
    "",
];

/// Checks the entries of one file: plain names, usable versions, lines of the file.
fn check_entries(text: &str, entries: &[Entry]) {
    let lines = text.split('\n').count();
    for (name, version, line) in entries {
        assert!(is_plain_name(name), "{name:?} from {text:?}");
        assert!(!version.is_empty() && version != "system", "{version:?} from {text:?}");
        assert!(!version.contains(char::is_control), "{version:?} from {text:?}");
        assert!(*line >= 1 && *line <= lines, "line {line} of {lines}: {text:?}");
    }
}

fn check_single(text: &str) {
    let converters =
        [("node", node_version as fn(&str) -> Option<&str>), ("python", python_version), ("go", go_version)];
    for (tool, convert) in converters {
        let mut skipped = Vec::new();
        let entries = single(Path::new(".nvmrc"), text, tool, convert, &mut skipped);
        check_entries(text, &entries);
        assert!(entries.len() + skipped.len() == 1, "{entries:?} {skipped:?} from {text:?}");
    }
}

fn check_mise(text: &str) {
    let file = Path::new("mise.toml");
    match mise(file, text, &mut Vec::new()) {
        Ok(entries) => check_entries(text, &entries),
        Err(d) => assert_located(&d, file, text),
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn tool_versions_never_panics(text in prop_oneof![any::<String>(), tool_versions_text()]) {
        let entries = tool_versions(Path::new(".tool-versions"), &text, &mut Vec::new());
        check_entries(&text, &entries);
    }

    #[test]
    fn single_version_files_never_panic(text in prop_oneof![any::<String>(), soup(WORDS, 8)]) {
        check_single(&text);
    }

    #[test]
    fn mise_toml_never_panics(
        text in prop_oneof![
            any::<String>(),
            soup(TOML_TOKENS, 30),
            mutate(toml_doc(MISE_HEADERS, MISE_VOCAB), TOML_TOKENS),
        ]
    ) {
        check_mise(&text);
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Every file at once, through the reader den uses (real files in a temporary directory).
    #[test]
    fn all_files_read_together(
        tool_versions in tool_versions_text(),
        single in soup(WORDS, 6),
        mise in mutate(toml_doc(MISE_HEADERS, MISE_VOCAB), TOML_TOKENS),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [(".tool-versions", &tool_versions), (".nvmrc", &single), (".go-version", &single), (".python-version", &single), ("mise.toml", &mise)] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        match read(dir.path()) {
            Ok(found) => {
                let found = found.expect("files were written");
                for t in found.manifest.tools.values() {
                    prop_assert!(is_plain_name(&t.name) && !t.version.is_empty(), "{:?}", t);
                    prop_assert!(found.files.contains(&t.at.file), "{:?}", t);
                }
                for note in &found.skipped {
                    prop_assert!(!note.contains(|c: char| c.is_control() && c != '\t'), "{:?}", note);
                }
            }
            Err(crate::project::Error::Invalid(d)) => assert_located(&d, &dir.path().join("mise.toml"), &mise),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
}

/// Deep nesting in mise.toml: an error or a value, never a stack overflow.
#[test]
fn deep_mise_toml_does_not_overflow_the_stack() {
    for n in [10_000, 100_000] {
        check_mise(&"[".repeat(n));
        check_mise(&format!("[tools]\nnode = {}", "[".repeat(n)));
        check_mise(&format!("[tools]\nnode = {}\"22\"{}", "{version = ".repeat(n), "}".repeat(n)));
    }
}

/// Found: an empty version in mise.toml (`node = ""`, `version = [""]`) was imported as a
/// tool with an empty version instead of being skipped with a note.
#[test]
fn empty_versions_are_skipped_with_a_note() {
    let mut skipped = Vec::new();
    let text = "[tools]\nversion = [\"\"]\nnode = \" \"\ngo = { version = \"\" }\n";
    let entries = mise(Path::new("mise.toml"), text, &mut skipped).unwrap();
    assert_eq!(entries, []);
    assert_eq!(
        skipped,
        [
            "`version` in mise.toml: its version is empty",
            "`node` in mise.toml: its version is empty",
            "`go` in mise.toml: its version is empty"
        ]
    );
}

/// Found: the notes on skipped entries quoted the file raw, escape sequences included, and
/// a version holding an escape sequence was imported.
#[test]
fn skipped_notes_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".go-version"), "ref:\x1b[2J").unwrap();
    std::fs::write(dir.path().join(".tool-versions"), "ruby\x07\nnode 22\x1b[2J\n").unwrap();
    std::fs::write(dir.path().join(".python-version"), "3.12\x1b]0;x\x07").unwrap();
    let found = read(dir.path()).unwrap().unwrap();
    assert_eq!(
        found.skipped,
        [
            "`ruby\\x07` in .tool-versions (line 1) is not a tool name den accepts",
            "`node` in .tool-versions (line 2): its version holds control characters",
            "`3.12\\e]0;x\\x07` in .python-version: its version holds control characters",
            "`ref:\\e[2J` in .go-version: its version holds control characters"
        ]
    );
}
