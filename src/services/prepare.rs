//! The one preparation before den starts a project's services: install what is missing,
//! then build the project's environment for a fresh process, as `den run` builds it,
//! through `env` (the services never compute one themselves).

use super::tools::install_missing;
use super::{Context, Error};
use crate::project::Project;
use crate::{env, env_vars, tools};

/// The services' environment: the project's tools installed (with progress), then its
/// environment for a fresh process, without the `__DEN_STATE` record (a service is not a
/// shell den would restore).
pub fn prepare(ctx: &Context, project: &Project) -> Result<Vec<(String, String)>, Error> {
    install_missing(ctx, project)?;
    let (installed, _) = tools::locate(project, ctx.config)?;
    let current = env::snapshot();
    let mut next = env::applied(
        project,
        &env::outside(&current),
        &tools::path_dirs(&installed),
        &tools::home_vars(&installed),
    )?;
    env::release(&next);
    next.remove(env_vars::DEN_STATE_VAR);
    Ok(next.into_iter().collect())
}
