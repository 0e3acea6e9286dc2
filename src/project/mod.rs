//! The project: find it (upward from a directory), read its `den.toml` (or the foreign
//! files of other tools in its place), validate it, and report every problem with file,
//! line and column. Never touches the network or the store.

mod model;

pub use model::*;

use std::path::{Path, PathBuf};

/// A found and validated project.
#[derive(Debug, Clone)]
pub struct Project {
    /// The directory holding `den.toml` (or the foreign files).
    pub root: PathBuf,
    pub origin: Origin,
    pub manifest: Manifest,
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
}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::NotFound { .. } => Some("run `den init` to create one".into()),
        }
    }
}

/// Finds the project governing `start` and loads it; `Ok(None)` when there is none.
pub fn find(start: &Path) -> Result<Option<Project>, Error> {
    let _ = start;
    Ok(None)
}
