//! Detached services: `den up -d` and `[enter].services` hand their services to the
//! project's background supervisor (`den __supervise`, den re-executed in its own session),
//! starting one when none listens, and wait until the services are ready, saying on a
//! terminal what each waits for. Never runs a service itself (the supervisor does), never
//! computes an environment (the supervisor's den builds it the one way).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::control::{self, Request};
use super::{Dirs, Error, logfile, preset};
use crate::io_error::IoError;
use crate::project::Project;
use crate::ui;

/// How long `den up -d` waits for a new supervisor to listen.
const LISTEN_WAIT: Duration = Duration::from_secs(10);

/// Starts `names` through the project's background supervisor, starting one first when
/// none runs, and waits until they are ready.
pub fn start(
    project: &Project,
    dirs: &Dirs,
    tools: &HashMap<String, preset::Tool>,
    names: &[String],
    session: bool,
) -> Result<(), Error> {
    match super::supervisor(dirs) {
        Some(lease) if std::os::unix::net::UnixStream::connect(dirs.socket()).is_ok() => {
            let planned = std::fs::read_to_string(dirs.run.join(super::MANIFEST)).unwrap_or_default();
            if planned.trim() != super::manifest_digest(project.den_toml.as_deref()) {
                ui::warn(&format!(
                    "den.toml changed since the services were started (supervisor pid {}): `den down` then `den up -d` to apply it",
                    lease.pid
                ));
            }
        }
        _ => spawn_supervisor(dirs, tools)?,
    }
    let done = Arc::new(AtomicBool::new(false));
    let progress = std::io::stderr().is_terminal().then(|| {
        let (done, run) = (Arc::clone(&done), dirs.run.clone());
        std::thread::spawn(move || progress(&run, &done))
    });
    let request = Request::Start { names: names.to_vec(), session };
    let mut result = control::request(dirs, &request);
    if let Err(super::Error::Io { .. } | super::Error::NoAnswer) = &result
        && supervisor_left(dirs)
    {
        // It was leaving (nothing left to run) as we asked: start a new one, once.
        spawn_supervisor(dirs, tools)?;
        result = control::request(dirs, &request);
    }
    done.store(true, Ordering::SeqCst);
    if let Some(thread) = progress {
        let _ = thread.join();
    }
    if result.is_err() {
        // A supervisor left with nothing to run ends by itself; let it, so that the next
        // command finds the project as it was.
        let began = Instant::now();
        while super::supervisor(dirs).is_some()
            && began.elapsed() < Duration::from_secs(3)
            && !super::status::read(&dirs.run).iter().any(|e| e.pid.is_some())
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    result
}

/// Whether the supervisor that was asked is gone (waiting up to 3 s for one that is
/// leaving), so that the request never reached a live one.
fn supervisor_left(dirs: &Dirs) -> bool {
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(3) {
        if super::supervisor(dirs).is_none() {
            return true;
        }
        if std::os::unix::net::UnixStream::connect(dirs.socket()).is_ok()
            && super::status::read(&dirs.run).iter().any(|e| e.pid.is_some())
        {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// On a terminal, while `den up -d` waits: one line each time a service changes state,
/// naming the check it waits on.
fn progress(run: &Path, done: &AtomicBool) {
    let mut seen: HashMap<String, String> = HashMap::new();
    while !done.load(Ordering::SeqCst) {
        for e in super::status::read(run) {
            if seen.get(&e.name) == Some(&e.state) || matches!(&e.state[..], "stopped" | "waiting") {
                continue;
            }
            let waiting = match (&e.state[..], &e.check) {
                ("starting", Some(check)) => format!(" (waiting for {check})"),
                _ => String::new(),
            };
            ui::note(&format!("{}: {}{waiting}", e.name, e.state));
            seen.insert(e.name, e.state);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `den __supervise` in its own session, its output in `.den/logs/supervisor.log`; returns
/// once it listens.
#[allow(
    clippy::disallowed_methods,
    reason = "den starts itself (`den __supervise`) with its own environment, not a user's program"
)]
fn spawn_supervisor(dirs: &Dirs, tools: &HashMap<String, preset::Tool>) -> Result<(), Error> {
    let exe = std::env::current_exe().map_err(|e| IoError::named("find", "den's own executable", e))?;
    let log_path = dirs.logs.join("supervisor.log");
    let logs = dirs.open("logs").map_err(IoError::at("open", &dirs.logs))?;
    let log = || logs.append(std::ffi::OsStr::new("supervisor.log")).map_err(IoError::at("open", &log_path));
    let mut cmd = Command::new(exe);
    // den itself, with the environment outside any project the caller's shell applied (the
    // supervisor builds each service's environment through `env` itself).
    crate::helper_env::environment(&mut cmd);
    let tools = serde_json::to_string(tools).expect("tools serialize");
    cmd.arg("-C").arg(&dirs.root).arg("__supervise").arg("--tools").arg(tools).current_dir(&dirs.root);
    cmd.stdin(Stdio::null()).stdout(log()?).stderr(log()?);
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| nix::unistd::setsid().map(drop).map_err(std::io::Error::from));
    }
    let mut child = cmd.spawn().map_err(|e| IoError::named("start", "the services supervisor", e))?;
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
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn died(log: &Path) -> Error {
    Error::SupervisorDied { log: log.to_path_buf(), tail: logfile::tail(log, 10).join("\n") }
}
