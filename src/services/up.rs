//! `den up`, `den __supervise` and `[enter].services`, from a project to running
//! services: the trust gate, the names checked, the leftovers swept, the preparation
//! (`prepare`), the presets' tools (`tools::presets`), then the supervisor — in this
//! process (`den up`), or detached (`den up -d`, `den enter`, `den ide`: `detach::start`).
//! An untrusted project starts nothing.

use std::collections::HashMap;

use super::supervisor::{self, Echo};
use super::{Context, Dirs, Error, declared, detach, plan, prepare, preset, status, tools};
use crate::env;
use crate::project::Project;
use crate::trust;

/// Where `den up` runs the supervisor.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// In this process until Ctrl-C, SIGTERM or `den down`, each line of the services'
    /// output on stdout prefixed with its name (coloured or not).
    Foreground { color: bool },
    /// In the background supervisor (`den __supervise`), returning once all are ready.
    Detached,
}

/// `den up [names…]`: starts `names` (all when empty) with their dependencies. Returns,
/// for `Mode::Detached`, the services that are ready (the foreground returns once its
/// supervisor has stopped them).
pub fn up(ctx: &Context, names: &[String], mode: Mode) -> Result<Vec<status::Entry>, Error> {
    let project = declared::find(ctx.cwd)?;
    trust::gate(&project, trust::How::Ask { action: "start its services" })?;
    declared::check_names(&project, names)?;
    if project.manifest.services.is_empty() {
        return Err(Error::NoServices);
    }
    let dirs = Dirs::of(&project.root);
    dirs.create()?;
    declared::swept(&dirs);
    match mode {
        Mode::Detached => {
            super::prepare::provide(ctx, &project)?;
            let tools = tools::presets(ctx, &project)?;
            detached(ctx, &project, &dirs, &tools, names, false)?;
            Ok(status::read(&dirs.run).into_iter().filter(|e| e.state == "ready").collect())
        }
        Mode::Foreground { color } => {
            if let Some(lease) = super::supervisor(&dirs) {
                return Err(Error::Running { pid: lease.pid });
            }
            let env = prepare(ctx, &project)?;
            let units = plan::units(&project, &tools::presets(ctx, &project)?)?;
            let digest = super::manifest_digest(project.den_toml.as_deref());
            supervisor::serve(dirs, units, env, Echo::Prefixed { color }, Some(names), &digest)?;
            Ok(Vec::new())
        }
    }
}

/// `den __supervise`: the detached supervisor, started by `detach::start` in the project
/// root with the presets' tools it found (`tools`, JSON), with nothing to ask on a
/// terminal.
pub fn supervise(ctx: &Context, tools: &str) -> Result<(), Error> {
    let project = declared::find(ctx.cwd)?;
    trust::gate(&project, trust::How::Require)?;
    let env = prepare(ctx, &project)?;
    let tools: HashMap<String, preset::Tool> =
        serde_json::from_str(tools).map_err(|e| Error::BadToolsArg { reason: e.to_string() })?;
    let units = plan::units(&project, &tools)?;
    let digest = super::manifest_digest(project.den_toml.as_deref());
    supervisor::serve(Dirs::of(&project.root), units, env, Echo::Quiet, None, &digest)
}

/// `den enter`, `den ide`: starts `[enter].services` for the session just opened (they
/// stop when the project's last session ends); nothing when the table names none. The
/// caller has passed the trust gate.
pub fn enter_services(ctx: &Context, project: &Project) -> Result<(), Error> {
    let names = &project.manifest.enter.services;
    if names.is_empty() {
        return Ok(());
    }
    let dirs = Dirs::of(&project.root);
    dirs.create()?;
    declared::swept(&dirs);
    let tools = tools::presets(ctx, project)?;
    detached(ctx, project, &dirs, &tools, names, true)
}

/// Hands `names` to the background supervisor, after checking here what would make its
/// environment fail (a project or tool path that is not UTF-8), so that the fault is one
/// line naming the path, not a supervisor that died and its log.
fn detached(
    ctx: &Context,
    project: &Project,
    dirs: &Dirs,
    tools: &HashMap<String, preset::Tool>,
    names: &[String],
    session: bool,
) -> Result<(), Error> {
    let (installed, _) = crate::tools::locate(project, ctx.config)?;
    let tool_dirs = crate::tools::path_dirs(&installed);
    let preset_dirs = tools.values().flat_map(|t| [t.dir.as_path(), t.bin.as_path()]);
    env::text_paths(
        std::iter::once(project.root.as_path())
            .chain(tool_dirs.iter().map(|d| d.as_path()))
            .chain(preset_dirs),
    )?;
    detach::start(project, dirs, tools, names, session)
}
