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
    /// A `source = "system"` tool with no fitting binary on the machine.
    #[error(transparent)]
    System(#[from] crate::resolve::system::Error),
    /// A project that is not trusted names `source = "system"` tools, which den would run.
    #[error(transparent)]
    Trust(#[from] crate::trust::Error),
    /// The project's virtual environment could not be made.
    #[error(transparent)]
    Venv(#[from] super::venv::Error),
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    /// The store's install pipeline, for failures that are not fetching or unpacking (a
    /// checksum or binaries that do not fit); those are `Installing`.
    #[error(transparent)]
    Install(#[from] crate::store::InstallError),
    /// A team cache (`den cache push`, `import`, `export`).
    #[error(transparent)]
    Cache(#[from] crate::cache::Error),
    #[error("den has no builds for this machine's operating system or processor")]
    UnsupportedPlatform,
    #[error("{} {} has no artifact for {} in den.lock", escaped(tool), escaped(version), escaped(platform))]
    NoArtifact { tool: String, version: String, platform: String },
    /// A failure of fetching or unpacking one tool in the store's pipeline, naming it
    /// (`jq 1.7.1`) before the cause (which names only the URL or the archive entry).
    #[error("cannot install {}: {source}", escaped(tool))]
    Installing { tool: String, source: Box<crate::store::InstallError> },
    /// A den.lock PyPI file that is not the index's own (`Resolver::vet_pypi_files`).
    #[error(
        "{} locks `{}` to download `{}`, which must be the PyPI index's own file, and {}",
        lock.display(), escaped(tool), escaped(&found.url), escaped(&found.why)
    )]
    NotIndexed { lock: std::path::PathBuf, tool: String, found: crate::resolve::NotIndexed },
    /// A network failure while looking a tool's versions up, naming it and its spec.
    #[error("cannot look up {} `{}`: {source}", escaped(tool), escaped(spec))]
    LookingUp { tool: String, spec: String, source: Box<Error> },
}

impl Error {
    /// Whether offline mode refused a request this needed (a look-up or a download with no
    /// cached answer); each source answers about itself.
    pub fn is_offline(&self) -> bool {
        match self {
            Error::Resolve(e) => e.is_offline(),
            Error::Install(e) => e.is_offline(),
            Error::Installing { source, .. } => source.is_offline(),
            Error::LookingUp { source, .. } => source.is_offline(),
            _ => false,
        }
    }

    /// The advice for a tool named on the command line (`den run`, `den x`), which has no
    /// den.toml to edit, where it differs from its `Hint`'s.
    pub fn one_off_hint(&self) -> Option<String> {
        match self {
            Error::Resolve(e) => e.one_off_hint(),
            _ => None,
        }
    }
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::Resolve(e) => e.hint(),
            Error::Lock(e) => e.hint(),
            Error::System(e) => e.hint(),
            Error::Venv(e) => e.hint(),
            Error::Trust(e) => e.hint(),
            Error::Store(e) => e.hint(),
            Error::Install(e) => e.hint(),
            Error::Cache(e) => e.hint(),
            Error::UnsupportedPlatform => Some("den supports linux and macOS on x64 and arm64".into()),
            Error::NotIndexed { tool, found, .. } if found.unasked => Some(format!(
                "go online once so den can check den.lock against the index, or run `den upgrade {}`",
                escaped(tool)
            )),
            Error::NotIndexed { tool, .. } => Some(format!(
                "run `den upgrade {}` to resolve it again from the index (den.lock came with the repository)",
                escaped(tool)
            )),
            Error::NoArtifact { .. } => Some("run `den install` to resolve it for this machine".into()),
            Error::Installing { source, .. } => source.hint(),
            Error::LookingUp { source, .. } => source.hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::InstallError;

    #[test]
    fn offline_is_answered_by_each_layer_about_itself() {
        let offline = || crate::http::Error::Offline { url: "https://example.invalid/x".into() };
        let install = || InstallError::Http(Box::new(offline()));
        assert!(Error::Resolve(crate::resolve::Error::Http(offline())).is_offline());
        assert!(Error::Install(install()).is_offline());
        assert!(Error::Installing { tool: "jq 1.7.1".into(), source: Box::new(install()) }.is_offline());
        let looking = |source: Error| Error::LookingUp {
            tool: "jq".into(),
            spec: "1".into(),
            source: Box::new(source),
        };
        assert!(looking(Error::Resolve(crate::resolve::Error::Http(offline()))).is_offline());
        let other = InstallError::MissingBinaries { tool: "jq".into(), missing: vec!["jq".into()] };
        assert!(!Error::Installing { tool: "jq 1.7.1".into(), source: Box::new(other) }.is_offline());
        assert!(!looking(Error::UnsupportedPlatform).is_offline());
        assert!(!Error::UnsupportedPlatform.is_offline());
    }
}
