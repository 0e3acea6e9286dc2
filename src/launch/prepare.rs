//! The one preparation before every launch (`den enter`, `den run`, `den x`, `den ide`, a
//! shim, `den up`'s services): the tools installed (or the offline refusal naming them),
//! the project's venv, then the environment from `env`'s one builder (its service exports
//! and venv are layers of it). The callers differ only in what they launch.
//!
//! Never decides trust (the caller has passed `trust::gate`), never renders for a shell,
//! and never writes in a project but through `tools` (den.lock for [`Tools::Project`], the
//! venv); [`Tools::OneOff`] writes nothing in the project at all.

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Context, Environment};
use crate::env::{self, Vars};
use crate::hint::Hint;
use crate::project::Project;
use crate::tools::adhoc::{self, Request};
use crate::tools::{self, Installed};
use crate::ui;

/// Which tools a launch needs and how the missing ones are installed.
#[derive(Debug, Clone, Copy)]
pub enum Tools<'a> {
    /// The project's tools; the missing ones installed with progress and den.lock written
    /// (`tools::sync`): `den enter`, `den ide`, the shims, `den up`.
    Project,
    /// The tools named on the command line, in front of the project's (inside one) that
    /// they do not override; what is missing installed in one parallel batch from den.lock's
    /// pins, nothing written in the project (`den run`, `den x`). The project's tools that
    /// cannot be provided are one warning when tools are named.
    OneOff(&'a [Request]),
}

/// The tools a launch has, installed.
#[derive(Debug, Default)]
pub struct Provided {
    /// The tools named on the command line, in argument order.
    pub named: Vec<Installed>,
    /// The project's tools (those not overridden by a named one), in den.toml order.
    pub project: Vec<Installed>,
}

impl Provided {
    /// The PATH directories: the named tools' first, then the project's.
    /// (and den's node after them when an npm application needs one, `tools::path_dirs`).
    pub fn dirs(&self) -> Vec<PathBuf> {
        let all: Vec<Installed> = self.named.iter().chain(&self.project).cloned().collect();
        tools::path_dirs(&all)
    }

    /// The tools' own variables (a runtime's home): the project's, and a named tool's in
    /// place of the project's of the same name (a tool named on the command line wins).
    pub fn homes(&self) -> Vec<tools::ToolVar> {
        let named = tools::home_vars(&self.named);
        let mut homes = tools::home_vars(&self.project);
        homes.retain(|h| !named.iter().any(|n| n.name == h.name));
        homes.extend(named);
        homes
    }
}

/// What a launcher needs: the tools, den's own environment and the program's.
#[derive(Debug)]
pub struct Prepared {
    pub tools: Provided,
    /// The PATH directories of the tools ([`Provided::dirs`]).
    pub dirs: Vec<PathBuf>,
    /// Den's own environment, read once.
    pub current: Vars,
    /// The launched program's: the project's applied (for a fresh process, with
    /// `__DEN_STATE`) on the shaped baseline, or the outer one with the tools in front of
    /// PATH when no project governs the directory.
    pub next: Vars,
}

impl Prepared {
    /// Den's environment moved to the program's (see [`Environment::Moved`]).
    pub fn moved(&self) -> Environment<'_> {
        Environment::Moved { current: &self.current, next: &self.next }
    }
}

/// Why a launch could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Tools(#[from] tools::Error),
    #[error(transparent)]
    Env(Box<env::Error>),
    /// Offline, and tools the command needs are neither installed nor downloadable.
    #[error("den is offline and {} {} not installed", missing.join(", "), if missing.len() == 1 { "is" } else { "are" })]
    Offline { missing: Vec<String>, installed: Vec<(String, Vec<String>)> },
}

impl From<env::Error> for Error {
    fn from(e: env::Error) -> Self {
        Error::Env(Box::new(e))
    }
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::Tools(e) => e.hint(),
            Error::Env(e) => e.hint(),
            Error::Offline { installed, .. } => {
                let mut lines: Vec<String> = installed
                    .iter()
                    .filter(|(_, versions)| !versions.is_empty())
                    .map(|(name, versions)| format!("installed versions of {name}: {}", versions.join(", ")))
                    .collect();
                lines.push("connect and run it again without `--offline` (and without DEN_OFFLINE=1): den keeps it for next time".into());
                Some(lines.join("\n"))
            }
        }
    }
}

/// The tools and the environment of a launch in `project` (or outside any, `None`, for
/// `den run tool@ver`): [`provide`], then the environment, `shape` turning the one outside
/// any project (an applied project taken off) into the baseline the project's goes on
/// (`std::convert::identity` for most; `den enter --pure` keeps a few variables, `den ide`
/// drops those that would confuse an editor).
pub fn prepare(
    ctx: &Context,
    project: Option<&Project>,
    tools: Tools,
    shape: fn(Vars) -> Vars,
) -> Result<Prepared, Error> {
    environment(project, provide(ctx, project, tools)?, shape)
}

/// The environment of a launch with `tools` (the second half of [`prepare`], for `den ide`,
/// which writes the shims in between).
pub fn environment(
    project: Option<&Project>,
    tools: Provided,
    shape: fn(Vars) -> Vars,
) -> Result<Prepared, Error> {
    let (dirs, homes) = (tools.dirs(), tools.homes());
    let current = env::snapshot();
    let next = match project {
        Some(project) => env::applied(project, &shape(env::outside(&current)), &dirs, &homes)?,
        None => env::with_tool_dirs(current.clone(), &dirs, &homes),
    };
    Ok(Prepared { tools, dirs, current, next })
}

/// The tools of a launch, installing what is missing, and the project's venv made when
/// den.toml names one: the first half of [`prepare`], all that `den ide --shims` needs.
pub fn provide(ctx: &Context, project: Option<&Project>, tools: Tools) -> Result<Provided, Error> {
    let provided = match tools {
        Tools::Project => Provided {
            named: Vec::new(),
            project: project.map(|p| synced(ctx, p)).transpose()?.unwrap_or_default(),
        },
        Tools::OneOff(requests) => one_off(ctx, requests, project)?,
    };
    if let Some(project) = project {
        tools::venv::ensure(project, &provided.project).map_err(tools::Error::from)?;
    }
    Ok(provided)
}

/// The project's tools, installing the missing ones first (with progress, den.lock
/// written).
fn synced(ctx: &Context, project: &Project) -> Result<Vec<Installed>, tools::Error> {
    let (installed, missing) = tools::locate(project, ctx.config)?;
    if missing.is_empty() {
        return Ok(installed);
    }
    let opts = tools::Options { offline: ctx.offline, ..tools::Options::default() };
    tools::sync(project, ctx.config, &opts)?;
    Ok(tools::locate(project, ctx.config)?.0)
}

/// The named tools (in argument order) and the project's tools not overridden by them (in
/// den.toml order), installing what is missing in one parallel batch.
fn one_off(ctx: &Context, requests: &[Request], project: Option<&Project>) -> Result<Provided, Error> {
    let overridden = |name: &str| requests.iter().any(|r| r.req.name == name);
    let mut wanted: Vec<Request> = requests.to_vec();
    let mut from_project: Vec<Option<Installed>> = Vec::new();
    let mut project_missing: Vec<usize> = Vec::new();
    if let Some(project) = project {
        let (installed, missing) = tools::locate(project, ctx.config)?;
        let mut installed: HashMap<String, Installed> =
            installed.into_iter().map(|t| (t.name.clone(), t)).collect();
        let missing: Vec<String> = missing.into_iter().map(|m| m.name).collect();
        let lock = if missing.is_empty() { Default::default() } else { tools::lock_of(project)? };
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
            if ctx.offline && e.is_offline() { offline(batch) } else { Error::Tools(e) }
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
    Ok(Provided { named, project: from_project.into_iter().flatten().collect() })
}

/// One warning for the project's tools a `den run tool@ver` goes without.
fn warn_project_tools(e: &tools::Error) {
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
