//! The supervisor: one per project (a lock file says so), running services in their own
//! process groups with a parent-death signal, in dependency order, checking readiness,
//! restarting by policy, logging, leasing, and stopping in reverse order. It serves the
//! control socket (`control`) so that `den up -d`, `den down`, `den restart` and
//! `den enter` reach it. It never computes the environment it is given and never asks
//! anything on a terminal.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, killpg, sigaction};
use nix::unistd::Pid;

use super::lease::{self, Lease};
use super::logfile::{self, LogFile};
use super::plan::{self, Unit};
use super::{Dirs, Error, control, probe, procfs, status};
use crate::project::Restart;

/// Lines of a log shown when a service fails to start.
const TAIL: usize = 20;
/// First delay before restarting a failed service; doubled each time up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A service that ran this long before exiting restarts from the first delay again.
const STABLE: Duration = Duration::from_secs(30);
/// How long a detached supervisor waits for its first request before leaving.
const IDLE_GRACE: Duration = Duration::from_secs(15);

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
    /// Why the last start failed: message and help.
    failure: Option<(String, Option<String>)>,
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
) -> Result<(), Error> {
    dirs.create()?;
    let lock_path = dirs.run.join("supervisor.lock");
    let lock = crate::fs_util::create_private_file(&lock_path)
        .map_err(|e| Error::io(format!("cannot create {}", lock_path.display()), e))?;
    if lock.try_lock().is_err() {
        let pid = lease::read(&dirs.supervisor_lease()).map_or(0, |l| l.pid);
        return Err(Error::Running { pid });
    }
    super::sweep(&dirs);
    let me = Lease::of(std::process::id() as i32)
        .ok_or_else(|| Error::io("cannot read /proc", std::io::Error::other("no own stat")))?;
    lease::write(&dirs.supervisor_lease(), me)
        .map_err(|e| Error::io("cannot write the supervisor lease", e))?;
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
    control::listen(&sup)?;
    let _watcher = super::watch::start(&sup);
    let result = match initial {
        Some(names) => sup.start(names, false),
        None => Ok(()),
    };
    if result.is_ok() {
        sup.main_loop(initial.is_none());
    }
    // New clients find no supervisor from here on.
    let _ = std::fs::remove_file(dirs.socket());
    sup.stop_all();
    let _ = std::fs::remove_file(dirs.run.join(status::FILE));
    let _ = std::fs::remove_file(dirs.supervisor_lease());
    drop(lock);
    result
}

impl Supervisor {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    pub fn dirs(&self) -> &Dirs {
        &self.dirs
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
    pub fn start(self: &Arc<Self>, names: &[String], session: bool) -> Result<(), Error> {
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
                        _ => Some(slot.failure.clone().unwrap_or_else(|| {
                            (
                                format!("service `{n}` stopped before it was ready ({})", slot.phase.word()),
                                None,
                            )
                        })),
                    }
                });
                if failed.is_some() || order.iter().all(|n| shared.slots[n].phase == Phase::Ready) {
                    break failed;
                }
                if SIGNALLED.load(Ordering::SeqCst) {
                    break Some(("interrupted before the services were ready".into(), None));
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
            Some((message, help)) => {
                self.stop_held(&launched, false);
                Err(Error::Remote { message, help })
            }
        }
    }

    /// Stops `names` and what depends on them, dependants first; `quit` also ends the
    /// supervisor. Waits for a start or restart in progress to finish first.
    pub fn stop(&self, names: &[String], quit: bool) {
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
    pub fn stop_all(&self) {
        let names: Vec<String> = self.units.iter().map(|u| u.name.clone()).collect();
        self.stop(&names, true);
    }

    /// `watch`: a file of `name`'s changed; restarts it when it runs.
    pub fn restart_for_change(self: &Arc<Self>, name: &str, path: &str) {
        let running =
            self.lock().slots.get(name).is_some_and(|s| matches!(s.phase, Phase::Ready | Phase::Starting));
        if !running {
            return;
        }
        if let Ok(log) = LogFile::open(&self.dirs.log(name), logfile::CAP) {
            self.note(name, &Arc::new(Mutex::new(log)), &format!("den: {path} changed: restarting"));
        }
        if let Err(e) = self.restart(name) {
            self.echo(name, &format!("den: {e}"));
        }
    }

    /// Stops `name` (alone) and starts it again.
    pub fn restart(self: &Arc<Self>, name: &str) -> Result<(), Error> {
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
    pub fn in_flight(&self, entering: bool) {
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
        status::write(&self.dirs.run, &entries);
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

    /// The life of one service: wait for its dependencies, then run it, restarting by
    /// its policy, until it is stopped, fails to start or exits for good.
    fn run_service(self: Arc<Self>, unit: Unit) {
        let name = unit.name.clone();
        let log = match LogFile::open(&self.dirs.log(&name), logfile::CAP) {
            Ok(log) => Arc::new(Mutex::new(log)),
            Err(e) => {
                let message = format!("cannot open the log of service `{name}`: {e}");
                return self.set(&name, |s| {
                    s.phase = Phase::Failed;
                    s.failure = Some((message, None));
                });
            }
        };
        // Dependencies first.
        loop {
            let shared = self.lock();
            if shared.slots.get(&name).is_some_and(|s| s.stop) || shared.quit {
                drop(shared);
                return self.set(&name, |s| s.phase = Phase::Stopped);
            }
            let phases: Vec<(String, Phase)> = unit
                .deps
                .iter()
                .map(|d| (d.clone(), shared.slots.get(d).map_or(Phase::Stopped, |s| s.phase)))
                .collect();
            if phases.iter().all(|(_, p)| *p == Phase::Ready) {
                break;
            }
            if let Some((dep, _)) = phases.iter().find(|(_, p)| !p.active()) {
                let e = Error::Dependency { service: name.clone(), dependency: dep.clone() };
                drop(shared);
                return self.set(&name, |s| {
                    s.phase = Phase::Failed;
                    s.failure = Some((e.to_string(), e.help()));
                });
            }
            let _ = self.changed.wait_timeout(shared, Duration::from_millis(200));
        }
        if let Some(init) = &unit.init
            && !init.marker.exists()
            && let Err(e) = self.initialize(&unit, init, &log)
        {
            return self.set(&name, |s| {
                s.phase = if matches!(e, Error::Remote { .. }) { Phase::Stopped } else { Phase::Failed };
                s.failure = Some((e.to_string(), e.help()));
            });
        }
        let mut backoff = FIRST_BACKOFF;
        let mut ever_ready = false;
        loop {
            let began = Instant::now();
            let end = self.run_once(&unit, &log, &mut ever_ready);
            let failed = match end {
                End::Stopped => return self.set(&name, |s| s.phase = Phase::Stopped),
                End::StartFailed(e) if !ever_ready => {
                    self.note(&name, &log, &format!("den: {e}").replace('\n', " "));
                    return self.set(&name, |s| {
                        s.phase = Phase::Failed;
                        s.failure = Some((e.to_string(), e.help()));
                    });
                }
                End::StartFailed(_) => true,
                End::Exited(status) => !status.success(),
            };
            let again = match unit.restart {
                Restart::Never => false,
                Restart::OnFailure => failed,
                Restart::Always => true,
            };
            if !again {
                return self.set(&name, |s| s.phase = if failed { Phase::Failed } else { Phase::Exited });
            }
            if began.elapsed() > STABLE {
                backoff = FIRST_BACKOFF;
            }
            self.note(&name, &log, &format!("den: restarting in {:.1}s", backoff.as_secs_f64()));
            self.set(&name, |s| {
                s.phase = Phase::Restarting;
                s.restarts += 1;
            });
            if self.pause(&name, backoff) {
                return self.set(&name, |s| s.phase = Phase::Stopped);
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Runs the init steps in order, then writes the marker. A stop request ends them
    /// (`Error::Remote`); a step that fails is reported with the end of the log.
    fn initialize(&self, unit: &Unit, init: &plan::Init, log: &Arc<Mutex<LogFile>>) -> Result<(), Error> {
        let name = &unit.name;
        let env = service_env(&self.env, &unit.env);
        self.set(name, |s| s.phase = Phase::Initializing);
        for step in &init.steps {
            let shown = step.argv.join(" ");
            let mut child = spawn(unit, &step.argv, &env, step.stdin.is_some()).map_err(|source| {
                Error::Spawn { service: name.clone(), program: step.argv[0].clone(), source }
            })?;
            let pid = child.id() as i32;
            self.note(name, log, &format!("den: init: `{shown}` (pid {pid})"));
            if let (Some(text), Some(mut stdin)) = (&step.stdin, child.stdin.take()) {
                let _ = stdin.write_all(text.as_bytes());
            }
            let pumps = [
                child.stdout.take().map(|o| self.pump(name, log, Stream::Out(o))),
                child.stderr.take().map(|e| self.pump(name, log, Stream::Err(e))),
            ];
            let status = loop {
                if let Ok(Some(status)) = child.try_wait() {
                    break Some(status);
                }
                if self.stop_requested(name) {
                    terminate(&mut child, pid, Signal::SIGTERM, unit.stop_timeout);
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            kill_group(pid);
            join(pumps);
            match status {
                None => {
                    return Err(Error::Remote {
                        message: format!("service `{name}` was stopped during its init"),
                        help: None,
                    });
                }
                Some(status) if status.success() => {}
                Some(status) => {
                    return Err(Error::InitFailed {
                        service: name.clone(),
                        step: shown,
                        status: describe(status),
                        log: self.dirs.log(name),
                        tail: logfile::tail(&self.dirs.log(name), TAIL).join("\n"),
                    });
                }
            }
        }
        if let Some(dir) = init.marker.parent() {
            crate::fs_util::real_dir(dir)
                .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        }
        crate::fs_util::write_atomic(&init.marker, b"", 0o600)
            .map_err(|e| Error::io(format!("cannot write {}", init.marker.display()), e))?;
        self.note(name, log, "den: init done");
        Ok(())
    }

    /// Runs the service once: spawn, wait for readiness, wait for exit or a stop request.
    fn run_once(&self, unit: &Unit, log: &Arc<Mutex<LogFile>>, ever_ready: &mut bool) -> End {
        let name = &unit.name;
        if let Some(port) =
            unit.port.or_else(|| unit.ready.as_ref().and_then(|r| probe::local_port(&r.check)))
            && let Some(e) = port_taken(name, port)
        {
            return End::StartFailed(e);
        }
        let env = service_env(&self.env, &unit.env);
        let mut child = match spawn(unit, &unit.argv, &env, false) {
            Ok(child) => child,
            Err(source) => {
                return End::StartFailed(Error::Spawn {
                    service: name.clone(),
                    program: unit.argv[0].clone(),
                    source,
                });
            }
        };
        let pid = child.id() as i32;
        let lease_path = lease::path(&self.dirs.run, name);
        if let Some(l) = Lease::of(pid) {
            let _ = lease::write(&lease_path, l);
        }
        let pumps = [
            child.stdout.take().map(|o| self.pump(name, log, Stream::Out(o))),
            child.stderr.take().map(|e| self.pump(name, log, Stream::Err(e))),
        ];
        let since = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).ok();
        self.set(name, |s| {
            s.phase = Phase::Starting;
            s.pid = Some(pid);
            s.since = since;
        });
        let shown = unit.argv.join(" ").replace('\n', "\\n");
        self.note(name, log, &format!("den: started `{shown}` (pid {pid})"));
        let began = Instant::now();
        let mut ready = unit.ready.is_none();
        if ready {
            *ever_ready = true;
            self.set(name, |s| s.phase = Phase::Ready);
        }
        // Checks start at once and back off from 10 ms: a fast server is seen ready within
        // milliseconds, a slow one is asked at most once a second.
        let mut delay = Duration::from_millis(10);
        let end = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break if ready {
                    End::Exited(status)
                } else {
                    kill_group(pid);
                    join(pumps);
                    let tail = logfile::tail(&self.dirs.log(name), TAIL).join("\n");
                    return self.finish(
                        &lease_path,
                        End::StartFailed(Error::Exited {
                            service: name.clone(),
                            status: describe(status),
                            log: self.dirs.log(name),
                            tail,
                        }),
                    );
                };
            }
            if self.stop_requested(name) {
                self.set(name, |s| s.phase = Phase::Stopping);
                self.note(name, log, &format!("den: stopping ({})", unit.stop_signal));
                let status = terminate(&mut child, pid, unit.stop_signal, unit.stop_timeout);
                self.note(name, log, &format!("den: stopped ({})", status.map_or("gone".into(), describe)));
                break End::Stopped;
            }
            if ready {
                let shared = self.lock();
                let _ = self.changed.wait_timeout(shared, Duration::from_millis(100));
                continue;
            }
            let check = unit.ready.as_ref().expect("not ready means a probe");
            let waited = began.elapsed();
            if waited >= check.timeout {
                terminate(&mut child, pid, unit.stop_signal, unit.stop_timeout);
                break End::StartFailed(Error::NotReady {
                    service: name.clone(),
                    check: probe::describe(&check.check),
                    waited,
                    log: self.dirs.log(name),
                });
            }
            if probe::check(&check.check, &env, &unit.cwd, check.timeout - waited) {
                ready = true;
                *ever_ready = true;
                self.note(name, log, &format!("den: ready after {:.2}s", waited.as_secs_f64()));
                self.set(name, |s| s.phase = Phase::Ready);
                continue;
            }
            if self.pause(name, delay) {
                continue;
            }
            delay = (delay * 2).min(Duration::from_secs(1));
        };
        if let End::Exited(status) = &end {
            self.note(name, log, &format!("den: exited ({})", describe(*status)));
        }
        kill_group(pid);
        join(pumps);
        self.finish(&lease_path, end)
    }

    fn finish(&self, lease_path: &std::path::Path, end: End) -> End {
        let _ = std::fs::remove_file(lease_path);
        end
    }

    /// A line of den's own about a service, in its log (and on the terminal).
    fn note(&self, name: &str, log: &Arc<Mutex<LogFile>>, line: &str) {
        let _ = log.lock().unwrap_or_else(|p| p.into_inner()).line(line.as_bytes());
        self.echo(name, line);
    }

    fn echo(&self, name: &str, line: &str) {
        if let Some(label) = self.label(name) {
            print_line(&label, line);
        }
    }

    /// The coloured (or plain) `name |` prefix of a service's lines, when they are echoed.
    fn label(&self, name: &str) -> Option<String> {
        let Echo::Prefixed { color } = self.echo else { return None };
        let width = self.units.iter().map(|u| u.name.len()).max().unwrap_or(0);
        let index = self.units.iter().position(|u| u.name == name).unwrap_or(0);
        let label = format!("{name:<width$} |");
        Some(if color { format!("\x1b[{}m{label}\x1b[0m", COLORS[index % COLORS.len()]) } else { label })
    }

    /// Copies one output stream of a service into its log, line by line (long lines in
    /// 8 KiB pieces).
    fn pump(&self, name: &str, log: &Arc<Mutex<LogFile>>, stream: Stream) -> std::thread::JoinHandle<()> {
        let log = Arc::clone(log);
        let name = name.to_string();
        let label = self.label(&name);
        std::thread::spawn(move || {
            let mut reader: BufReader<Box<dyn Read + Send>> = BufReader::new(match stream {
                Stream::Out(o) => Box::new(o),
                Stream::Err(e) => Box::new(e),
            });
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match (&mut reader).take(8192).read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                let _ = log.lock().unwrap_or_else(|p| p.into_inner()).line(&buf);
                if let Some(label) = &label {
                    print_line(label, &String::from_utf8_lossy(buf.strip_suffix(b"\n").unwrap_or(&buf)));
                }
            }
        })
    }
}

/// One prefixed line on stdout, whole (stdout's lock keeps lines from interleaving).
fn print_line(label: &str, line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{label} {line}");
    let _ = out.flush();
}

const COLORS: &[&str] = &["36", "33", "35", "32", "34", "31"];

enum Stream {
    Out(ChildStdout),
    Err(ChildStderr),
}

enum End {
    Stopped,
    StartFailed(Error),
    Exited(ExitStatus),
}

fn join(pumps: [Option<std::thread::JoinHandle<()>>; 2]) {
    for p in pumps.into_iter().flatten() {
        let _ = p.join();
    }
}

/// "exit code 3" or "killed by SIGSEGV".
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => {
            Signal::try_from(sig).map_or_else(|_| format!("signal {sig}"), |s| format!("killed by {s}"))
        }
        _ => "ended".into(),
    }
}

/// Whether `port` is taken on this machine, with who holds it.
fn port_taken(service: &str, port: u16) -> Option<Error> {
    let holder = procfs::port_holder(port);
    let bound = std::net::TcpListener::bind(("127.0.0.1", port)).is_ok();
    (holder.is_some() || !bound).then(|| Error::PortInUse { service: service.to_string(), port, holder })
}

/// The project environment with the service's own variables over it (`${NAME}` in them
/// refers to the project environment and to the service's earlier variables).
fn service_env(base: &[(String, String)], own: &[(String, String)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = base.to_vec();
    for (k, v) in own {
        let value = interpolate(v, &env);
        env.retain(|(name, _)| name != k);
        env.push((k.clone(), value));
    }
    env
}

/// `${NAME}` replaced by its value in `env` (empty when unset); anything else is literal.
fn interpolate(text: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else { break };
        let name = &rest[i + 2..i + end];
        out.push_str(env.iter().rev().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str()));
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Starts `argv` as the service (its directory, user and environment) in its own process
/// group, with a parent-death signal so that it dies with the supervisor even when the
/// supervisor is killed with SIGKILL. stdin is a pipe when `stdin` is wanted, else null.
fn spawn(unit: &Unit, argv: &[String], env: &[(String, String)], stdin: bool) -> std::io::Result<Child> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let parent = std::process::id() as nix::libc::pid_t;
    // As another user, the directory is entered while still root (the user may not be
    // able to reach it by its path), then groups, gid and uid are dropped.
    let switch = match unit.user {
        Some((uid, gid)) => {
            let dir = std::ffi::CString::new(unit.cwd.as_os_str().as_encoded_bytes())
                .map_err(|_| std::io::Error::other("a directory with a NUL byte"))?;
            Some((dir, uid, gid))
        }
        None => {
            cmd.current_dir(&unit.cwd);
            None
        }
    };
    // SAFETY: only async-signal-safe calls (setpgid, chdir, fchown, setgroups, setgid,
    // setuid, prctl, getppid, _exit) between fork and exec; the CString was made before
    // the fork.
    unsafe {
        cmd.pre_exec(move || {
            use nix::libc;
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // A piped stdin is handed to the user too, so that the program can reopen it
            // (`initdb --pwfile=/dev/stdin`); never a /dev/null stdin, which is shared.
            if let Some((dir, uid, gid)) = &switch
                && (libc::chdir(dir.as_ptr()) != 0
                    || (stdin && libc::fchown(0, *uid, *gid) != 0)
                    || libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(*gid) != 0
                    || libc::setuid(*uid) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            // After the user switch: changing credentials clears the parent-death signal.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The supervisor may have died before the signal was set.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// `signal` to the group, SIGKILL to it after `timeout`; the leader's status when reaped.
fn terminate(child: &mut Child, pid: i32, signal: Signal, timeout: Duration) -> Option<ExitStatus> {
    let group = Pid::from_raw(pid);
    let _ = killpg(group, signal);
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                let _ = killpg(group, Signal::SIGKILL);
                return child.wait().ok();
            }
            Err(_) => return None,
        }
    }
}

/// SIGKILL to whatever is left of a group whose leader has been reaped.
fn kill_group(pid: i32) {
    let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_variables_go_over_the_project_and_may_refer_to_it() {
        let base = vec![("PORT".to_string(), "1".to_string()), ("HOST".to_string(), "h".to_string())];
        let own = vec![
            ("PORT".to_string(), "2".to_string()),
            ("URL".to_string(), "http://${HOST}:${PORT}/${NOPE}".to_string()),
        ];
        let env = service_env(&base, &own);
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PORT"), Some("2"));
        assert_eq!(get("URL"), Some("http://h:2/"));
    }
}
