//! `den export [SHELL] [--format F]`: prints the project's environment on stdout and
//! nothing else. The machine formats (JSON, the default; dotenv; GitHub Actions) give what
//! den sets or unsets, for editors, scripts and CI, and need a trusted project. The shell
//! formats are what the hook evals: the assignments that move the shell's current
//! environment to the project's (see `hook`), never an error at the prompt. For GitHub
//! Actions, the secrets' `::add-mask::` commands go first, on stderr (see `run`).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::ExportArgs;
use crate::error::Result;
use crate::hook;
use crate::io_error::IoError;
use crate::shell;
use crate::shell::ExportFormat;

use super::{Ctx, load, print};

/// Renders the target environment of the project around `ctx.cwd`.
pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<ExitCode> {
    let format = args.shell.or(args.format).unwrap_or(ExportFormat::Json);
    if let Some(shell) = format.shell() {
        print(&hook::export(&ctx.cwd, &ctx.config, ctx.offline, shell))?;
        return Ok(ExitCode::SUCCESS);
    }
    let loaded = load(ctx)?;
    // Masks go to stderr, which the GitHub runner reads for workflow commands as it reads
    // stdout: stdout is redirected into `$GITHUB_ENV`, where a command is not valid.
    let commands = shell::workflow_commands(&loaded.target, format);
    if !commands.is_empty() {
        let mut err = std::io::stderr().lock();
        err.write_all(commands.as_bytes())
            .and_then(|()| err.flush())
            .map_err(|e| IoError::named("write to", "stderr", e))?;
    }
    print(&shell::render(&loaded.target, format))?;
    Ok(ExitCode::SUCCESS)
}
