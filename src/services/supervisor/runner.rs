//! The life of one service under the supervisor: wait for its dependencies, run its init
//! once, spawn it, check its readiness, copy its output into its log, and restart it by its
//! policy until it is stopped or ends for good. Only this file spawns service processes
//! (through `process`).

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use nix::sys::signal::Signal;

use super::process::{
    COLORS, End, Stream, describe, join, kill_group, port_taken, print_line, service_env, spawn, terminate,
};
use super::{Echo, FIRST_BACKOFF, MAX_BACKOFF, Phase, STABLE, Supervisor, TAIL};
use crate::io_error::IoError;
use crate::project::Restart;
use crate::services::lease::{self, Lease};
use crate::services::logfile::{self, LogFile};
use crate::services::plan::{self, Unit};
use crate::services::{Error, probe};

impl Supervisor {
    /// The life of one service: wait for its dependencies, then run it, restarting by
    /// its policy, until it is stopped, fails to start or exits for good.
    pub(super) fn run_service(self: Arc<Self>, unit: Unit) {
        let name = unit.name.clone();
        let log = match LogFile::open(&self.dirs, &name, logfile::CAP) {
            Ok(log) => Arc::new(Mutex::new(log)),
            Err(source) => {
                let failure = Error::Log { service: name.clone(), source };
                return self.set(&name, |s| {
                    s.phase = Phase::Failed;
                    s.failure = Some(Arc::new(failure));
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
                    s.failure = Some(Arc::new(e));
                });
            }
            let _ = self.changed.wait_timeout(shared, Duration::from_millis(200));
        }
        if let Some(init) = &unit.init
            && !init.marker.done()
            && let Err(e) = self.initialize(&unit, init, &log)
        {
            return self.set(&name, |s| {
                s.phase =
                    if matches!(e, Error::StoppedDuringInit { .. }) { Phase::Stopped } else { Phase::Failed };
                s.failure = Some(Arc::new(e));
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
                        s.failure = Some(Arc::new(e));
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
    /// (`Error::StoppedDuringInit`); a step that fails is reported with the end of the log.
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
                    // An init step is not the service: `stop_signal` is the server's
                    // (postgres's SIGINT means nothing to `initdb`); a step gets SIGTERM.
                    terminate(&mut child, pid, Signal::SIGTERM, unit.stop_timeout);
                    break None;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            kill_group(pid);
            join(pumps);
            match status {
                None => {
                    return Err(Error::StoppedDuringInit { service: name.clone() });
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
        init.marker.set().map_err(IoError::at("record the finished init in", &init.marker.path()))?;
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
            let _ = lease::write(&self.dirs.root, &lease_path, l);
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
        // Checks start at once and back off from 5 ms: a fast server is seen ready within
        // milliseconds, a slow one is asked at most once a second.
        let mut delay = Duration::from_millis(5);
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
        let _ = crate::fs_util::beneath::remove(&self.dirs.root, lease_path);
        end
    }

    /// A line of den's own about a service, in its log (and on the terminal).
    pub(super) fn note(&self, name: &str, log: &Arc<Mutex<LogFile>>, line: &str) {
        let _ = log.lock().unwrap_or_else(|p| p.into_inner()).line(line.as_bytes());
        self.echo(name, line);
    }

    pub(super) fn echo(&self, name: &str, line: &str) {
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
