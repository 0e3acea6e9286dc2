//! XDG desktop entries (Desktop Entry Specification 1.4) that start an editor inside a
//! project's environment from a menu or dock: `Exec` runs `den ide <editor> <root>` with
//! den's absolute path. Each argument of `Exec` is double-quoted and escaped as the spec's
//! "The Exec key" says (quoting rule, then the string-value escape, `%` doubled), so any
//! path survives; a path with a line break cannot be written and is refused.

use std::path::{Path, PathBuf};

use super::Error;

/// One `Exec` argument: quoted per the spec, then escaped as a string value.
fn exec_arg(arg: &str) -> String {
    let mut quoted = String::from("\"");
    for c in arg.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    // The string-value escape comes on top: every backslash doubled.
    quoted.replace('\\', r"\\")
}

/// `text` as a string value (no line breaks may appear raw).
fn string_value(text: &str) -> String {
    text.replace('\\', r"\\").replace('\n', r"\n").replace('\t', r"\t").replace('\r', r"\r")
}

/// `[A-Za-z0-9_-]` only, as desktop file ids want.
fn id_part(text: &str) -> String {
    crate::paths::name_part(text)
}

/// The entry's file name for `project` (its directory's name) and `editor`.
pub fn file_name(root: &Path, editor: &str) -> String {
    let project = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "root".into());
    format!("den-{}-{}.desktop", id_part(&project), id_part(editor))
}

/// The entry's text.
pub fn entry(den: &Path, root: &Path, editor: &str, icon: Option<&str>) -> Result<String, Error> {
    let bad = |p: &Path| p.to_string_lossy().contains(['\n', '\r']);
    for path in [den, root] {
        if bad(path) {
            return Err(Error::Unrepresentable { path: path.to_path_buf() });
        }
    }
    let project = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".into());
    let exec = [den.to_string_lossy().as_ref(), "ide", editor, root.to_string_lossy().as_ref()]
        .map(exec_arg)
        .join(" ");
    let mut text = format!(
        "[Desktop Entry]\nType=Application\nVersion=1.4\nName={}\nComment={}\nExec={exec}\nTerminal=false\nCategories=Development;IDE;\n",
        string_value(&format!("{editor} — {project}")),
        string_value(&format!("{editor} in the den environment of {}", root.display())),
    );
    if let Some(icon) = icon {
        text.push_str(&format!("Icon={}\n", string_value(icon)));
    }
    Ok(text)
}

/// `$XDG_DATA_HOME/applications` (else `~/.local/share/applications`).
pub fn applications_dir() -> Result<PathBuf, Error> {
    directories::BaseDirs::new().map(|d| d.data_dir().join("applications")).ok_or(Error::NoHome)
}

/// Writes the entry to `dir` and returns its path.
#[allow(clippy::disallowed_methods, reason = "the user's XDG applications directory, not a project's")]
pub fn write(dir: &Path, root: &Path, editor: &str, text: &str) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    let path = dir.join(file_name(root, editor));
    std::fs::write(&path, text).map_err(|source| Error::Write { path: path.clone(), source })?;
    Ok(path)
}

/// Deletes the entry of `root` and `editor` from `dir`; whether there was one.
pub fn remove(dir: &Path, root: &Path, editor: &str) -> Result<Option<PathBuf>, Error> {
    let path = dir.join(file_name(root, editor));
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(Some(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Write { path, source }),
    }
}

/// den's entries in `dir` (`den-*.desktop` whose `Exec` runs `den ide`), with their `Exec`.
pub fn list(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(PathBuf, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("den-") && n.ends_with(".desktop"))
        })
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let exec = text.lines().find_map(|l| l.strip_prefix("Exec="))?.to_string();
            exec.contains(r#" "ide" "#).then_some((p, exec))
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn exec_quotes_and_escapes_per_the_spec() {
        assert_eq!(exec_arg("/a b/100% \"x\" $y `z` \\w"), r#""/a b/100%% \\"x\\" \\$y \\`z\\` \\\\w""#);
        let text = entry(Path::new("/usr/bin/den"), Path::new("/w/my proj"), "code", Some("vscode")).unwrap();
        assert!(text.contains("\nExec=\"/usr/bin/den\" \"ide\" \"code\" \"/w/my proj\"\n"), "{text}");
        assert!(text.contains("\nName=code — my proj\n") && text.contains("\nIcon=vscode\n"), "{text}");
        assert!(matches!(
            entry(Path::new("/d"), Path::new("/a\nb"), "code", None),
            Err(Error::Unrepresentable { .. })
        ));
        assert_eq!(file_name(Path::new("/w/my proj.x"), "code"), "den-my_proj_x-code.desktop");
    }

    #[test]
    fn list_and_remove_only_dens_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let root = Path::new("/w/app");
        let text = entry(Path::new("/bin/den"), root, "zed", None).unwrap();
        let path = write(tmp.path(), root, "zed", &text).unwrap();
        std::fs::write(tmp.path().join("den-other.desktop"), "[Desktop Entry]\nExec=other\n").unwrap();
        assert_eq!(list(tmp.path()), [(path.clone(), r#""/bin/den" "ide" "zed" "/w/app""#.to_string())]);
        assert_eq!(remove(tmp.path(), root, "zed").unwrap(), Some(path));
        assert_eq!(remove(tmp.path(), root, "zed").unwrap(), None);
        assert!(list(tmp.path()).is_empty());
    }
}
