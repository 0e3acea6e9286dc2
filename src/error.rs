//! The one error type `main` renders. Each module keeps its own typed error (born where
//! the failure happens, with the path, URL or tool as fields); this enum only gathers
//! them so that `main` can print `den: <what happened>` and `help: <what to do>` once.

use std::process::ExitCode;

/// Every failure den can report, by the module where it was born.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Project(#[from] crate::project::Error),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Env(#[from] crate::env::Error),
    #[error(transparent)]
    Trust(#[from] crate::trust::Error),
    #[error(transparent)]
    Lock(#[from] crate::resolve::lock::Error),
    #[error(transparent)]
    Edit(#[from] crate::tools::edit::Error),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    #[error(transparent)]
    Resolve(#[from] crate::resolve::Error),
    #[error(transparent)]
    Tools(#[from] crate::tools::Error),
    #[error(transparent)]
    ToolCmd(#[from] crate::tools::toolset::Error),
    #[error(transparent)]
    OneOff(#[from] crate::launch::oneoff::Error),
    #[error(transparent)]
    Session(#[from] crate::launch::session::Error),
    /// A command that a later release of den provides.
    #[error("`den {0}` is not available yet in this version of den")]
    NotYet(&'static str),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// What the user should do next, printed as `help:` lines under the error.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Project(e) => e.help(),
            Error::Config(e) => e.help(),
            Error::Env(e) => e.help(),
            Error::Trust(e) => e.help(),
            Error::Lock(e) => e.help(),
            Error::Edit(e) => e.help(),
            Error::Store(e) => e.help(),
            Error::Resolve(e) => e.help(),
            Error::Tools(e) => e.help(),
            Error::ToolCmd(e) => e.help(),
            Error::OneOff(e) => e.help(),
            Error::Session(e) => e.help(),
            Error::NotYet(_) => Some("see `den --help` for the commands this version provides".into()),
            Error::Io { .. } => None,
        }
    }

    /// Exit status: 1 for every failure (spec §9); usage errors (2) are clap's.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::OneOff(e) if e.is_usage() => ExitCode::from(2),
            _ => ExitCode::FAILURE,
        }
    }

    /// Wraps an I/O error with what den was doing when it happened.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

/// Result of a den command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
