//! `den restart name`: the supervisor stops the service (its stop signal, then SIGKILL)
//! and starts it again, returning once it is ready (`services::restart`). Needs a running
//! supervisor.

use std::process::ExitCode;

use crate::cli::RestartArgs;
use crate::error::Result;
use crate::services;

use super::Ctx;

pub fn run(ctx: &Ctx, args: RestartArgs) -> Result<ExitCode> {
    services::restart(&ctx.services(), &args.service)?;
    Ok(ExitCode::SUCCESS)
}
