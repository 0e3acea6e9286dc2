//! `den run [tool@spec…] -- cmd [args…]` and `den x tool@spec [args…]`, from arguments to
//! exec, in the order it happens: the `tool@spec` arguments are read, the project (if one
//! governs the directory) passes the trust gate, `launch::prepare` locates or installs the
//! named tools and the project's in one parallel batch (`Tools::OneOff`) and builds the
//! environment (`env`'s builder: the project's on top of the environment outside any
//! project, or the outer one with the tools in front of PATH), the command is looked up on that PATH, and den replaces itself
//! with it, whose exit status is the run's. Writes nothing into any project (no den.lock
//! either): only the store changes. With tools named on the command line, a project whose
//! own tools cannot be provided (a release that does not exist, an unreachable source)
//! gets one warning and the run goes on without them; one whose den.toml is not valid (a
//! typo'd tool) gets one warning and the run goes on outside it.
//!
//! The warm path reads the config, looks for a project upward, reads the installed-tools
//! index and stats each tool's directory; nothing else before the exec.

use std::convert::Infallible;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;

use super::Context;
use super::oneoff::{self, Error};
use super::prepare::{self, Tools};
use crate::tools::adhoc;
use crate::{project, trust, ui};

/// What to run once the tools are there.
pub enum Target {
    /// A command line given after `--`.
    Command(Vec<String>),
    /// The first named tool's main binary, with these arguments (`den x`).
    MainBin(Vec<String>),
}

/// Provides `tools` (and the project's, inside one) and execs `target` in `ctx.cwd`.
/// Returns only on failure.
pub fn execute(ctx: &Context, tool_args: &[String], target: Target, trust: bool) -> Error {
    match provide_and_exec(ctx, tool_args, target, trust) {
        Ok(never) => match never {},
        Err(e) => e,
    }
}

fn provide_and_exec(
    ctx: &Context,
    tool_args: &[String],
    target: Target,
    trust: bool,
) -> Result<Infallible, Error> {
    // 1. The arguments: `tool@spec` requests (the one parser, `tools::edit::arg`).
    let requests = oneoff::requests(tool_args)?;
    // 2. The project, if one governs the directory, through the one trust gate.
    let project = match project::find(ctx.cwd) {
        Ok(project) => project,
        // The tools named on the command line are what the user asked for: a den.toml den
        // cannot read (a typo'd tool, a bad spec) is said, and the run goes on outside it.
        Err(e @ project::Error::Invalid(_)) if !requests.is_empty() => {
            use crate::hint::Hint;
            let help = e.hint().map(|h| format!("\nhelp: {h}")).unwrap_or_default();
            ui::warn(&format!("running without the project, whose den.toml is not valid: {e}{help}"));
            None
        }
        Err(e) => return Err(e.into()),
    };
    if project.is_none()
        && requests.is_empty()
        && let Target::Command(command) = &target
    {
        return Err(Error::NoProject { dir: ctx.cwd.to_path_buf(), command: command.join(" ") });
    }
    if let Some(project) = &project {
        let how =
            if trust { trust::How::Assume { action: "run" } } else { trust::How::Ask { action: "run" } };
        trust::gate(project, how)?;
    }
    // 3. The tools (the named ones first, then the project's, installing what is missing),
    // the venv and the environment: the one preparation of every launch.
    let prepared = prepare::prepare(ctx, project.as_ref(), Tools::OneOff(&requests), std::convert::identity)
        .map_err(Error::prepared)?;
    let (named, next) = (&prepared.tools.named, &prepared.next);
    // 4. The program, looked up on the new PATH, then exec.
    let (program, argv0, args) = match target {
        Target::MainBin(mut args) => {
            let tool = &named[0];
            // `den x pypi:black@24 -- black --version`: a first argument that names one of
            // the tool's commands picks that command (a package's commands rarely match it).
            let named_bin = args.first().and_then(|first| {
                tool.bins.iter().find(|b| b.file_name().is_some_and(|n| n == first.as_str()))
            });
            let bin = match named_bin {
                Some(bin) => {
                    args.remove(0);
                    bin
                }
                None => adhoc::main_bin(tool)
                    .ok_or_else(|| Error::NoMainBin { tool: format!("{} {}", tool.name, tool.version) })?,
            };
            let argv0 = bin.file_name().map(OsString::from).unwrap_or_default();
            (bin.clone(), argv0, args)
        }
        Target::Command(mut command) => {
            let name = command.remove(0);
            let Some(program) = oneoff::lookup(&name, next.get("PATH").map(String::as_str), ctx.cwd) else {
                return Err(if named.is_empty() {
                    Error::NotOnPath { command: name }
                } else {
                    Error::CommandNotFound { command: name, provided: oneoff::provided(named) }
                });
            };
            (program, OsString::from(name), command)
        }
    };
    named.iter().for_each(adhoc::touch);
    let mut cmd = super::command(&program, prepared.moved(), ctx.cwd);
    cmd.arg0(argv0).args(args);
    Err(Error::Exec { command: program, source: super::exec(cmd) })
}
