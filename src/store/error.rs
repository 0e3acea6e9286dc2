//! Failures of the store (installing, receipts, file manifests, the projects registry,
//! post-install steps, pruning), with the path at fault and what to do.

use std::io;
use std::path::{Path, PathBuf};

pub use crate::fs_util::is_out_of_space;
pub use crate::ui::{escaped, shown_path};

/// What went wrong in the store, beyond downloading and unpacking.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}: {}", shown_path(path), escaped(&source.to_string()))]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {}: {}", shown_path(path), escaped(&source.to_string()))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A store file den wrote no longer reads (edited by hand, or a disk problem).
    #[error("{} is damaged: {}", shown_path(path), escaped(reason))]
    Damaged { path: PathBuf, reason: String },
    /// A post-install step of a tool definition would act outside the install directory,
    /// or cannot be carried out.
    #[error("cannot {} in {}: {}", escaped(step), shown_path(dir), escaped(reason))]
    Step { dir: PathBuf, step: String, reason: String },
    /// `den cache verify` found installed tools that changed since they were installed.
    #[error("installed tools changed since den installed them: {}", tools.join(", "))]
    Changed { tools: Vec<String> },
}

impl Error {
    pub(crate) fn read(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Read { path: path.to_path_buf(), source }
    }

    pub(crate) fn write(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
        move |source| Error::Write { path: path.to_path_buf(), source }
    }
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::Write { source, .. } if is_out_of_space(source) => {
                Some(
                    "the disk is full (or a size limit such as `ulimit -f` was reached): free some space \
                     (`den cache prune` may help) and try again"
                        .into(),
                )
            }
            Error::Write { source, .. } if source.raw_os_error() == Some(libc::ENAMETOOLONG) => {
                Some("the name is too long for this file system; shorten den's data directory (DEN_HOME)".into())
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
}
