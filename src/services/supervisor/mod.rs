//! The supervisor: one per project (a lock file says so), running services in their own
//! process groups with a parent-death signal, in dependency order, checking readiness,
//! restarting by policy, logging, leasing, and stopping in reverse order. It serves the
//! control socket (`control`) so that `den up -d`, `den down`, `den restart` and
//! `den enter` reach it. It never computes the environment it is given and never asks
//! anything on a terminal.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

mod process;
mod runner;

use super::control::{self, Request};
use super::lease::{self, Lease};
use super::logfile::{self, LogFile};
use super::plan::{self, Unit};
use super::{Dirs, Error, probe, status, watch};
use crate::io_error::IoError;

/// Lines of a log shown when a service fails to start.
const TAIL: usize = 20;
/// First delay before restarting a failed service; doubled each time up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A service that ran this long before exiting restarts from the first delay again.
const STABLE: Duration = Duration::from_secs(30);
/// How long a detached supervisor waits for its first request before leaving.
const IDLE_GRACE: Duration = Duration::from_secs(15);
/// How long a new supervisor waits for one that is leaving to let go of the lock.
const LEAVING_WAIT: Duration = Duration::from_secs(5);

/// Where service output goes besides the log files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    /// Only the logs (a detached supervisor).
    Quiet,
    /// Also stdout, each line prefixed with the service name, coloured or not.
    Prefixed { color: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    /// Running its init steps.
    Initializing,
    Starting,
    Ready,
    Restarting,
    Stopping,
    Stopped,
    Exited,
    Failed,
}

impl Phase {
    fn active(self) -> bool {
        matches!(
            self,
            Phase::Waiting
                | Phase::Initializing
                | Phase::Starting
                | Phase::Ready
                | Phase::Restarting
                | Phase::Stopping
        )
    }
    fn word(self) -> &'static str {
        match self {
            Phase::Waiting => "waiting",
            Phase::Initializing => "initializing",
            Phase::Starting => "starting",
            Phase::Ready => "ready",
            Phase::Restarting => "restarting",
            Phase::Stopping => "stopping",
            Phase::Stopped => "stopped",
            Phase::Exited => "exited",
            Phase::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
struct Slot {
    phase: Phase,
    pid: Option<i32>,
    since: Option<u64>,
    restarts: u32,
    stop: bool,
    /// Why the last start failed.
    failure: Option<Arc<Error>>,
}

impl Default for Slot {
    fn default() -> Slot {
        Slot { phase: Phase::Stopped, pid: None, since: None, restarts: 0, stop: false, failure: None }
    }
}

#[derive(Default)]
struct Shared {
    slots: HashMap<String, Slot>,
    /// Started by `den up`: they stay until `den down`.
    pinned: HashSet<String>,
    /// Started for `den enter` sessions only: they stop when the last session ends.
    ephemeral: HashSet<String>,
    quit: bool,
    requests: u32,
    /// Requests being answered: the supervisor does not leave in the middle of one.
    in_flight: u32,
}

/// A running supervisor.
pub struct Supervisor {
    dirs: Dirs,
    units: Vec<Unit>,
    env: Vec<(String, String)>,
    echo: Echo,
    shared: Mutex<Shared>,
    changed: Condvar,
    /// Start, stop and restart requests run one at a time.
    ops: Mutex<()>,
}

static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: nix::libc::c_int) {
    SIGNALLED.store(true, Ordering::SeqCst);
}

/// Runs a supervisor until it is told to stop (a signal, `den down`), or — detached — until
/// nothing is left running; in the foreground, `initial` services are started first and an
/// error starting them is returned after everything is stopped.
pub fn serve(
    dirs: Dirs,
    units: Vec<Unit>,
    env: Vec<(String, String)>,
    echo: Echo,
    initial: Option<&[String]>,
    manifest: &str,
) -> Result<(), Error> {
    dirs.create()?;
    let lock_path = dirs.run.join("supervisor.lock");
    let run = dirs.open("run").map_err(IoError::at("create", &dirs.run))?;
    let lock =
        run.lock_file(std::ffi::OsStr::new("supervisor.lock")).map_err(IoError::at("create", &lock_path))?;
    // A supervisor that is leaving (nothing left to run) holds the lock until it exits,
    // after it stopped listening: wait for it, but never for one that still serves.
    let began = Instant::now();
    while lock.try_lock().is_err() {
        let serving = std::os::unix::net::UnixStream::connect(dirs.socket()).is_ok();
        if serving || began.elapsed() > LEAVING_WAIT {
            let pid = lease::read(&dirs.supervisor_lease()).map_or(0, |l| l.pid);
            return Err(Error::Running { pid });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    super::sweep(&dirs);
    let me = Lease::of(std::process::id() as i32)
        .ok_or_else(|| IoError::path("read", "/proc/self/stat", std::io::Error::other("no own stat")))?;
    lease::write(&dirs.root, &dirs.supervisor_lease(), me)
        .map_err(IoError::at("write", &dirs.supervisor_lease()))?;
    // What it runs was planned from this den.toml: later commands can tell it changed.
    let _ = run.write(std::ffi::OsStr::new(super::MANIFEST), manifest.as_bytes(), 0o600);
    for sig in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        let action = SigAction::new(SigHandler::Handler(on_signal), SaFlags::SA_RESTART, SigSet::empty());
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        let _ = unsafe { sigaction(sig, &action) };
    }
    let sup = Arc::new(Supervisor {
        dirs: dirs.clone(),
        units,
        env,
        echo,
        shared: Mutex::new(Shared::default()),
        changed: Condvar::new(),
        ops: Mutex::new(()),
    });
    control::listen(&dirs, Arc::new(Answering(Arc::clone(&sup))))?;
    let _watcher = watch_files(&sup);
    let result = match initial {
        Some(names) => sup.start(names, false),
        None => Ok(()),
    };
    if result.is_ok() {
        sup.main_loop(initial.is_none());
    }
    // New clients find no supervisor from here on.
    let _ = crate::fs_util::beneath::remove(&dirs.root, &dirs.socket());
    sup.stop_all();
    for file in [dirs.run.join(status::FILE), dirs.supervisor_lease(), dirs.run.join(super::MANIFEST)] {
        let _ = crate::fs_util::beneath::remove(&dirs.root, &file);
    }
    drop(lock);
    result
}

/// The supervisor as the control socket's `Server`: what each request does.
struct Answering(Arc<Supervisor>);

impl control::Server for Answering {
    fn answer(&self, request: Request) -> Result<(), Error> {
        let sup = &self.0;
        match request {
            Request::Start { names, session } => sup.start(&names, session),
            Request::Stop { names } => {
                match names.iter().find(|n| !sup.units.iter().any(|u| &u.name == *n)) {
                    Some(n) => Err(plan::unknown(&sup.units, n)),
                    None => {
                        sup.stop(&names, false);
                        Ok(())
                    }
                }
            }
            Request::Down => {
                sup.stop_all();
                Ok(())
            }
            Request::Restart { name } => sup.restart(&name),
        }
    }

    fn in_flight(&self, entering: bool) {
        self.0.in_flight(entering);
    }
}

/// Watches the files of the services that have `watch` globs (`watch::start`), restarting
/// a service when one of its files changes; the watcher is kept for as long as it should.
fn watch_files(sup: &Arc<Supervisor>) -> Option<notify::RecommendedWatcher> {
    let globs: Vec<(String, String)> =
        sup.units.iter().flat_map(|u| u.watch.iter().map(|g| (u.name.clone(), g.clone()))).collect();
    let sup = Arc::clone(sup);
    let root = sup.dirs.root.clone();
    watch::start(&root, globs, move |name, rel| {
        let sup = Arc::clone(&sup);
        std::thread::spawn(move || sup.restart_for_change(&name, &rel));
    })
}

impl Supervisor {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a signal, `den down`, the end of the last session (for session services)
    /// or, detached, for nothing to be left running.
    fn main_loop(&self, detached: bool) {
        let begun = Instant::now();
        loop {
            if SIGNALLED.load(Ordering::SeqCst) || self.lock().quit {
                return;
            }
            let (idle, ephemeral) = {
                let shared = self.lock();
                let busy = shared.slots.values().any(|s| s.phase.active());
                let ephemeral: Vec<String> = shared
                    .ephemeral
                    .iter()
                    .filter(|n| shared.slots.get(*n).is_some_and(|s| s.phase.active()))
                    .cloned()
                    .collect();
                let waited = shared.requests > 0 || begun.elapsed() > IDLE_GRACE;
                (!busy && shared.in_flight == 0 && (waited || !detached), ephemeral)
            };
            if idle && self.ops.try_lock().is_ok() {
                return;
            }
            if !ephemeral.is_empty() && !control::sessions_alive(&self.dirs) {
                self.stop_session_services();
            }
            let shared = self.lock();
            let _ = self.changed.wait_timeout(shared, Duration::from_millis(200));
        }
    }

    /// Starts `names` (all when empty) with their dependencies and waits until each is
    /// ready. On a failure, what this request started is stopped again and the failure
    /// returned. `session`: for a `den enter` session (stopped with the last session)
    /// rather than `den up` (kept until `den down`).
    fn start(self: &Arc<Self>, names: &[String], session: bool) -> Result<(), Error> {
        let _op = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        let order = plan::select(&self.units, names)?;
        let mut launched = Vec::new();
        {
            let mut shared = self.lock();
            shared.requests += 1;
            for name in &order {
                if session {
                    if !shared.pinned.contains(name) {
                        shared.ephemeral.insert(name.clone());
                    }
                } else {
                    shared.ephemeral.remove(name);
                    shared.pinned.insert(name.clone());
                }
                let slot = shared.slots.entry(name.clone()).or_default();
                if slot.phase.active() && !slot.stop {
                    continue;
                }
                *slot = Slot { phase: Phase::Waiting, restarts: slot.restarts, ..Slot::default() };
                launched.push(name.clone());
            }
            self.publish(&shared);
        }
        for name in &launched {
            let sup = Arc::clone(self);
            let unit = self.units.iter().find(|u| &u.name == name).cloned().expect("selected from units");
            std::thread::spawn(move || sup.run_service(unit));
        }
        let failure = {
            let mut shared = self.lock();
            loop {
                let failed = order.iter().find_map(|n| {
                    let slot = &shared.slots[n];
                    match slot.phase {
                        Phase::Ready
                        | Phase::Waiting
                        | Phase::Initializing
                        | Phase::Starting
                        | Phase::Restarting => None,
                        _ => Some(slot.failure.clone().map_or_else(
                            || Error::StoppedBeforeReady { service: n.clone(), state: slot.phase.word() },
                            Error::Failed,
                        )),
                    }
                });
                if failed.is_some() || order.iter().all(|n| shared.slots[n].phase == Phase::Ready) {
                    break failed;
                }
                if SIGNALLED.load(Ordering::SeqCst) {
                    break Some(Error::Interrupted);
                }
                shared = self
                    .changed
                    .wait_timeout(shared, Duration::from_millis(200))
                    .map(|(g, _)| g)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
        };
        match failure {
            None => Ok(()),
            Some(failure) => {
                self.stop_held(&launched, false);
                Err(failure)
            }
        }
    }

    /// Stops `names` and what depends on them, dependants first; `quit` also ends the
    /// supervisor. Waits for a start or restart in progress to finish first.
    fn stop(&self, names: &[String], quit: bool) {
        let _op = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        self.stop_held(names, quit);
    }

    /// [`Supervisor::stop`] for a caller that holds `ops`.
    fn stop_held(&self, names: &[String], quit: bool) {
        let mut order: Vec<String> = Vec::new();
        for name in names {
            for n in plan::with_dependents(&self.units, name) {
                if !order.contains(&n) {
                    order.push(n);
                }
            }
        }
        // Reverse start order.
        let mut ordered: Vec<&Unit> = self.units.iter().filter(|u| order.contains(&u.name)).collect();
        ordered.reverse();
        for unit in ordered {
            let mut shared = self.lock();
            shared.pinned.remove(&unit.name);
            shared.ephemeral.remove(&unit.name);
            let Some(slot) = shared.slots.get_mut(&unit.name) else { continue };
            if !slot.phase.active() {
                continue;
            }
            slot.stop = true;
            self.changed.notify_all();
            while shared.slots[&unit.name].phase.active() {
                shared = self
                    .changed
                    .wait_timeout(shared, Duration::from_millis(100))
                    .map(|(g, _)| g)
                    .unwrap_or_else(|p| p.into_inner().0);
            }
        }
        if quit {
            self.lock().quit = true;
            self.changed.notify_all();
        }
    }

    /// Stops the services only sessions hold, once no session is left (checked again
    /// under `ops`, so that a `den up -d` or a new session in between keeps them).
    fn stop_session_services(&self) {
        let _op = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        if control::sessions_alive(&self.dirs) {
            return;
        }
        let ephemeral: Vec<String> = {
            let shared = self.lock();
            shared
                .ephemeral
                .iter()
                .filter(|n| !shared.pinned.contains(*n))
                .filter(|n| shared.slots.get(*n).is_some_and(|s| s.phase.active()))
                .cloned()
                .collect()
        };
        self.stop_held(&ephemeral, false);
    }

    /// Stops every service, in reverse dependency order.
    fn stop_all(&self) {
        let names: Vec<String> = self.units.iter().map(|u| u.name.clone()).collect();
        self.stop(&names, true);
    }

    /// `watch`: a file of `name`'s changed; restarts it when it runs.
    fn restart_for_change(self: &Arc<Self>, name: &str, path: &str) {
        let running =
            self.lock().slots.get(name).is_some_and(|s| matches!(s.phase, Phase::Ready | Phase::Starting));
        if !running {
            return;
        }
        if let Ok(log) = LogFile::open(&self.dirs, name, logfile::CAP) {
            self.note(name, &Arc::new(Mutex::new(log)), &format!("den: {path} changed: restarting"));
        }
        if let Err(e) = self.restart(name) {
            self.echo(name, &format!("den: {e}"));
        }
    }

    /// Stops `name` (alone) and starts it again.
    fn restart(self: &Arc<Self>, name: &str) -> Result<(), Error> {
        if !self.units.iter().any(|u| u.name == name) {
            return Err(plan::unknown(&self.units, name));
        }
        let session = {
            let shared = self.lock();
            shared.ephemeral.contains(name)
        };
        {
            let _op = self.ops.lock().unwrap_or_else(|p| p.into_inner());
            let mut shared = self.lock();
            if let Some(slot) = shared.slots.get_mut(name).filter(|s| s.phase.active()) {
                slot.stop = true;
                self.changed.notify_all();
                while shared.slots[name].phase.active() {
                    shared = self
                        .changed
                        .wait_timeout(shared, Duration::from_millis(100))
                        .map(|(g, _)| g)
                        .unwrap_or_else(|p| p.into_inner().0);
                }
            }
        }
        self.start(&[name.to_string()], session)
    }

    /// Counts a request in (`true`) or out, for the main loop's "nothing left to do".
    fn in_flight(&self, entering: bool) {
        let mut shared = self.lock();
        if entering {
            shared.in_flight += 1;
        } else {
            shared.in_flight = shared.in_flight.saturating_sub(1);
        }
        self.changed.notify_all();
    }

    fn set(&self, name: &str, f: impl FnOnce(&mut Slot)) {
        let mut shared = self.lock();
        if let Some(slot) = shared.slots.get_mut(name) {
            f(slot);
        }
        self.publish(&shared);
        self.changed.notify_all();
    }

    fn stop_requested(&self, name: &str) -> bool {
        let shared = self.lock();
        shared.slots.get(name).is_some_and(|s| s.stop) || shared.quit
    }

    /// Writes the status file for `den ps`.
    fn publish(&self, shared: &Shared) {
        let entries: Vec<status::Entry> = self
            .units
            .iter()
            .map(|u| {
                let slot = shared.slots.get(&u.name).cloned().unwrap_or_default();
                status::Entry {
                    name: u.name.clone(),
                    state: slot.phase.word().into(),
                    pid: slot.pid.filter(|_| slot.phase.active()),
                    port: u.port,
                    since: slot.since.filter(|_| slot.phase.active()),
                    restarts: slot.restarts,
                    command: u.argv.clone(),
                    check: u.ready.as_ref().map(|r| probe::describe(&r.check)),
                }
            })
            .collect();
        status::write(&self.dirs.root, &self.dirs.run, &entries);
    }

    /// Sleeps up to `d`, returning early (true) when a stop is requested.
    fn pause(&self, name: &str, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut shared = self.lock();
        loop {
            if shared.slots.get(name).is_some_and(|s| s.stop) || shared.quit {
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            shared = self
                .changed
                .wait_timeout(shared, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
}
