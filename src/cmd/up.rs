//! `den up [name…] [-d]`: start the project's services with their dependencies. In the
//! foreground the supervisor runs inside this process, printing each service's lines with
//! its name, until Ctrl-C, SIGTERM or `den down`; with `-d` a background supervisor (den
//! re-exec'd as `den __supervise`, in its own session) takes them and this command returns
//! once all are ready. An untrusted project starts nothing.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{SuperviseArgs, UpArgs};
use crate::env::service_record;
use crate::error::Result;
use crate::project::ToolRequest;
use crate::project::{self, Project};
use crate::services::plan;
use crate::services::supervisor::{self, Echo};
use crate::services::{self, Dirs, preset};
use crate::tools::adhoc::{self, Request as ToolReq};
use crate::{env, env_vars, tools, trust, ui};

use super::Ctx;

pub fn run(ctx: &Ctx, args: UpArgs) -> Result<ExitCode> {
    let project = find(ctx)?;
    trust::gate(&project, trust::How::Ask { action: "start its services" })?;
    check_names(&project, &args.services)?;
    if project.manifest.services.is_empty() {
        return Err(services::Error::NoServices.into());
    }
    let dirs = Dirs::of(&project.root);
    dirs.create()?;
    swept(&dirs);
    if args.detach {
        install_tools(ctx, &project)?;
        let tools = preset_tools(ctx, &project, true)?;
        detach(ctx, &project, &dirs, &tools, &args.services, false)?;
        for entry in services::status::read(&dirs.run).iter().filter(|e| e.state == "ready") {
            let port = entry.port.map(|p| format!(" on port {p}")).unwrap_or_default();
            ui::note(&format!("{} is ready{port} (pid {})", entry.name, entry.pid.unwrap_or(0)));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(lease) = services::supervisor(&dirs) {
        return Err(services::Error::Running { pid: lease.pid }.into());
    }
    let env = service_env(ctx, &project)?;
    let units = plan::units(&project, &preset_tools(ctx, &project, true)?)?;
    let color =
        std::io::stdout().is_terminal() && std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty());
    let digest = services::manifest_digest(project.den_toml.as_deref());
    supervisor::serve(dirs, units, env, Echo::Prefixed { color }, Some(&args.services), &digest)?;
    Ok(ExitCode::SUCCESS)
}

/// `den __supervise`: the detached supervisor, started by `den up -d` or `den enter` in
/// the project root, with nothing to ask on a terminal.
pub fn supervise(ctx: &Ctx, args: SuperviseArgs) -> Result<ExitCode> {
    let project = find(ctx)?;
    trust::gate(&project, trust::How::Require)?;
    let env = service_env(ctx, &project)?;
    let tools: HashMap<String, preset::Tool> = serde_json::from_str(&args.tools)
        .map_err(|e| services::Error::Remote { message: format!("bad --tools: {e}"), help: None })?;
    let units = plan::units(&project, &tools)?;
    let digest = services::manifest_digest(project.den_toml.as_deref());
    supervisor::serve(Dirs::of(&project.root), units, env, Echo::Quiet, None, &digest)?;
    Ok(ExitCode::SUCCESS)
}

/// The project at (or above) the working directory.
pub(super) fn find(ctx: &Ctx) -> Result<Project> {
    Ok(project::find(&ctx.cwd)?.ok_or_else(|| project::Error::NotFound { dir: ctx.cwd.clone() })?)
}

/// `den enter`: starts `[enter].services` for the session just opened (they stop when the
/// project's last session ends); nothing when the table names none.
pub(super) fn enter_services(ctx: &Ctx, project: &Project) -> Result<()> {
    let names = &project.manifest.enter.services;
    if names.is_empty() {
        return Ok(());
    }
    let dirs = Dirs::of(&project.root);
    dirs.create()?;
    swept(&dirs);
    let tools = preset_tools(ctx, project, true)?;
    detach(ctx, project, &dirs, &tools, names, true)
}

/// Hands `names` to the background supervisor, after checking here what would make its
/// environment fail (a project or tool path that is not UTF-8), so that the fault is one
/// line naming the path, not a supervisor that died and its log.
fn detach(
    ctx: &Ctx,
    project: &Project,
    dirs: &Dirs,
    tools: &HashMap<String, preset::Tool>,
    names: &[String],
    session: bool,
) -> Result<()> {
    let (installed, _) = tools::locate(project, &ctx.config)?;
    let tool_dirs = tools::path_dirs(&installed);
    let preset_dirs = tools.values().flat_map(|t| [t.dir.as_path(), t.bin.as_path()]);
    env::text_paths(
        std::iter::once(project.root.as_path())
            .chain(tool_dirs.iter().map(|d| d.as_path()))
            .chain(preset_dirs),
    )?;
    Ok(services::detach::start(project, dirs, tools, names, session)?)
}

/// Says which services a crashed supervisor left behind, now stopped.
pub(super) fn swept(dirs: &Dirs) {
    for (name, pid) in services::sweep(dirs) {
        ui::note(&format!("stopped {name} (pid {pid}), left running by a supervisor that is gone"));
    }
}

/// Installs the project's missing tools (with progress), as `den enter` does.
fn install_tools(ctx: &Ctx, project: &Project) -> Result<()> {
    let (_, missing) = tools::locate(project, &ctx.config)?;
    if !missing.is_empty() {
        let opts = tools::Options { offline: ctx.offline, ..tools::Options::default() };
        tools::sync(project, &ctx.config, &opts)?;
    }
    Ok(())
}

/// The installed tool of each preset service, by service name; missing ones are installed
/// first (with progress) when `install`, else named in the error.
pub(super) fn preset_tools(
    ctx: &Ctx,
    project: &Project,
    install: bool,
) -> Result<HashMap<String, preset::Tool>> {
    let mut names = Vec::new();
    let mut requests = Vec::new();
    for service in project.manifest.services.values() {
        let Some(tool) = preset::tool_name(service) else { continue };
        // Before anything is installed or started: data den did not make is refused.
        preset::check_state(&project.root, service)?;
        names.push(service.name.clone());
        requests.push(ToolReq::new(ToolRequest {
            name: tool.to_string(),
            version: service.version.clone().unwrap_or_else(|| "latest".into()),
            source: None,
            url: None,
            sha256: None,
            bin: Vec::new(),
            at: service.at.clone(),
        }));
    }
    // The tool each preset ran last time, while its version spec is unchanged and it is
    // still installed: no look-up (which may need the network) to start a database again.
    // It is den's own record (`env::service_record`, never a file of the repository's) and
    // must name a tool directory of den's store.
    let store = crate::tools::store();
    let remembered = |name: &str, spec: &str| -> Option<preset::Tool> {
        let used = service_record::read(&project.root, name)?.tool?;
        let key = used.dir.file_name()?.to_str()?;
        let inside = used.dir == store.tool_dir(key)
            && used.bin.starts_with(&used.dir)
            && used.bin.components().all(|c| c != std::path::Component::ParentDir);
        (used.spec == spec && inside && used.bin.is_dir()).then_some(preset::Tool {
            dir: used.dir,
            bin: used.bin,
            version: used.version,
        })
    };
    let mut found = adhoc::find(&requests)?;
    let pending: Vec<usize> = (0..requests.len())
        .filter(|&i| found[i].is_none() && remembered(&names[i], &requests[i].req.version).is_none())
        .collect();
    if !pending.is_empty() {
        let batch: Vec<ToolReq> = pending.iter().map(|&i| requests[i].clone()).collect();
        if !install {
            let labels: Vec<String> = batch.iter().map(ToolReq::label).collect();
            return Err(services::Error::Remote {
                message: format!("the services' tools are not installed: {}", labels.join(", ")),
                help: Some("run `den up` again: it installs them".into()),
            }
            .into());
        }
        let done = adhoc::install(&batch, &ctx.config, ctx.offline, Some(&project.root))?;
        for (i, tool) in pending.into_iter().zip(done) {
            found[i] = Some(tool);
        }
    }
    for service in project.manifest.services.values() {
        if let Some(note) = preset::first_start_note(&project.root, service) {
            ui::note(&note);
        }
    }
    let mut out = HashMap::new();
    for ((name, request), tool) in names.into_iter().zip(&requests).zip(found) {
        let tool = match (tool, remembered(&name, &request.req.version)) {
            (_, Some(known)) => known,
            (Some(t), None) => {
                let bin = t.bin_dirs.first().cloned().unwrap_or_else(|| t.dir.clone());
                let tool = preset::Tool { dir: t.dir, bin, version: t.version };
                // The record is made on first use (the port and password with it).
                if let Some(service) = project.manifest.services.get(&name)
                    && env::service_exports::values(&project.root, service).is_ok()
                    && let Some(mut record) = service_record::read(&project.root, &name)
                {
                    record.tool = Some(service_record::ToolUsed {
                        spec: request.req.version.clone(),
                        dir: tool.dir.clone(),
                        bin: tool.bin.clone(),
                        version: tool.version.clone(),
                    });
                    let _ = service_record::write(&project.root, &record);
                }
                tool
            }
            (None, None) => continue,
        };
        out.insert(name, tool);
    }
    Ok(out)
}

/// The project's environment for a fresh process, as `den run` builds it, without the
/// `__DEN_STATE` record (a service is not a shell den would restore).
fn service_env(ctx: &Ctx, project: &Project) -> Result<Vec<(String, String)>> {
    install_tools(ctx, project)?;
    let (installed, _) = tools::locate(project, &ctx.config)?;
    let current = env::snapshot();
    let mut next = env::applied(project, &env::outside(&current), &tools::path_dirs(&installed))?;
    env::release(&next);
    next.remove(env_vars::DEN_STATE_VAR);
    Ok(next.into_iter().collect())
}

/// The declared services, by name, for commands that only read.
pub(super) fn names(project: &Project) -> Vec<String> {
    project.manifest.services.keys().cloned().collect()
}

/// An error naming the first of `wanted` the project does not declare.
pub(super) fn check_names(project: &Project, wanted: &[String]) -> Result<()> {
    match wanted.iter().find(|w| !project.manifest.services.contains_key(*w)) {
        Some(bad) => Err(services::Error::Unknown {
            name: bad.clone(),
            declared: {
                let list: Vec<String> = names(project).iter().map(|n| format!("`{n}`")).collect();
                format!("the services declared are {}", list.join(", "))
            },
        }
        .into()),
        None => Ok(()),
    }
}
