//! What the tool-management commands (`add`, `remove`, `upgrade`, `outdated`, `lock`, `ls`,
//! `ls-remote`) share: finding the project and its den.toml, a resolver that asks the
//! upstreams what is newest now, and their own errors. Never edits a file.

use std::path::PathBuf;

use super::Ctx;
use crate::project::{self, Origin, Project};
use crate::resolve::Resolver;
use crate::store::http::{Client, Settings};

/// Failures of the tool commands that are not some other module's.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `den add` could not install what it added; den.toml was put back as it was.
    #[error("{source}")]
    NotAdded { source: Box<crate::tools::Error> },
    /// A `den lock --platform` word that is not a platform.
    #[error("unknown platform `{value}` (known: {})", known.join(", "))]
    BadPlatform { value: String, known: Vec<String> },
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::NotAdded { source } => {
                let mut help = source.hint().map(|h| format!("{h}\n")).unwrap_or_default();
                help.push_str("den.toml is unchanged");
                Some(help)
            }
            Error::BadPlatform { .. } => {
                Some("write them comma-separated: `--platform linux-arm64,darwin-arm64`".into())
            }
        }
    }
}

/// The project governing the working directory (den.toml or foreign files).
pub fn project(ctx: &Ctx) -> Result<Project, project::Error> {
    project::find(&ctx.cwd)?.ok_or_else(|| project::Error::NotFound { dir: ctx.cwd.clone() })
}

/// The project and its den.toml, for the commands that edit it: a project described only
/// by other tools' files has none, and den does not create one over them.
pub fn den_toml(ctx: &Ctx) -> Result<(Project, PathBuf), project::Error> {
    let project = project(ctx)?;
    match &project.origin {
        Origin::DenToml(file) => {
            let file = file.clone();
            Ok((project, file))
        }
        Origin::Foreign(_) => Err(project::Error::NotFound { dir: ctx.cwd.clone() }),
    }
}

/// A resolver whose version lists are fetched again whatever their age (offline: cached).
pub fn fresh_resolver(ctx: &Ctx, project: Option<&Project>) -> Resolver {
    let mut settings = Settings::from_env(ctx.offline).with_config(&ctx.config);
    settings.refresh = true;
    Resolver::new(Client::new(settings), &ctx.config, project.map(|p| p.root.as_path()))
}
