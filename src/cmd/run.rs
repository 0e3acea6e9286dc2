//! `den run [tool@spec…] -- cmd [args…]`: `cmd` with the named tools in front of PATH, in
//! the outer environment, or inside a project in the project's environment (its tools
//! behind the named ones, which override same-named project tools). Missing tools are
//! installed first; then den replaces itself with the command, whose exit status is the
//! run's. Writes nothing into any project (no den.lock either): only the store changes.
//!
//! The warm path reads the config, looks for a project upward, reads the installed-tools
//! index and stats each tool's directory; nothing else before the exec.

use std::collections::HashMap;
use std::ffi::OsString;
use std::process::ExitCode;

use crate::cli::RunArgs;
use crate::error::Result;
use crate::hook::activate;
use crate::launch::oneoff::{self, Error};
use crate::project::{self, Project};
use crate::resolve::lock::{DEN_LOCK, Lock};
use crate::tools::adhoc::{self, Request};
use crate::tools::{self, Installed};

use super::Ctx;

/// What to run once the tools are there.
pub enum Target {
    /// A command line given after `--`.
    Command(Vec<String>),
    /// The first named tool's main binary, with these arguments (`den x`).
    MainBin(Vec<String>),
}

/// Runs the command; returns only on failure.
pub fn run(ctx: &Ctx, args: RunArgs) -> Result<ExitCode> {
    if args.command.is_empty() {
        return Err(Error::NoSeparator { tools: args.tools }.into());
    }
    execute(ctx, &args.tools, Target::Command(args.command), args.trust)
}

/// Provides `tools` (and the project's, inside one) and execs `target`.
pub fn execute(ctx: &Ctx, tool_args: &[String], target: Target, trust: bool) -> Result<ExitCode> {
    let requests = oneoff::requests(tool_args)?;
    let project = project::find(&ctx.cwd)?;
    if project.is_none()
        && requests.is_empty()
        && let Target::Command(command) = &target
    {
        return Err(Error::NoProject { dir: ctx.cwd.clone(), command: command.join(" ") }.into());
    }
    if let Some(project) = &project {
        super::enter::ensure_trusted(project, trust, "run")?;
    }
    let (named, project_tools) = provide(ctx, &requests, project.as_ref())?;

    let current = activate::current_vars();
    let mut dirs = tools::path_dirs(&named);
    dirs.extend(tools::path_dirs(&project_tools));
    let next = match &project {
        Some(project) => crate::env::applied(project, &crate::env::outside(&current), &dirs)?,
        None => oneoff::with_path_dirs(current.clone(), &dirs),
    };
    let (program, argv0, args) = match target {
        Target::MainBin(args) => {
            let tool = &named[0];
            let bin = adhoc::main_bin(tool)
                .ok_or_else(|| Error::NoMainBin { tool: format!("{} {}", tool.name, tool.version) })?;
            let argv0 = bin.file_name().map(OsString::from).unwrap_or_default();
            (bin.clone(), argv0, args)
        }
        Target::Command(mut command) => {
            let name = command.remove(0);
            let Some(program) = oneoff::lookup(&name, next.get("PATH").map(String::as_str), &ctx.cwd) else {
                return Err(if named.is_empty() {
                    Error::NotOnPath { command: name }
                } else {
                    Error::CommandNotFound { command: name, provided: oneoff::provided(&named) }
                }
                .into());
            };
            (program, OsString::from(name), command)
        }
    };
    named.iter().for_each(adhoc::touch);
    Err(oneoff::exec(&program, &argv0, &args, &current, &next, &ctx.cwd).into())
}

/// The named tools (in argument order) and the project's tools not overridden by them (in
/// den.toml order), installing what is missing in one parallel batch.
fn provide(
    ctx: &Ctx,
    requests: &[Request],
    project: Option<&Project>,
) -> Result<(Vec<Installed>, Vec<Installed>), Error> {
    let overridden = |name: &str| requests.iter().any(|r| r.req.name == name);
    let mut wanted: Vec<Request> = requests.to_vec();
    let mut from_project: Vec<Option<Installed>> = Vec::new();
    let mut project_missing: Vec<usize> = Vec::new();
    if let Some(project) = project {
        let (installed, missing) = tools::locate(project)?;
        let mut installed: HashMap<String, Installed> =
            installed.into_iter().map(|t| (t.name.clone(), t)).collect();
        let missing: Vec<String> = missing.into_iter().map(|m| m.name).collect();
        let lock = if missing.is_empty() {
            Lock::default()
        } else {
            Lock::read(&project.root.join(DEN_LOCK)).map_err(tools::Error::from)?.unwrap_or_default()
        };
        for req in project.manifest.tools.values().filter(|r| !overridden(&r.name)) {
            if missing.contains(&req.name) {
                project_missing.push(from_project.len());
                let locked = tools::pinned(project, &lock, req);
                wanted.push(Request { req: req.clone(), locked });
                from_project.push(None);
            } else {
                from_project.push(installed.remove(&req.name));
            }
        }
    }
    let mut found = adhoc::find(&wanted)?;
    let pending: Vec<usize> = (0..wanted.len()).filter(|&i| found[i].is_none()).collect();
    if !pending.is_empty() {
        let batch: Vec<Request> = pending.iter().map(|&i| wanted[i].clone()).collect();
        let root = project.map(|p| p.root.as_path());
        let done = adhoc::install(&batch, &ctx.config, ctx.offline, root).map_err(|e| {
            if ctx.offline && oneoff::is_offline(&e) { offline(&batch) } else { Error::Tools(e) }
        })?;
        for (i, tool) in pending.into_iter().zip(done) {
            found[i] = Some(tool);
        }
    }
    let mut found = found.into_iter();
    let named: Vec<Installed> = found.by_ref().take(requests.len()).flatten().collect();
    for (slot, tool) in project_missing.into_iter().zip(found) {
        from_project[slot] = tool;
    }
    Ok((named, from_project.into_iter().flatten().collect()))
}

/// The offline error naming every tool that was needed, with what is installed instead.
fn offline(batch: &[Request]) -> Error {
    Error::Offline {
        missing: batch.iter().map(Request::label).collect(),
        installed: batch
            .iter()
            .map(|r| (r.req.name.clone(), adhoc::installed_versions(&r.req.name)))
            .collect(),
    }
}
