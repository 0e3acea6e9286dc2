//! `den enter [dir] [--pure]`: the user's `$SHELL` with the project's environment, as an
//! ephemeral session (`launch::enter`), its `[enter].services` started for the session's
//! lifetime; the shell's exit code is den's.

use std::process::ExitCode;

use crate::cli::EnterArgs;
use crate::error::Result;
use crate::launch::{Context, enter};

use super::Ctx;

/// Starts the shell and returns its exit code.
pub fn run(ctx: &Ctx, args: EnterArgs) -> Result<ExitCode> {
    let dir = args.dir.as_deref().map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    let req = enter::Request {
        ctx: Context { cwd: &ctx.cwd, config: &ctx.config, offline: ctx.offline },
        dir: &dir,
        pure: args.pure,
        trust: args.trust,
    };
    let code = enter::enter(&req, |project| {
        crate::services::enter_services(&ctx.services(), project).map_err(crate::error::Error::from)
    })?;
    Ok(ExitCode::from(code))
}
