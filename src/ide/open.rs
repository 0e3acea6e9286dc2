//! `den ide [editor] [dir]` from the project to the started editor, in the order it
//! happens: the project passes the trust gate, `launch::prepare` provides its tools, venv
//! and environment (without what would confuse an Electron editor), the shims are written,
//! the editor is found on the project's PATH, `[enter].services` are started (by the
//! caller's function: services are the caller's to start) and held by den's session record
//! until the editor's own process session holds them, and the editor starts detached.
//! `--shims` stops after the shims.
//!
//! Never asks for trust but through `trust::gate`, never builds an environment but through
//! `launch::prepare`, and never waits for the editor.

use crate::launch::prepare::{self, Tools};
use crate::launch::session::Session;
use crate::project::Project;
use crate::ui;

use super::{Fault, Request, data_home, den_exe, editor, instance, running, shims};

/// `den ide --shims`: the project's tools and venv provided, its shims written.
pub fn shims_only<E: Fault>(req: &Request) -> Result<(), E> {
    let project = req.project::<E>()?;
    data_home()?;
    let provided = prepare::provide(&req.ctx, Some(&project), Tools::Project)?;
    let written = write_shims::<E>(&project, &provided.project)?;
    let dir = crate::paths::DenDir::of(&project.root).bin();
    ui::note(&format!(
        "wrote {} shim{} in {}",
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        dir.display()
    ));
    Ok(())
}

/// `den ide`: the editor started on the project with its environment. `start_services`
/// starts the project's `[enter].services` (called only when den.toml names some, while
/// den's session record holds them).
pub fn open<E: Fault>(
    req: &Request,
    shared: bool,
    start_services: impl FnOnce(&Project) -> Result<(), E>,
) -> Result<(), E> {
    let project = req.project::<E>()?;
    let data_home = data_home()?;
    let provided = prepare::provide(&req.ctx, Some(&project), Tools::Project)?;
    write_shims::<E>(&project, &provided.project)?;
    let name = req.editor_name(&project, &data_home)?;
    let prepared =
        prepare::environment(Some(&project), provided, |outside| super::launch::without_confusing(&outside))?;
    let found = editor::find(&name, &editor::Places::of(prepared.next.get("PATH").cloned(), &data_home))?;
    let vs_code = found.family == editor::Family::VsCode;
    let extra = if shared || !vs_code {
        Vec::new()
    } else {
        let base = directories::BaseDirs::new().ok_or(super::Error::NoHome)?;
        let dirs = instance::Dirs {
            home: base.home_dir().to_path_buf(),
            config_home: base.config_dir().to_path_buf(),
            den_data: crate::paths::data_dir(),
        };
        instance::args(&dirs, &name, &project.root)?.unwrap_or_default()
    };
    let running = if found.family == editor::Family::JetBrains {
        running::instances(&found.commands, std::process::id())
    } else {
        Vec::new()
    };
    // `[enter].services`, held by den's own session record while they start and the editor
    // does, then by the editor's process session for as long as any of it runs.
    let services = !project.manifest.enter.services.is_empty();
    let holder = if services {
        let session = Session::open(&project.root)?;
        if let Err(e) = start_services(&project) {
            session.close();
            return Err(e);
        }
        Some(session)
    } else {
        None
    };
    let started = super::launch::start(&found, &project.root, extra, &prepared.current, &prepared.next);
    if let Some(session) = holder {
        let held = started.as_ref().ok().and_then(|s| super::hold::hold(&project.root, s.pid));
        session.close();
        if let Some(warning) = held {
            ui::warn(&warning);
        }
    }
    let started = started?;
    ui::note(&format!(
        "started {name} ({}) on {}, pid {}; its output goes to {}",
        started.program.display(),
        project.root.display(),
        started.pid,
        ui::shown_path(&started.log)
    ));
    if let Some(pid) = running.first() {
        ui::note(&format!(
            "{name} is already running (pid {pid}) and keeps the environment it started with; \
             interpreters pointed at the project's shims (.den/bin/) carry the project's environment regardless"
        ));
    }
    if shared && vs_code {
        ui::note(&format!(
            "--shared: a {name} already running opens the window with its own environment, not the project's"
        ));
    }
    if (!running.is_empty() || (shared && vs_code)) && services {
        ui::note(
            "[enter].services are held while this launch's processes run; a window an editor already running opens outlives them: `den up -d` keeps them until `den down`",
        );
    }
    Ok(())
}

/// Writes the project's shims for `installed` (and its venv's interpreter).
fn write_shims<E: Fault>(project: &Project, installed: &[crate::tools::Installed]) -> Result<Vec<String>, E> {
    let den = den_exe()?;
    let home = std::env::var(crate::env_vars::HOME).ok();
    Ok(shims::write(&project.root, &den, home.as_deref(), &shims::binaries(project, installed))?)
}
