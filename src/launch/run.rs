//! `den run [tool@spec…] -- cmd [args…]` and `den x tool@spec [args…]`, from arguments to
//! exec, in the order it happens: the `tool@spec` arguments are read, the project (if one
//! governs the directory) passes the trust gate, the named tools and the project's are
//! located or installed in one parallel batch, the environment is built (`env`'s builder:
//! the project's on top of the environment outside any project, or the outer one with the
//! tools in front of PATH), the command is looked up on that PATH, and den replaces itself
//! with it, whose exit status is the run's. Writes nothing into any project (no den.lock
//! either): only the store changes. With tools named on the command line, a project whose
//! own tools cannot be provided (a release that does not exist, an unreachable source)
//! gets one warning and the run goes on without them; one whose den.toml is not valid (a
//! typo'd tool) gets one warning and the run goes on outside it.
//!
//! The warm path reads the config, looks for a project upward, reads the installed-tools
//! index and stats each tool's directory; nothing else before the exec.

use std::collections::HashMap;
use std::convert::Infallible;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;

use super::oneoff::{self, Error};
use crate::config::Config;
use crate::project::{self, Project};
use crate::resolve::lock::Lock;
use crate::tools::adhoc::{self, Request};
use crate::tools::{self, Installed};
use crate::{env, trust, ui};

/// Where and how a run happens (what `cmd`'s context holds, without the command line).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The directory den acts in.
    pub cwd: &'a Path,
    pub config: &'a Config,
    pub offline: bool,
}

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
    // 3. The tools: the named ones first, then the project's, installing what is missing.
    let (named, project_tools) = provide(ctx, &requests, project.as_ref())?;
    if let Some(project) = &project {
        tools::venv::ensure(project, &project_tools).map_err(tools::Error::from)?;
    }
    let mut dirs = tools::path_dirs(&named);
    dirs.extend(tools::path_dirs(&project_tools));
    // A tool named on the command line wins over the project's (its home too).
    let mut homes = tools::home_vars(&project_tools);
    let named_homes = tools::home_vars(&named);
    homes.retain(|h| !named_homes.iter().any(|n| n.name == h.name));
    homes.extend(named_homes);

    // 4. The environment, from `env`'s one builder (an applied project is taken off first).
    let current = env::snapshot();
    let next = match &project {
        Some(project) => env::applied(project, &env::outside(&current), &dirs, &homes)?,
        None => env::with_tool_dirs(current.clone(), &dirs, &homes),
    };
    // 5. The program, looked up on the new PATH, then exec.
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
            let Some(program) = oneoff::lookup(&name, next.get("PATH").map(String::as_str), ctx.cwd) else {
                return Err(if named.is_empty() {
                    Error::NotOnPath { command: name }
                } else {
                    Error::CommandNotFound { command: name, provided: oneoff::provided(&named) }
                });
            };
            (program, OsString::from(name), command)
        }
    };
    named.iter().for_each(adhoc::touch);
    let mut cmd =
        super::command(&program, super::Environment::Moved { current: &current, next: &next }, ctx.cwd);
    cmd.arg0(argv0).args(args);
    Err(Error::Exec { command: program, source: super::exec(cmd) })
}

/// The named tools (in argument order) and the project's tools not overridden by them (in
/// den.toml order), installing what is missing in one parallel batch.
fn provide(
    ctx: &Context,
    requests: &[Request],
    project: Option<&Project>,
) -> Result<(Vec<Installed>, Vec<Installed>), Error> {
    let overridden = |name: &str| requests.iter().any(|r| r.req.name == name);
    let mut wanted: Vec<Request> = requests.to_vec();
    let mut from_project: Vec<Option<Installed>> = Vec::new();
    let mut project_missing: Vec<usize> = Vec::new();
    if let Some(project) = project {
        let (installed, missing) = tools::locate(project, ctx.config)?;
        let mut installed: HashMap<String, Installed> =
            installed.into_iter().map(|t| (t.name.clone(), t)).collect();
        let missing: Vec<String> = missing.into_iter().map(|m| m.name).collect();
        let lock = if missing.is_empty() {
            Lock::default()
        } else {
            Lock::read(&tools::lock_path(project)).map_err(tools::Error::from)?.unwrap_or_default()
        };
        for req in project.manifest.tools.values().filter(|r| !overridden(&r.name)) {
            if missing.contains(&req.name) && tools::system::is_system(req) {
                return Err(tools::system::why_missing(req).into());
            }
            if missing.contains(&req.name) {
                project_missing.push(from_project.len());
                let locked = tools::pinned(project, ctx.config, &lock, req);
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
        let fail = |e: tools::Error, batch: &[Request]| {
            if ctx.offline && oneoff::is_offline(&e) { offline(batch) } else { Error::Tools(e) }
        };
        let named_pending: Vec<usize> = pending.iter().copied().filter(|&i| i < requests.len()).collect();
        let (pending, done) = match adhoc::install(&batch, ctx.config, ctx.offline, root) {
            Ok(done) => (pending, done),
            // The tools named on the command line are what the user asked for: the project's
            // own failing (a typo, an unreachable source) is a warning, not the end of the run.
            // The named tools are tried alone first: their own failure is the run's error.
            Err(e) if !requests.is_empty() && named_pending.len() < pending.len() => {
                let batch: Vec<Request> = named_pending.iter().map(|&i| wanted[i].clone()).collect();
                let done = if batch.is_empty() {
                    Vec::new()
                } else {
                    adhoc::install(&batch, ctx.config, ctx.offline, root).map_err(|e| fail(e, &batch))?
                };
                warn_project_tools(&e);
                (named_pending, done)
            }
            Err(e) => return Err(fail(e, &batch)),
        };
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

/// One warning for the project's tools a `den run tool@ver` goes without.
fn warn_project_tools(e: &tools::Error) {
    use crate::hint::Hint;
    let help = e.hint().map(|h| format!(" ({h})")).unwrap_or_default();
    ui::warn(&format!("running without the project's tools that could not be provided: {e}{help}"));
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
