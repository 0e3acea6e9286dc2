//! `den export [SHELL] [--format F]`: prints the project's environment on stdout and
//! nothing else. The machine formats (JSON, the default; dotenv; GitHub Actions) give what
//! den sets or unsets, for editors, scripts and CI, and need a trusted project. The shell
//! formats are what the hook evals: the assignments that move the shell's current
//! environment to the project's (see `hook`), never an error at the prompt. For GitHub
//! Actions, the secrets' `::add-mask::` commands go first, on stderr (see `run`).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::ExportArgs;
use crate::env::{self, Outer, Target};
use crate::error::Result;
use crate::hook;
use crate::io_error::IoError;
use crate::project;
use crate::shell::{ExportFormat, Shell};
use crate::{shell, tools, ui};

use super::Ctx;

/// Renders the target environment of the project around `ctx.cwd`.
pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<ExitCode> {
    let format = args.shell.or(args.format).unwrap_or(ExportFormat::Json);
    let shell = match format {
        ExportFormat::Bash => Some(Shell::Bash),
        ExportFormat::Zsh => Some(Shell::Zsh),
        ExportFormat::Fish => Some(Shell::Fish),
        _ => None,
    };
    if let Some(shell) = shell {
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

/// A project's computed environment and the outer one it was computed against.
pub struct Loaded {
    pub outer: Outer,
    pub target: Target,
}

/// Finds the project around `ctx.cwd` (an error with `den init` as help when there is
/// none) and computes its environment against this process's environment with any
/// project already applied there taken off (the same builder as the hook, enter and run).
pub fn load(ctx: &Ctx) -> Result<Loaded> {
    let project =
        project::find(&ctx.cwd)?.ok_or_else(|| project::Error::NotFound { dir: ctx.cwd.clone() })?;
    // export and explain refuse an untrusted project (`command` secrets would run).
    let trusted = crate::trust::gate(&project, crate::trust::How::Require)?;
    let (installed, missing) = tools::locate(&project, &ctx.config)?;
    if !missing.is_empty() {
        ui::warn(&tools::missing_line(&missing));
    }
    let base = env::Base::of(env::snapshot());
    let dirs = tools::path_dirs(&installed);
    let homes = tools::home_vars(&installed);
    let target = base.target(&project, &env::Layers::of(&project, &dirs, &homes, trusted)?)?;
    Ok(Loaded { outer: base.outer(), target })
}

/// Writes `text` to stdout; a closed pipe is not an error worth reporting.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(IoError::named("write to", "stdout", e).into())
        }
        _ => Ok(()),
    }
}
