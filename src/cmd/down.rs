//! `den down [name…] [--purge [--yes]]`: stop services (with what depends on them), or all
//! of them and the supervisor; with `--purge`, delete their data after a confirmation (a
//! terminal) or `--yes`. See `services::down`, which does it and says what it did.

use std::process::ExitCode;

use crate::cli::DownArgs;
use crate::error::Result;
use crate::services::{self, Purge};

use super::Ctx;

pub fn run(ctx: &Ctx, args: DownArgs) -> Result<ExitCode> {
    let purge = args.purge.then_some(Purge { yes: args.yes });
    services::down(&ctx.services(), &args.services, purge)?;
    Ok(ExitCode::SUCCESS)
}
