//! `den which name`: the full path of the binary `name` that the environment provides:
//! the project's installed tools first (printed with the tool that provides it,
//! `/…/bin/node (node 22.11.0)`), then the outer PATH (with any applied project taken
//! off). Reads only; never installs, never runs anything of the project.

use std::process::ExitCode;

use crate::cli::WhichArgs;
use crate::error::Result;
use crate::launch::oneoff::{self, Error};
use crate::{project, tools};

use super::Ctx;

/// Prints where `name` comes from; exit 1 when nothing provides it.
pub fn run(ctx: &Ctx, args: WhichArgs) -> Result<ExitCode> {
    let name = args.name;
    let project = project::find(&ctx.cwd)?;
    if let Some(project) = &project {
        // The venv's binaries come first, as on the project's PATH.
        if let Some(venv) = crate::env::venv::layer(project)
            && !name.contains('/')
            && let path = venv.dir.join("bin").join(&name)
            && path.is_file()
        {
            println!("{} (venv {})", path.display(), venv.dir.display());
            return Ok(ExitCode::SUCCESS);
        }
        let (installed, missing) = tools::locate(project, &ctx.config)?;
        for tool in &installed {
            if let Some(bin) = tool.bins.iter().find(|b| b.file_name().is_some_and(|n| *n == *name)) {
                println!("{} ({} {})", bin.display(), tool.name, tool.version);
                return Ok(ExitCode::SUCCESS);
            }
        }
        if let Some(m) = missing.iter().find(|m| m.name == name) {
            return Err(Error::NotInstalled { name, tool: m.name.clone(), spec: m.spec.clone() }.into());
        }
    }
    let outer = crate::env::outside(&crate::env::snapshot());
    match oneoff::lookup(&name, outer.get("PATH").map(String::as_str), &ctx.cwd) {
        Some(path) if !name.contains('/') => {
            println!("{}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(Error::NotFound { name, in_project: project.is_some() }.into()),
    }
}
