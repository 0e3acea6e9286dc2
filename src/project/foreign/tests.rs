//! Reading each foreign file, and merging them.

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

#[test]
fn tool_versions_with_comments_fallbacks_and_asdf_names() {
    let d = dir(&[(
        ".tool-versions",
        "# asdf\nnodejs 22.1.0 20.0.0\n\ngolang 1.22.1 # pinned\npython system\nruby\nrust ref:abc\nterraform 1.9\n",
    )]);
    let f = read(d.path()).unwrap().unwrap();
    assert_eq!(
        tools(&f),
        [
            row("node", "22.1.0", ".tool-versions", 2),
            row("go", "1.22.1", ".tool-versions", 4),
            row("terraform", "1.9", ".tool-versions", 8)
        ]
    );
    assert_eq!(
        f.skipped,
        [
            "`python` in .tool-versions (line 5): den does not use the system's own installation",
            "`ruby` in .tool-versions (line 6) has no version",
            "`rust` in .tool-versions (line 7): den installs released versions only",
        ]
    );
    assert_eq!(f.files, [d.path().join(".tool-versions")]);
}

#[test]
fn nvmrc_spellings() {
    for (text, want) in [
        ("v22.1.0\n", "22.1.0"),
        ("22\n", "22"),
        ("lts/*\n", "lts"),
        ("lts/iron\n", "lts"),
        ("node\n", "latest"),
        ("stable", "latest"),
        ("\n# comment\n  20.11  \n", "20.11"),
    ] {
        let d = dir(&[(".nvmrc", text)]);
        let f = read(d.path()).unwrap().unwrap();
        assert_eq!(f.manifest.tools["node"].version, want, "for {text:?}");
    }
    let d = dir(&[(".nvmrc", "iojs\n")]);
    let f = read(d.path()).unwrap().unwrap();
    assert!(f.manifest.tools.is_empty());
    assert_eq!(f.skipped, ["`iojs` in .nvmrc is not a version den understands"]);
    let d = dir(&[(".node-version", "")]);
    assert_eq!(read(d.path()).unwrap().unwrap().skipped, [".node-version is empty"]);
}

#[test]
fn python_and_go_versions() {
    let d = dir(&[(".python-version", "3.12.1\n3.11\n"), (".go-version", "go1.22.3\n")]);
    let f = read(d.path()).unwrap().unwrap();
    assert_eq!(
        tools(&f),
        [row("python", "3.12.1", ".python-version", 1), row("go", "1.22.3", ".go-version", 1)]
    );
    let d = dir(&[(".go-version", "v1.21\n"), (".python-version", "system\n")]);
    let f = read(d.path()).unwrap().unwrap();
    assert_eq!(tools(&f), [row("go", "1.21", ".go-version", 1)]);
    assert_eq!(f.skipped, ["`system` in .python-version: den does not use the system's own installation"]);
}

#[test]
fn mise_tools_in_every_form() {
    let d = dir(&[(
        "mise.toml",
        "[env]\nX = \"1\"\n\n[tools]\nnode = \"22\"\npython = [\"3.12\", \"3.11\"]\ngo = { version = \"1.23\", os = [\"linux\"] }\n\
         \"npm:prettier\" = \"3\"\nruby = 3\n",
    )]);
    let f = read(d.path()).unwrap().unwrap();
    assert_eq!(
        tools(&f),
        [
            row("node", "22", "mise.toml", 5),
            row("python", "3.12", "mise.toml", 6),
            row("go", "1.23", "mise.toml", 7)
        ]
    );
    assert_eq!(
        f.skipped,
        [
            "`npm:prettier` in mise.toml: backend-prefixed tools are not imported; declare it in den.toml with a `source`",
            "`ruby` in mise.toml has no version den understands",
        ]
    );
}

#[test]
fn mise_syntax_error_is_located() {
    let d = dir(&[(".mise.toml", "[tools\nnode = \"22\"\n")]);
    let Err(Error::Invalid(e)) = read(d.path()) else { panic!("expected an error") };
    assert_eq!((e.file.clone(), e.line), (d.path().join(".mise.toml"), 1));
    assert!(e.message.starts_with("invalid TOML: "), "{}", e.message);
}

#[test]
fn earlier_files_win_when_merging() {
    let d = dir(&[
        ("mise.toml", "[tools]\nnode = \"18\"\nruff = \"0.6\"\n"),
        (".python-version", "3.11\n"),
        (".nvmrc", "20\n"),
        (".tool-versions", "nodejs 22.1.0\n"),
    ]);
    let f = read(d.path()).unwrap().unwrap();
    assert_eq!(
        tools(&f),
        [
            row("node", "22.1.0", ".tool-versions", 1),
            row("python", "3.11", ".python-version", 1),
            row("ruff", "0.6", "mise.toml", 3),
        ]
    );
    let names: Vec<_> = f.files.iter().map(|p| file_name(p)).collect();
    assert_eq!(names, [".tool-versions", ".nvmrc", ".python-version", "mise.toml"]);
}

#[test]
fn no_foreign_files() {
    let d = dir(&[("README", "")]);
    assert!(read(d.path()).unwrap().is_none());
    assert!(!present(d.path()));
}
