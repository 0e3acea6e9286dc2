//! What the tool-management commands (`add`, `remove`, `upgrade`, `outdated`, `lock`, `ls`,
//! `ls-remote`) share: finding the project and its den.toml and a resolver that asks the
//! upstreams what is newest now (their errors live in `tools::toolset`, below `error`). Never edits a file.

use std::path::PathBuf;

use super::Ctx;
use crate::http::Client;
use crate::project::{self, Origin, Project};
use crate::resolve::Resolver;

pub use crate::tools::toolset::Error;

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
    let mut settings = ctx.config.http_settings(ctx.offline);
    settings.refresh = true;
    Resolver::new(Client::new(settings), &ctx.config, project.map(|p| p.root.as_path()))
}
