//! `den ide [editor] [dir]`: the project's editor started on its root with the project's
//! environment, detached from the terminal, after the trust gate and installing what is
//! missing; the project's shims are written on the way. `--shims` only writes the shims,
//! `--desktop` writes the desktop entry that runs `den ide` for this project and editor.
//! `den __shim <root> <bin>` is what a shim runs.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{IdeArgs, ShimArgs};
use crate::error::Result;
use crate::ide::{self, editor};
use crate::io_error::IoError;
use crate::launch::{self, Environment, oneoff, session};
use crate::project::{self, Project};
use crate::tools::{self, Installed};
use crate::{env, services, trust, ui};

use super::Ctx;

pub fn run(ctx: &Ctx, args: IdeArgs) -> Result<ExitCode> {
    if args.list {
        let found = ide::desktop::list(&ide::desktop::applications_dir()?);
        for (path, exec) in &found {
            println!("{}\t{exec}", path.display());
        }
        if found.is_empty() {
            ui::note("no desktop launchers written by den (`den ide --desktop <editor>` writes one)");
        }
        return Ok(ExitCode::SUCCESS);
    }
    // `den ide ./proj` (or `.`): a path is never an editor name.
    let (name, dir) = match (args.editor.clone(), args.dir.clone()) {
        (Some(e), None) if e.contains('/') || e == "." || e == ".." => (None, Some(PathBuf::from(e))),
        (e, d) => (e, d),
    };
    let dir = dir.map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d));
    open(ctx, args, name.clone(), &dir).inspect_err(|e| on_desktop(ctx, e, name.as_deref(), &dir))
}

/// Started from a desktop menu or dock (no terminal): `err` also goes to the project's
/// `ide-<editor>.log` and to a desktop notification, since nobody reads den's stderr there.
fn on_desktop(ctx: &Ctx, err: &crate::error::Error, name: Option<&str>, dir: &Path) {
    // The environment outside any project a hook applied: the notifier is den's helper,
    // never a project's program.
    let current = env::snapshot();
    let vars = env::outside(&current);
    if !ide::notify::from_desktop(&vars) {
        return;
    }
    let report = crate::error::Report::of(err);
    let lines = std::iter::once(report.message.clone())
        .chain(report.causes.iter().cloned())
        .chain(report.hints.iter().map(|h| format!("help: {h}")));
    let text = lines.collect::<Vec<_>>().join("\n");
    let project = project::find(dir).ok().flatten();
    let editor = name
        .map(str::to_string)
        .or_else(|| project.as_ref().and_then(|p| p.manifest.ide.editor.clone()))
        .or_else(|| ctx.config.ide_editor.clone());
    let logged = project.as_ref().and_then(|p| ide::notify::log(&p.root, editor.as_deref(), &text));
    let summary = format!("den ide: {} did not start", editor.as_deref().unwrap_or("the editor"));
    let body = match logged {
        Some(path) => format!("{text}\n(also in {})", path.display()),
        None => text,
    };
    ide::notify::show(&summary, &body, &current, &vars);
}

/// `den ide` but `--list`: everything that needs the project (its failures are what
/// [`on_desktop`] shows).
fn open(ctx: &Ctx, args: IdeArgs, name: Option<String>, dir: &Path) -> Result<ExitCode> {
    let dir = dir.to_path_buf();
    let project = project::find(&dir)?.ok_or_else(|| project::Error::NotFound { dir: dir.clone() })?;
    let action = "open it in an editor";
    let how = if args.trust { trust::How::Assume { action } } else { trust::How::Ask { action } };
    trust::gate(&project, how)?;
    let den = std::env::current_exe().map_err(|e| IoError::named("find", "den's own executable", e))?;
    let data_home =
        directories::BaseDirs::new().map(|d| d.data_dir().to_path_buf()).ok_or(ide::Error::NoHome)?;
    let name = || -> std::result::Result<String, ide::Error> {
        name.clone()
            .or_else(|| project.manifest.ide.editor.clone())
            .or_else(|| ctx.config.ide_editor.clone())
            .ok_or_else(|| ide::Error::NoEditor {
                found: editor::available(&editor::Places::of(std::env::var("PATH").ok(), &data_home)),
            })
    };

    if args.desktop && args.remove {
        let name = name()?;
        let apps = ide::desktop::applications_dir()?;
        match ide::desktop::remove(&apps, &project.root, &name)? {
            Some(path) => {
                refresh(&apps);
                ui::note(&format!("removed {}", path.display()));
            }
            None => ui::note(&format!("no desktop launcher of {name} for {}", project.root.display())),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.desktop {
        let name = name()?;
        let found = editor::find(&name, &editor::Places::of(std::env::var("PATH").ok(), &data_home))?;
        let text = ide::desktop::entry(&den, &project.root, &name, found.icon)?;
        let apps = ide::desktop::applications_dir()?;
        let path = ide::desktop::write(&apps, &project.root, &name, &text)?;
        refresh(&apps);
        ui::note(&format!("wrote {} (starts {name} on {})", path.display(), project.root.display()));
        return Ok(ExitCode::SUCCESS);
    }

    let installed = provide_with_venv(ctx, &project)?;
    let shims = ide::shims::write(
        &project.root,
        &den,
        std::env::var(crate::env_vars::HOME).ok().as_deref(),
        &ide::shims::binaries(&project, &installed),
    )?;
    if args.shims {
        let dir = crate::paths::DenDir::of(&project.root).bin();
        ui::note(&format!(
            "wrote {} shim{} in {}",
            shims.len(),
            if shims.len() == 1 { "" } else { "s" },
            dir.display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    let name = name()?;
    let current = env::snapshot();
    let baseline = ide::launch::without_confusing(&env::outside(&current));
    let next =
        env::applied(&project, &baseline, &tools::path_dirs(&installed), &tools::home_vars(&installed))?;
    let found = editor::find(&name, &editor::Places::of(next.get("PATH").cloned(), &data_home))?;
    let extra = if args.shared || found.family != editor::Family::VsCode {
        Vec::new()
    } else {
        let base = directories::BaseDirs::new().ok_or(ide::Error::NoHome)?;
        let dirs = ide::instance::Dirs {
            home: base.home_dir().to_path_buf(),
            config_home: base.config_dir().to_path_buf(),
            den_data: crate::paths::data_dir(),
        };
        ide::instance::args(&dirs, &name, &project.root)?.unwrap_or_default()
    };
    let running = if found.family == editor::Family::JetBrains {
        ide::running::instances(&found.commands, std::process::id())
    } else {
        Vec::new()
    };
    // `[enter].services`, held by den's own session record while they start and the editor
    // does, then by the editor's process session for as long as any of it runs.
    let holder = if project.manifest.enter.services.is_empty() {
        None
    } else {
        let session = session::Session::open(&project.root)?;
        if let Err(e) = crate::services::enter_services(&ctx.services(), &project) {
            session.close();
            return Err(e.into());
        }
        Some(session)
    };
    let started = ide::launch::start(&found, &project.root, extra, &current, &next);
    if let Some(session) = holder {
        let held = started.as_ref().ok().and_then(|s| hold(&project.root, s.pid));
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
    if args.shared && found.family == editor::Family::VsCode {
        ui::note(&format!(
            "--shared: a {name} already running opens the window with its own environment, not the project's"
        ));
    }
    let handed_over = !running.is_empty() || (args.shared && found.family == editor::Family::VsCode);
    if handed_over && !project.manifest.enter.services.is_empty() {
        ui::note(
            "[enter].services are held while this launch's processes run; a window an editor already running opens outlives them: `den up -d` keeps them until `den down`",
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// After den.toml or den.lock changed (`den install`, `add`, `upgrade`, `remove`): rewrites
/// the project's shims when it has some (`.den/bin/` exists), so that new binaries get one
/// and removed ones lose theirs (a shim finds the tool's version when it runs, so a new
/// version needs no new shim). `project` is as loaded after the change. A failure is a
/// warning: the command itself succeeded.
pub fn refresh_shims(project: &Project, config: &crate::config::Config) {
    if !crate::paths::DenDir::of(&project.root).bin().is_dir() {
        return;
    }
    let refreshed = || -> Result<Vec<String>> {
        let (installed, _) = tools::locate(project, config)?;
        let den = std::env::current_exe().map_err(|e| IoError::named("find", "den's own executable", e))?;
        let home = std::env::var(crate::env_vars::HOME).ok();
        let binaries = ide::shims::binaries(project, &installed);
        Ok(ide::shims::write(&project.root, &den, home.as_deref(), &binaries)?)
    };
    if let Err(e) = refreshed() {
        ui::warn(&format!("the shims in .den/bin/ were not refreshed: {e}"));
    }
}

/// Makes the editor's process session (it leads it: `launch` starts it with setsid) hold
/// the project's session services; the warning to show when it cannot.
fn hold(root: &Path, pid: u32) -> Option<String> {
    let dirs = services::Dirs::of(root);
    let Some(lease) = services::lease::Lease::of(pid as i32) else {
        return Some("the editor ended at once: the project's [enter].services stop again".into());
    };
    match services::control::hold_for_session(&dirs, lease) {
        Ok(_) => None,
        Err(e) => Some(format!(
            "the project's [enter].services stop again: cannot record the editor's session in {}: {e}",
            dirs.den.sessions().display()
        )),
    }
}

/// Lets the desktop's menus see a changed entry at once: `update-desktop-database` when it
/// is installed (a helper program, started through the launch path with den's own
/// environment; its failure changes nothing, the entry is written).
fn refresh(apps: &Path) {
    let current = env::snapshot();
    let Some(program) =
        oneoff::lookup("update-desktop-database", current.get("PATH").map(String::as_str), Path::new("/"))
    else {
        return;
    };
    let mut cmd = launch::command(&program, Environment::Moved { current: &current, next: &current }, apps);
    cmd.arg("-q").arg(apps).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    let _ = cmd.status();
}

/// The project's tools, installing the missing ones first (with progress), as `den enter`.
fn provide(ctx: &Ctx, project: &Project) -> Result<Vec<Installed>> {
    let (installed, missing) = tools::locate(project, &ctx.config)?;
    if missing.is_empty() {
        return Ok(installed);
    }
    let opts = tools::Options { offline: ctx.offline, ..tools::Options::default() };
    tools::sync(project, &ctx.config, &opts)?;
    Ok(tools::locate(project, &ctx.config)?.0)
}

/// The project's tools (see `provide`) and its venv made when den.toml names one: for
/// `den ide` and the shims, after their trust gate.
fn provide_with_venv(ctx: &Ctx, project: &Project) -> Result<Vec<Installed>> {
    let installed = provide(ctx, project)?;
    tools::venv::ensure(project, &installed).map_err(tools::Error::from)?;
    Ok(installed)
}

/// `den __shim <root> <bin> [args…]`: `bin` of the project at `root`, run in the working
/// directory with the project's environment. Refuses an untrusted project (a shim has no
/// one to ask). Looks `bin` up in the project's venv's `bin` first (made on the way when
/// den.toml names one: `python` runs the venv's interpreter, never another; a venv den does
/// not vouch for is never run, with one line saying why), then among
/// the tools' directories and the system tools' binaries only, so that a shim never runs
/// itself.
pub fn shim(ctx: &Ctx, args: ShimArgs) -> Result<ExitCode> {
    let project =
        project::find(&args.root)?.ok_or_else(|| project::Error::NotFound { dir: args.root.clone() })?;
    trust::gate(&project, trust::How::Require)?;
    let installed = provide_with_venv(ctx, &project)?;
    let dirs = tools::path_dirs(&installed);
    let current = env::snapshot();
    let next = env::applied(&project, &env::outside(&current), &dirs, &tools::home_vars(&installed))?;
    let mut places: Vec<PathBuf> =
        env::venv::layer(&project).map(|v| v.dir.join("bin")).into_iter().collect();
    places.extend(dirs.iter().cloned());
    let from_system = || {
        installed
            .iter()
            .flat_map(|t| &t.bins)
            .find(|b| b.file_name().is_some_and(|n| n == args.bin.as_str()))
            .cloned()
    };
    let Some(program) =
        oneoff::lookup(&args.bin, Some(&env::path_with(&places, None)), Path::new("/")).or_else(from_system)
    else {
        return Err(oneoff::Error::CommandNotFound {
            command: args.bin,
            provided: oneoff::provided(&installed),
        }
        .into());
    };
    let mut cmd = launch::command(&program, Environment::Moved { current: &current, next: &next }, &ctx.cwd);
    cmd.arg0(&args.bin).args(&args.args);
    Err(oneoff::Error::Exec { command: program, source: launch::exec(cmd) }.into())
}
