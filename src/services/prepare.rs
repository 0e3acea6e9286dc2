//! The services' side of the one preparation before every launch (`launch::prepare`):
//! the project's tools installed (with progress), its venv, then its environment for a
//! fresh process, built by `env` as for `den run` (the services never compute one
//! themselves).

use super::{Context, Error};
use crate::launch::prepare::{self, Tools};
use crate::project::Project;
use crate::{env, env_vars, launch};

/// The services' environment: `launch::prepare` for the project, without the
/// `__DEN_STATE` record (a service is not a shell den would restore).
pub fn prepare(ctx: &Context, project: &Project) -> Result<Vec<(String, String)>, Error> {
    let mut next =
        prepare::prepare(&launch_context(ctx), Some(project), Tools::Project, std::convert::identity)?.next;
    env::release(&next);
    next.remove(env_vars::DEN_STATE_VAR);
    Ok(next.into_iter().collect())
}

/// The first half of [`prepare`] (`launch::prepare::provide`): the project's tools installed
/// with progress and its venv, for `den up -d`, whose detached supervisor builds the
/// environment itself.
pub fn provide(ctx: &Context, project: &Project) -> Result<(), Error> {
    prepare::provide(&launch_context(ctx), Some(project), Tools::Project)?;
    Ok(())
}

fn launch_context<'a>(ctx: &Context<'a>) -> launch::Context<'a> {
    launch::Context { cwd: ctx.cwd, config: ctx.config, offline: ctx.offline }
}
