//! Reading each foreign file, and merging them (the rules one by one are tested through
//! the real binary in `tests/it/imports.rs`).

use super::*;

fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    tmp
}

/// `(tool, version, file name, line)` for each tool, in order.
fn tools(f: &Foreign) -> Vec<(String, String, String, usize)> {
    f.manifest
        .tools
        .values()
        .map(|t| (t.name.clone(), t.version.clone(), file_name(&t.at.file), t.at.line))
        .collect()
}

fn row(t: &str, v: &str, f: &str, l: usize) -> (String, String, String, usize) {
    (t.into(), v.into(), f.into(), l)
}

fn notes(f: &Foreign) -> Vec<String> {
    f.notes().map(|n| format!("{}:{}: {}", file_name(&n.file), n.line, n.text)).collect()
}

#[test]
fn earlier_files_win_and_the_later_one_is_told() {
    let d = dir(&[
        ("mise.toml", "[tools]\nnode = \"18\"\nruff = \"0.6\"\n"),
        (".python-version", "3.11\n"),
        (".nvmrc", "20\n"),
        (".tool-versions", "nodejs 18\npython 3.11\n"),
    ]);
    let f = read(d.path()).unwrap();
    assert_eq!(
        tools(&f),
        [
            row("node", "18", "mise.toml", 2),
            row("ruff", "0.6", "mise.toml", 3),
            row("python", "3.11", ".tool-versions", 2)
        ]
    );
    assert_eq!(
        notes(&f),
        [".nvmrc:1: node `20` is not used: mise.toml:2 asks for `18`, and mise.toml comes first \
          (den reads mise.toml, .mise.toml, .tool-versions, then the one-tool files)"]
    );
    let names: Vec<_> = f.files.iter().map(|f| file_name(&f.path)).collect();
    assert_eq!(names, ["mise.toml", ".tool-versions", ".nvmrc", ".python-version"]);
}

#[test]
fn without_trust_only_catalog_tools_apply() {
    let d = dir(&[("mise.toml", "[tools]\nnode = \"22\"\n\"npm:prettier\" = \"3\"\n[env]\nA = \"1\"\n")]);
    let f = read(d.path()).unwrap();
    assert_eq!(f.manifest.tools.len(), 2);
    assert_eq!(f.manifest.env.len(), 1);
    let (manifest, notes) = f.untrusted();
    assert_eq!(manifest.tools.keys().collect::<Vec<_>>(), ["node"]);
    assert!(manifest.env.is_empty());
    let notes: Vec<String> = notes.iter().map(|n| n.text.clone()).collect();
    assert_eq!(
        notes,
        [
            "prettier from `npm:prettier` is not used without a den.toml: a source the repository chooses needs \
             your trust (`den init` imports it for you to review)",
            "[env] (A) is not applied without a den.toml: variables the repository sets need your trust \
             (`den init` imports them for you to review)"
        ]
    );
}

#[test]
fn no_foreign_files() {
    let d = dir(&[("README", "")]);
    assert!(read(d.path()).is_none());
    assert!(!present(d.path()));
}
