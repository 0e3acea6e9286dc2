//! The project: find it (upward from a directory), read its `den.toml` (or the foreign
//! files of other tools in its place), validate it, and report every problem with file,
//! line and column. Never touches the network or the store.

pub mod diag;
pub mod discover;
pub mod foreign;
mod model;
pub mod parse;

pub use diag::Diagnostic;
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
    /// Entries of foreign files that den skipped, one sentence each (empty for den.toml).
    pub notes: Vec<String>,
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
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::NotFound { .. } => Some("run `den init` to create one".into()),
            Error::Invalid(d) => d.help.clone(),
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
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let manifest = parse::manifest(&path, &text).map_err(Error::Invalid)?;
            Ok(Project {
                root: root.to_path_buf(),
                origin: Origin::DenToml(path),
                manifest,
                notes: Vec::new(),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match foreign::read(root)? {
            Some(f) => Ok(Project {
                root: root.to_path_buf(),
                origin: Origin::Foreign(f.files),
                manifest: f.manifest,
                notes: f.skipped,
            }),
            None => Err(Error::NotFound { dir: root.to_path_buf() }),
        },
        Err(source) => Err(Error::Read { path, source }),
    }
}
