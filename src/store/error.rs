//! Failures of the store (installing, receipts, file manifests, the projects registry,
//! post-install steps, pruning), with the path at fault and what to do.

use std::io;
use std::path::{Path, PathBuf};

/// What went wrong in the store, beyond downloading and unpacking.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A store file den wrote no longer reads (edited by hand, or a disk problem).
    #[error("{} is damaged: {reason}", path.display())]
    Damaged { path: PathBuf, reason: String },
    /// A post-install step of a tool definition would act outside the install directory,
    /// or cannot be carried out.
    #[error("cannot {step} in {}: {reason}", dir.display())]
    Step { dir: PathBuf, step: String, reason: String },
    /// `den cache verify` found installed tools that changed since they were installed.
    #[error("installed tools changed since den installed them: {}", tools.join(", "))]
    Changed { tools: Vec<String> },
}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Write { source, .. } if source.raw_os_error() == Some(28) => {
                Some("the disk is full: free some space (`den cache prune` may help) and try again".into())
            }
            Error::Read { .. } | Error::Write { .. } => {
                Some("check the permissions of den's data directory (`den cache dir`)".into())
            }
            Error::Damaged { path, .. } => Some(format!("delete {} and let den write it again", path.display())),
            Error::Changed { .. } => Some(
                "run `den cache verify --repair` to install them again from their source".into(),
            ),
            Error::Step { .. } => Some(
                "the tool's definition does not fit this artifact: report it, or set `source`/`url` in den.toml".into(),
            ),
        }
    }

    pub(crate) fn read(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Read { path: path.to_path_buf(), source }
    }

    pub(crate) fn write(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Write { path: path.to_path_buf(), source }
    }
}
