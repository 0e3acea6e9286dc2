//! Fuzz target of the foreign version files (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): `.tool-versions`, `.nvmrc`, `.node-version`, `.python-version`,
//! `.go-version` and `mise.toml` never panic on arbitrary or near-valid text or bytes
//! (byte-order marks, UTF-16); what they accept is a catalog tool (or a plain name with a
//! source) with a version den's spec parser reads, on a line of the file, and every note is
//! one printable line pointing into the file. One property goes through [`read`] with real
//! files.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;

use super::{File, asdf, mise, read, single, text};
use crate::fuzz::{TOML_TOKENS, config, mutate, soup, toml_doc};
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
    "lts/hydrogen",
    "lts-iron",
    ">=18.16",
    "^18",
    "18 || 22",
    "pypy3.10-7.3",
    "myenv",
    "\"22\"",
    "node=20",
    "github-cli",
    "terraform-docs",
    "golangci-lint",
];

/// `.tool-versions`-shaped lines: a name, versions, maybe a comment.
fn tool_versions_text() -> impl Strategy<Value = String> {
    let line = (select(WORDS), proptest::collection::vec(select(WORDS), 0..3), select(&["", " # c"][..]))
        .prop_map(|(n, v, c)| format!("{n} {}{c}\n", v.join(" ")));
    mutate(proptest::collection::vec(line, 0..6).prop_map(|l| l.concat()), WORDS)
}

const MISE_HEADERS: &[&str] = &[
    "tools",
    "env",
    "settings",
    "tools.node",
    "tasks.x",
    "alias",
    "alias.node.versions",
    "env._",
    "tool_alias",
];
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
    "github:a/b",
    "github:.a/b",
    "npm:@s/p",
    "npm:..",
    "ubi:a/b[exe=x]",
    "aqua:a/b/c",
    "pipx:black",
    "core:node",
    "disable_tools",
    "{{ env.HOME }}",
    "_.path",
    "false",
    "$HOME",
    "dotenv",
    "0x10",
    "1e3",
    "",
];

const BOMS: &[&[u8]] = &[b"", b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];

/// Checks what one file gave: catalog tools or sourced plain names, versions den's spec
/// parser reads, lines of the file, printable one-line notes.
fn check_file(text: &str, file: &File) {
    let lines = text.split('\n').count().max(1);
    for t in &file.tools {
        assert!(is_plain_name(&t.name), "{t:?} from {text:?}");
        assert!(t.source.is_some() || crate::catalog::known(&t.name), "{t:?} from {text:?}");
        assert!(crate::version::VersionSpec::parse(&t.version).is_ok(), "{t:?} from {text:?}");
        assert!(!t.version.contains(char::is_control), "{t:?} from {text:?}");
        assert!(t.at.line >= 1 && t.at.line <= lines, "{t:?} of {lines}: {text:?}");
        // What `den init` writes of it is a den.toml den reads.
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let source = t.source.as_deref().map_or(String::new(), |s| format!(", source = {}", quote(s)));
        let den_toml =
            format!("[tools]\n{} = {{ version = {}{source} }}\n", quote(&t.name), quote(&t.version));
        let parsed = crate::project::parse::manifest(Path::new("den.toml"), &den_toml);
        assert!(parsed.is_ok(), "{den_toml}: {parsed:?}");
    }
    for e in &file.env {
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        let value = match &e.value {
            crate::project::EnvValue::Set(v) => quote(v),
            _ => "{ unset = true }".to_string(),
        };
        let den_toml = format!("[env]\n{} = {value}\n", e.name);
        let parsed = crate::project::parse::manifest(Path::new("den.toml"), &den_toml);
        assert!(parsed.is_ok(), "{den_toml}: {parsed:?}");
    }
    for note in &file.notes {
        assert!(note.line <= lines, "{note:?} of {lines}: {text:?}");
        assert!(!note.text.contains(|c: char| c.is_control() && c != '\t'), "{note:?}");
    }
    if file.rejected {
        assert!(file.tools.is_empty() && file.env.is_empty(), "{file:?}");
    }
}

fn fresh(name: &str) -> File {
    File::new(Path::new(name))
}

fn check_single(text: &str) {
    for (name, parse) in [
        (".nvmrc", single::node as fn(&str, &mut File)),
        (".python-version", single::python),
        (".go-version", single::go),
    ] {
        let mut file = fresh(name);
        parse(text, &mut file);
        check_file(text, &file);
        assert!(file.tools.len() + usize::from(file.rejected) == 1, "{file:?} from {text:?}");
    }
}

fn check_mise(text: &str) {
    let mut file = fresh("mise.toml");
    mise::read(text, &mut file);
    check_file(text, &file);
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn tool_versions_never_panics(text in prop_oneof![any::<String>(), tool_versions_text()]) {
        let mut file = fresh(".tool-versions");
        asdf::read(&text, &mut file);
        check_file(&text, &file);
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

    /// Any bytes, with or without a byte-order mark: text or a reason, never a panic.
    #[test]
    fn decoding_never_panics(
        bom in select(BOMS),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let bytes = [bom, &body[..]].concat();
        if let Ok(text) = text::decode(&bytes) {
            check_single(&text);
        }
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
        let found = read(dir.path()).expect("files were written");
        prop_assert_eq!(found.files.len(), 5);
        for t in found.manifest.tools.values() {
            prop_assert!(is_plain_name(&t.name) && !t.version.is_empty(), "{:?}", t);
            prop_assert!(found.files.iter().any(|f| f.path == t.at.file), "{:?}", t);
        }
        let (manifest, _) = found.untrusted();
        prop_assert!(manifest.env.is_empty() && manifest.tools.values().all(|t| t.source.is_none()));
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
    let mut file = fresh("mise.toml");
    mise::read("[tools]\nversion = [\"\"]\nnode = \" \"\ngo = { version = \"\" }\n", &mut file);
    assert!(file.tools.is_empty());
    let notes: Vec<String> = file.notes.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notes,
        [
            "mise.toml:2: version not imported: den has no built-in definition of it (declare it in den.toml with a `source` or `url`)",
            "mise.toml:3: node not imported: its version is empty",
            "mise.toml:4: go not imported: its version is empty"
        ]
    );
}

/// Found: the notes on skipped entries quoted the file raw, escape sequences included, and
/// a version holding an escape sequence was imported.
#[test]
fn notes_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".go-version"), "ref:\x1b[2J").unwrap();
    std::fs::write(dir.path().join(".tool-versions"), "ruby\x07\nnodejs 22\x1b[2J\n").unwrap();
    std::fs::write(dir.path().join(".python-version"), "3.12\x1b]0;x\x07").unwrap();
    let found = read(dir.path()).unwrap();
    assert!(found.manifest.tools.is_empty());
    let notes: Vec<String> = found.notes().map(|n| n.text.clone()).collect();
    assert_eq!(
        notes,
        [
            "ruby\\x07 not imported: den has no built-in definition of it (declare it in den.toml with a `source` or `url`)",
            "node not imported: its version `22\\e[2J` holds control characters",
            "not read: its version `3.12\\e]0;x\\x07` holds control characters; it holds a version of python, such as `3.12`",
            "not read: its version `ref:\\e[2J` holds control characters; it holds one version of go, such as `1.23`",
        ]
    );
}

/// Found in review: a repository or package name den.toml refuses (`.a`, `..`) was
/// imported as a source, so `den init` wrote a den.toml den could not read.
#[test]
fn sources_are_only_those_den_toml_accepts() {
    let text = "[tools]\n\"github:.a/b\" = \"1\"\n\"npm:@.s/p\" = \"1\"\n\"pipx:..\" = \"1\"\n\"aqua:o/-r\" = \"1\"\n";
    let mut file = fresh("mise.toml");
    mise::read(text, &mut file);
    check_file(text, &file);
    assert!(file.tools.is_empty(), "{:?}", file.tools);
    assert_eq!(file.notes.len(), 4, "{:?}", file.notes);
}
