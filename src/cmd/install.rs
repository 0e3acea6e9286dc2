//! `den install [--frozen]`: every tool of the project installed for this machine, and
//! den.lock current. With a lock, nothing is looked up; `--frozen` refuses to change it.

use std::process::ExitCode;

use crate::cli::InstallArgs;
use crate::error::Result;
use crate::project;
use crate::tools;

use super::Ctx;

/// Installs the project's tools.
pub fn run(ctx: &Ctx, args: InstallArgs) -> Result<ExitCode> {
    let project =
        project::find(&ctx.cwd)?.ok_or_else(|| project::Error::NotFound { dir: ctx.cwd.clone() })?;
    let opts = tools::Options { offline: ctx.offline, frozen: args.frozen, ..tools::Options::default() };
    tools::sync(&project, &ctx.config, &opts)?;
    tools::venv::after_install(&project, &ctx.config)?;
    crate::ide::shims::refresh(&project, &ctx.config);
    Ok(ExitCode::SUCCESS)
}
