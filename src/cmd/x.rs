//! `den x tool@spec [args…]`: `den run tool@spec -- <its main binary> [args…]`, the main
//! binary being the one named like the tool, else its first.

use std::process::ExitCode;

use crate::cli::XArgs;
use crate::error::Result;

use super::Ctx;
use crate::launch::Context;
use crate::launch::run::{Target, execute};

/// Runs the tool's main binary; returns only on failure.
pub fn run(ctx: &Ctx, args: XArgs) -> Result<ExitCode> {
    let context = Context { cwd: &ctx.cwd, config: &ctx.config, offline: ctx.offline };
    Err(execute(&context, std::slice::from_ref(&args.tool), Target::MainBin(args.args), args.trust).into())
}
