//! Failures of making tools installed, gathered from the modules that do the work. Names
//! from den.toml, den.lock and archives are shown through `ui::escaped`.

use crate::ui::escaped;

/// What went wrong installing a project's tools.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Resolve(#[from] crate::resolve::Error),
    #[error(transparent)]
    Lock(#[from] crate::resolve::lock::Error),
    #[error(transparent)]
    Http(Box<crate::http::Error>),
    #[error(transparent)]
    Unpack(#[from] crate::store::unpack::Error),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    #[error("den has no builds for this machine's operating system or processor")]
    UnsupportedPlatform,
    #[error("{} {} has no artifact for {} in den.lock", escaped(tool), escaped(version), escaped(platform))]
    NoArtifact { tool: String, version: String, platform: String },
    #[error("`{}` is not a checksum den can verify (for {})", escaped(checksum), escaped(tool))]
    BadChecksum { tool: String, checksum: String },
    #[error("{} unpacked without {}", escaped(tool), escaped(&missing.join(", ")))]
    MissingBinaries { tool: String, missing: Vec<String> },
    /// A failure of fetching or unpacking one tool, naming it (`jq 1.7.1`) before the cause
    /// (which names only the URL or the archive entry).
    #[error("cannot install {}: {source}", escaped(tool))]
    Installing { tool: String, source: Box<Error> },
    /// A network failure while looking a tool's versions up, naming it and its spec.
    #[error("cannot look up {} `{}`: {source}", escaped(tool), escaped(spec))]
    LookingUp { tool: String, spec: String, source: Box<Error> },
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::Resolve(e) => e.hint(),
            Error::Lock(e) => e.hint(),
            Error::Http(e) => e.hint(),
            Error::Unpack(e) => e.hint(),
            Error::Store(e) => e.hint(),
            Error::UnsupportedPlatform => Some("den supports linux and macOS on x64 and arm64".into()),
            Error::NoArtifact { .. } => Some("run `den install` to resolve it for this machine".into()),
            Error::BadChecksum { .. } => Some("fix or delete den.lock, then run `den install`".into()),
            Error::Installing { source, .. } | Error::LookingUp { source, .. } => source.hint(),
            Error::MissingBinaries { .. } => {
                Some("set `bin = [...]` for this tool in den.toml to the paths inside the archive".into())
            }
        }
    }
}
