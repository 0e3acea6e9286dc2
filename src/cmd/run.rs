//! `den run [tool@spec…] -- cmd [args…]`: the command with the named tools in front of
//! PATH, in the project's environment or the outer one; see `launch::run`, which does it.

use std::process::ExitCode;

use crate::cli::RunArgs;
use crate::error::Result;
use crate::launch::Context;
use crate::launch::oneoff::Error;
use crate::launch::run::{Target, execute};

use super::Ctx;

/// Runs the command; returns only on failure.
pub fn run(ctx: &Ctx, args: RunArgs) -> Result<ExitCode> {
    if args.command.is_empty() {
        // `den run ruff@0.6.9`: only tools (the last names a version, or nothing at all).
        // `den run ruff@0.6.9 ruff check`: a command without its `--`.
        let only_tools = args.tools.len() < 2 || args.tools.last().is_some_and(|t| t.contains('@'));
        return Err(if only_tools {
            Error::NoCommand { tools: args.tools }
        } else {
            Error::NoSeparator { tools: args.tools }
        }
        .into());
    }
    let context = Context { cwd: &ctx.cwd, config: &ctx.config, offline: ctx.offline };
    Err(execute(&context, &args.tools, Target::Command(args.command), args.trust).into())
}
