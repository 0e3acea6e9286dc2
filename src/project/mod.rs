//! The project: find it (upward from a directory), read its `den.toml` (or the foreign
//! files of other tools in its place), validate it, and report every problem with file,
//! line and column. Never touches the network or the store.

pub mod discover;
pub mod foreign;
mod model;
pub mod parse;
mod preset;

pub use crate::diag::Diagnostic;
pub use model::*;

use std::path::{Path, PathBuf};

use discover::{DEN_TOML, Found};

/// A found and validated project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The directory holding `den.toml` (or the foreign files).
    pub root: PathBuf,
    pub origin: Origin,
    pub manifest: Manifest,
    /// What den says about the foreign files it read (empty for den.toml); `load` has
    /// shown them on stderr already.
    #[cfg_attr(not(test), allow(dead_code))]
    pub notes: Vec<foreign::Note>,
    /// The den.toml text the manifest was parsed from (`None` for foreign files). Every
    /// trust decision hashes these bytes, never a second read of the file, so what is
    /// decided on is what is applied.
    pub den_toml: Option<String>,
}

/// Which files the manifest was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `<root>/den.toml`.
    DenToml(PathBuf),
    /// No `den.toml`: `.tool-versions`, `.nvmrc`, `mise.toml`, ... in this directory.
    Foreign(Vec<PathBuf>),
}

/// Problems with finding or reading a project.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no den.toml in {} or any parent directory", dir.display())]
    NotFound { dir: PathBuf },
    /// A file den read is not valid: where, the line, a caret, and what to do.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    /// Something named den.toml that den cannot read as one: what it is.
    #[error("{} is not a regular file ({kind})", crate::ui::shown_path(.path))]
    NotAFile { path: PathBuf, kind: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `den init` in a directory that already has a den.toml.
    #[error("{} already exists", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The file at fault, when there is one (the hook watches it to retry once it changes).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Error::NotFound { .. } => None,
            Error::Invalid(d) => Some(&d.file),
            Error::Read { path, .. }
            | Error::NotAFile { path, .. }
            | Error::Exists { path }
            | Error::Write { path, .. } => Some(path),
        }
    }
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::NotFound { .. } => Some("run `den init` to create one".into()),
            Error::Invalid(d) => d.help.clone(),
            Error::NotAFile { .. } => Some(
                "den reads the project's settings from a regular file: remove this one (`den init` then writes a new one), or put a file in its place"
                    .into(),
            ),
            Error::Read { .. } | Error::Write { .. } => None,
            Error::Exists { .. } => Some("edit it, or remove it first to start over with `den init`".into()),
        }
    }
}

/// Finds the project governing `start` (see [`discover`] for the rules, including
/// `DEN_CEILING_DIRS`) and loads it; `Ok(None)` when there is none.
pub fn find(start: &Path) -> Result<Option<Project>, Error> {
    find_within(start, &discover::ceilings())
}

/// [`find`] with explicit ceilings instead of `DEN_CEILING_DIRS`.
pub fn find_within(start: &Path, ceilings: &[PathBuf]) -> Result<Option<Project>, Error> {
    match discover::discover(start, ceilings) {
        None => Ok(None),
        Some(Found::DenToml(root) | Found::Foreign(root)) => load(&root).map(Some),
    }
}

/// Loads the project rooted at `root`: its `den.toml`, else its foreign files.
pub fn load(root: &Path) -> Result<Project, Error> {
    let path = root.join(DEN_TOML);
    match crate::fs_util::read_input_string(&path) {
        Ok(text) => {
            let manifest = parse::manifest(&path, &text).map_err(Error::Invalid)?;
            Ok(Project {
                root: root.to_path_buf(),
                origin: Origin::DenToml(path),
                manifest,
                notes: Vec::new(),
                den_toml: Some(text),
            })
        }
        Err(_) if let Some(kind) = not_a_file(&path) => Err(Error::NotAFile { path, kind }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match foreign::read(root) {
            Some(f) => {
                let (manifest, notes) = f.untrusted();
                // Once per load: the hook loads only when a watched file changed.
                for note in &notes {
                    crate::ui::warn(&note.to_string());
                }
                Ok(Project {
                    root: root.to_path_buf(),
                    origin: Origin::Foreign(f.files.into_iter().map(|f| f.path).collect()),
                    manifest,
                    notes,
                    den_toml: None,
                })
            }
            None => Err(Error::NotFound { dir: root.to_path_buf() }),
        },
        Err(source) => Err(Error::Read { path, source }),
    }
}

/// The project governing `dir`, or `NotFound` (whose help is `den init`).
pub fn require(dir: &Path) -> Result<Project, Error> {
    find(dir)?.ok_or_else(|| Error::NotFound { dir: dir.to_path_buf() })
}

/// The project governing `dir` and its den.toml, for the commands that edit it: a project
/// described only by other tools' files has none, and den does not create one over them.
pub fn require_den_toml(dir: &Path) -> Result<(Project, PathBuf), Error> {
    let project = require(dir)?;
    match &project.origin {
        Origin::DenToml(file) => {
            let file = file.clone();
            Ok((project, file))
        }
        Origin::Foreign(_) => Err(Error::NotFound { dir: dir.to_path_buf() }),
    }
}

/// The nearest `den.toml` from `start` upwards (`DEN_CEILING_DIRS` included), without
/// reading it; `None` when the nearest project has only foreign files, or none.
pub fn den_toml_above(start: &Path) -> Option<PathBuf> {
    match discover::discover(start, &discover::ceilings())? {
        Found::DenToml(root) => Some(root.join(DEN_TOML)),
        Found::Foreign(_) => None,
    }
}

/// What `path` is when it exists but is not a regular file (nor a link to one): a FIFO, a
/// socket, a device, a directory, or a link to nothing. Looks only at metadata: opening a
/// FIFO could block.
pub fn not_a_file(path: &Path) -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let Ok(meta) = std::fs::metadata(path) else {
        let link = std::fs::read_link(path).ok()?;
        return Some(format!("a link to {}, which does not exist", crate::ui::shown_path(&link)));
    };
    let t = meta.file_type();
    let kind = if t.is_file() {
        return None;
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a file"
    };
    Some(kind.into())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use crate::hint::Hint;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir.join(name).parent().unwrap()).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn find_loads_the_nearest_den_toml_from_a_subdirectory() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "den.toml", "[tools]\nnode = \"22\"\n");
        write(tmp.path(), "src/deep/.nvmrc", "20\n");
        let p = find_within(&tmp.path().join("src/deep"), &[tmp.path().into()]).unwrap().unwrap();
        assert_eq!(p.root, tmp.path());
        assert_eq!(p.origin, Origin::DenToml(tmp.path().join("den.toml")));
        assert_eq!(p.manifest.tools["node"].version, "22");
        assert_eq!(p.manifest.tools["node"].at, Location { file: tmp.path().join("den.toml"), line: 2 });
    }

    #[test]
    fn find_falls_back_to_foreign_files() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "app/.tool-versions", "nodejs 22\npython system\n");
        let p = find_within(&tmp.path().join("app"), &[tmp.path().into()]).unwrap().unwrap();
        assert_eq!(p.origin, Origin::Foreign(vec![tmp.path().join("app/.tool-versions")]));
        assert_eq!(p.manifest.tools["node"].version, "22");
        assert_eq!(p.notes.len(), 1);
        assert!(find_within(tmp.path(), &[tmp.path().into()]).unwrap().is_none());
    }

    #[test]
    fn an_invalid_den_toml_is_reported_with_its_full_path() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "den.toml",
            "[tools]\nnode = \"22\"\n\n[services.db]\npreset = \"redis\"\nport = \"6379\"\n",
        );
        let err = find_within(tmp.path(), &[]).unwrap_err();
        let file = tmp.path().join("den.toml");
        assert_eq!(
            err.to_string(),
            format!(
                "{}:6:8: `port` must be an integer between 1 and 65535\n  |\n6 | port = \"6379\"\n  |        ^^^^^^",
                file.display()
            )
        );
        assert_eq!(err.hint(), None);
        write(tmp.path(), "den.toml", "[tools]\nnode = \"22\"\n[servces.db]\n");
        let err = load(tmp.path()).unwrap_err();
        assert_eq!(
            format!("{err}\nhelp: {}", err.hint().unwrap()),
            format!(
                "{}:3:2: unknown key `servces` in den.toml; did you mean `services`?\n  |\n3 | [servces.db]\n  |  ^^^^^^^\n\
                 help: the keys allowed there are `tools`, `env`, `services`, `enter`, `ide`, `cache`",
                file.display()
            )
        );
    }

    #[test]
    fn load_without_any_file_is_not_found() {
        let tmp = tempfile::tempdir().unwrap();
        let err = load(tmp.path()).unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }));
        assert_eq!(err.hint().as_deref(), Some("run `den init` to create one"));
    }

    #[test]
    fn unreadable_den_toml_is_a_read_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("den.toml"), b"\xff\xfe").unwrap();
        let err = load(tmp.path()).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!("cannot read {}: ", tmp.path().join("den.toml").display()))
        );
    }
}
