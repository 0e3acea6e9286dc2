//! `den export [SHELL] [--format F]`: prints the project's environment on stdout and
//! nothing else. The machine formats (JSON, the default; dotenv; GitHub Actions) give what
//! den sets or unsets, for editors, scripts and CI, and need a trusted project. The shell
//! formats are what the hook evals: the assignments that move the shell's current
//! environment to the project's (see `activate`), never an error at the prompt.

use std::io::Write;
use std::process::ExitCode;

use crate::activate;
use crate::cli::{ExportArgs, ExportFormat, Shell};
use crate::env::{self, Outer, Target};
use crate::error::Result;
use crate::io_error::IoError;
use crate::project::{self, Project};
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
        let act = activate::activate(&ctx.cwd, &activate::current_vars(), &ctx.config);
        print(&activate::render(&act, shell))?;
        return Ok(ExitCode::SUCCESS);
    }
    let loaded = load(ctx)?;
    print(&shell::render(&loaded.target, format))?;
    Ok(ExitCode::SUCCESS)
}

/// A project's computed environment and the outer one it was computed against.
pub struct Loaded {
    pub outer: Outer,
    pub target: Target,
}

/// Finds the project around `ctx.cwd` (an error with `den init` as help when there is
/// none) and computes its environment against this process's environment.
pub fn load(ctx: &Ctx) -> Result<Loaded> {
    let project =
        project::find(&ctx.cwd)?.ok_or_else(|| project::Error::NotFound { dir: ctx.cwd.clone() })?;
    let trusted = trusted(&project)?;
    let (installed, missing) = tools::locate(&project)?;
    if !missing.is_empty() {
        ui::warn(&tools::missing_line(&missing));
    }
    let outer = Outer::from_process();
    let target = env::compute(&project, &outer, &tools::path_dirs(&installed), trusted)?;
    Ok(Loaded { outer, target })
}

/// Whether the project may be applied (its `command` secrets run): the one place the
/// trust decision is made for `export` and `explain`. A `den.toml` must be trusted; other
/// tools' version files cannot run anything and need no trust.
fn trusted(project: &Project) -> Result<bool> {
    if let project::Origin::DenToml(file) = &project.origin {
        crate::trust::require_of(file, project.den_toml.as_deref().unwrap_or_default().as_bytes())?;
    }
    Ok(true)
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
