//! `den up [name…] [-d]`: start the project's services with their dependencies. In the
//! foreground the supervisor runs inside this process, printing each service's lines with
//! its name, until Ctrl-C, SIGTERM or `den down`; with `-d` a background supervisor (den
//! re-exec'd as `den __supervise`, in its own session) takes them and this command returns
//! once all are ready. An untrusted project starts nothing.

use std::io::IsTerminal;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use crate::cli::UpArgs;
use crate::error::{Error, Result};
use crate::project::{self, Project};
use crate::services::control::{self, Request};
use crate::services::plan;
use crate::services::supervisor::{self, Echo};
use crate::services::{self, Dirs, logfile};
use crate::{activate, env, env_vars, tools, ui};

use super::Ctx;

/// How long `den up -d` waits for a new supervisor to listen.
const LISTEN_WAIT: Duration = Duration::from_secs(10);

pub fn run(ctx: &Ctx, args: UpArgs) -> Result<ExitCode> {
    let project = find(ctx)?;
    super::enter::ensure_trusted(&project, false, "start its services")?;
    let units = plan::units(&project)?;
    plan::select(&units, &args.services)?;
    let dirs = Dirs::of(&project.root);
    dirs.create()?;
    swept(&dirs);
    if args.detach {
        install_tools(ctx, &project)?;
        start_detached(&dirs, &args.services, false)?;
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
    let color =
        std::io::stdout().is_terminal() && std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty());
    supervisor::serve(dirs, units, env, Echo::Prefixed { color }, Some(&args.services))?;
    Ok(ExitCode::SUCCESS)
}

/// `den __supervise`: the detached supervisor, started by `den up -d` or `den enter` in
/// the project root, with nothing to ask on a terminal.
pub fn supervise(ctx: &Ctx) -> Result<ExitCode> {
    let project = find(ctx)?;
    super::enter::ensure_trusted(&project, false, "start its services")?;
    let units = plan::units(&project)?;
    let env = service_env(ctx, &project)?;
    supervisor::serve(Dirs::of(&project.root), units, env, Echo::Quiet, None)?;
    Ok(ExitCode::SUCCESS)
}

/// The project at (or above) the working directory.
pub(super) fn find(ctx: &Ctx) -> Result<Project> {
    Ok(project::find(&ctx.cwd)?.ok_or_else(|| project::Error::NotFound { dir: ctx.cwd.clone() })?)
}

/// Says which services a crashed supervisor left behind, now stopped.
pub(super) fn swept(dirs: &Dirs) {
    for (name, pid) in services::sweep(dirs) {
        ui::note(&format!("stopped {name} (pid {pid}), left running by a supervisor that is gone"));
    }
}

/// Installs the project's missing tools (with progress), as `den enter` does.
fn install_tools(ctx: &Ctx, project: &Project) -> Result<()> {
    let (_, missing) = tools::locate(project)?;
    if !missing.is_empty() {
        let opts = tools::Options { offline: ctx.offline, ..tools::Options::default() };
        tools::sync(project, &ctx.config, &opts)?;
    }
    Ok(())
}

/// The project's environment for a fresh process, as `den run` builds it, without the
/// `__DEN_STATE` record (a service is not a shell den would restore).
fn service_env(ctx: &Ctx, project: &Project) -> Result<Vec<(String, String)>> {
    install_tools(ctx, project)?;
    let (installed, _) = tools::locate(project)?;
    let current = activate::current_vars();
    let mut next = env::applied(project, &env::outside(&current), &tools::path_dirs(&installed))?;
    env::release(&next);
    next.remove(env_vars::DEN_STATE_VAR);
    Ok(next.into_iter().collect())
}

/// Starts `names` through the project's background supervisor, starting one first when
/// none runs, and waits until they are ready.
pub(super) fn start_detached(dirs: &Dirs, names: &[String], session: bool) -> Result<()> {
    if services::supervisor(dirs).is_none() || std::os::unix::net::UnixStream::connect(dirs.socket()).is_err()
    {
        spawn_supervisor(dirs)?;
    }
    if ui::interactive() {
        ui::note(&format!(
            "starting {}",
            if names.is_empty() { "the project's services".to_string() } else { names.join(", ") }
        ));
    }
    control::request(dirs, &Request::Start { names: names.to_vec(), session })?;
    Ok(())
}

/// `den __supervise` in its own session, its output in `.den/logs/supervisor.log`; returns
/// once it listens.
fn spawn_supervisor(dirs: &Dirs) -> Result<()> {
    let exe = std::env::current_exe().map_err(|e| Error::io("cannot find den's own executable", e))?;
    let log_path = dirs.logs.join("supervisor.log");
    let log = || {
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&log_path)
            .map_err(|e| Error::io(format!("cannot open {}", log_path.display()), e))
    };
    let mut cmd = Command::new(exe);
    cmd.arg("-C").arg(&dirs.root).arg("__supervise").current_dir(&dirs.root);
    cmd.stdin(Stdio::null()).stdout(log()?).stderr(log()?);
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from));
    }
    let mut child = cmd.spawn().map_err(|e| Error::io("cannot start the services supervisor", e))?;
    let began = Instant::now();
    loop {
        if std::os::unix::net::UnixStream::connect(dirs.socket()).is_ok() {
            // Reap it whenever it ends, for callers that outlive it (`den enter`).
            std::thread::spawn(move || child.wait());
            return Ok(());
        }
        if let Ok(Some(_)) = child.try_wait() {
            return Err(died(&log_path));
        }
        if began.elapsed() > LISTEN_WAIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(died(&log_path));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn died(log: &Path) -> Error {
    services::Error::SupervisorDied { log: log.to_path_buf(), tail: logfile::tail(log, 10).join("\n") }.into()
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
