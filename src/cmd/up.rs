//! `den up [name…] [-d]`: start the project's services with their dependencies
//! (`services::up`). In the foreground the supervisor runs inside this process, printing
//! each service's lines with its name (coloured on a terminal without `NO_COLOR`), until
//! Ctrl-C, SIGTERM or `den down`; with `-d` this command returns once all are ready and
//! says so. `den __supervise` is the detached supervisor (`services::supervise`).

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{SuperviseArgs, UpArgs};
use crate::error::Result;
use crate::services::{self, Mode};
use crate::{env_vars, ui};

use super::Ctx;

pub fn run(ctx: &Ctx, args: UpArgs) -> Result<ExitCode> {
    let mode = if args.detach {
        Mode::Detached
    } else {
        let color = std::io::stdout().is_terminal()
            && std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty());
        Mode::Foreground { color }
    };
    for entry in services::up(&ctx.services(), &args.services, mode)? {
        let port = entry.port.map(|p| format!(" on port {p}")).unwrap_or_default();
        ui::note(&format!("{} is ready{port} (pid {})", entry.name, entry.pid.unwrap_or(0)));
    }
    Ok(ExitCode::SUCCESS)
}

/// `den __supervise`: the detached supervisor, started by `den up -d` or `den enter`.
pub fn supervise(ctx: &Ctx, args: SuperviseArgs) -> Result<ExitCode> {
    services::supervise(&ctx.services(), &args.tools)?;
    Ok(ExitCode::SUCCESS)
}
