//! `den export [SHELL] [--format F]`: prints the project's target environment (only what
//! den sets or unsets, not the whole outer environment) for a shell's `eval`, an editor,
//! a script or CI. Without a format, JSON. Prints the result on stdout and nothing else;
//! it does not yet diff against a previous activation (`__DEN_STATE` is a later issue).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{ExportArgs, ExportFormat};
use crate::env::{self, Outer, Target};
use crate::error::{Error, Result};
use crate::project::{self, Project};
use crate::shell;

use super::Ctx;

/// Renders the target environment of the project around `ctx.cwd`.
pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<ExitCode> {
    let format = args.shell.or(args.format).unwrap_or(ExportFormat::Json);
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
    let outer = Outer::from_process();
    let target = env::compute(&project, &outer, trusted(&project)?)?;
    Ok(Loaded { outer, target })
}

/// Whether the project's `command` secrets may run: the one place the trust decision is
/// made for `export` and `explain`.
// TODO(trust merge): once `crate::trust` lands, make the body
//     match &project.origin {
//         project::Origin::DenToml(file) => Ok(crate::trust::is_trusted(file)?),
//         project::Origin::Foreign(_) => Ok(false),
//     }
// Until then `command` secrets never run, which is the safe answer.
fn trusted(project: &Project) -> Result<bool> {
    let _ = project;
    Ok(false)
}

/// Writes `text` to stdout; a closed pipe is not an error worth reporting.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("cannot write to stdout", e)),
        _ => Ok(()),
    }
}
