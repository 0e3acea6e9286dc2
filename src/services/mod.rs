//! Services (spec §7): the model turned into a plan (`plan`), the supervisor that runs it
//! (`supervisor`, one per project, in the foreground for `den up` or detached for
//! `den up -d`), readiness probes, logs, leases and the control socket; and the front
//! ends the commands call, one each: `up`, `supervise`, `enter_services`, `down`, `ps`,
//! `logs::open`, `restart` (the commands only parse and print). Front-end only: the hook
//! never reaches this module, and nothing here computes an environment — `prepare` asks
//! `env` for the project's, built the one way den builds it.
//!
//! Nothing of den's is ever left running: services die with a killed supervisor
//! (parent-death signal), and `sweep` stops whatever a dead supervisor's leases still name.

pub mod control;
mod declared;
pub mod detach;
mod down;
mod error;
pub mod lease;
pub mod logfile;
pub mod logs;
pub mod plan;
mod postgres;
mod prepare;
pub mod preset;
pub mod probe;
mod ps;
mod redis;
mod restart;
mod server;
pub mod status;
pub mod supervisor;
mod tools;
pub mod unit;
mod up;
mod watch;

pub use declared::Context;
pub use down::{Purge, down};
pub use error::Error;
pub use prepare::prepare;
pub use ps::ps;
pub use restart::restart;
pub use up::{Mode, enter_services, supervise, up};

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::fs_util::beneath;
use crate::io_error::IoError;
use crate::paths::DenDir;
use crate::proc;

/// `.den/run/` file holding the digest of the den.toml a running supervisor planned from.
pub const MANIFEST: &str = "den.toml.sha256";

/// The digest `MANIFEST` holds: sha256 of the den.toml content the project was parsed from.
pub fn manifest_digest(den_toml: Option<&str>) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(den_toml.unwrap_or_default().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A project's service directories under `.den/` (`paths::DenDir`, the one map of it).
#[derive(Debug, Clone)]
pub struct Dirs {
    pub root: PathBuf,
    pub den: DenDir,
    /// Leases, status, the control socket (0700).
    pub run: PathBuf,
    /// `<name>.log` per service.
    pub logs: PathBuf,
    /// `<name>/` data per service.
    pub state: PathBuf,
}

impl Dirs {
    pub fn of(root: &Path) -> Dirs {
        let den = DenDir::of(root);
        Dirs { root: root.to_path_buf(), run: den.run(), logs: den.logs(), state: den.state(), den }
    }

    /// Creates the directories (0700), one component at a time, never through a link a
    /// repository may have planted, with `.den/.gitignore`.
    pub fn create(&self) -> Result<(), Error> {
        beneath::den_dir(&self.root).map_err(|e| io_err(self.den.path(), e))?;
        for (dir, name) in [(&self.logs, "logs"), (&self.state, "state")] {
            beneath::den_subdir(&self.root, Path::new(name)).map_err(|e| io_err(dir, e))?;
        }
        let run = beneath::den_subdir(&self.root, Path::new("run")).map_err(|e| io_err(&self.run, e))?;
        run.make_private().map_err(|e| io_err(&self.run, e))?;
        Ok(())
    }

    /// `.den/<dir>/` (`logs`, `run`), verified: where den writes that directory's files.
    pub fn open(&self, dir: &str) -> std::io::Result<beneath::Dir> {
        beneath::den_subdir(&self.root, Path::new(dir))
    }

    /// `<name>/` under `state`: one service's data.
    pub fn service_state(&self, name: &str) -> PathBuf {
        self.den.service_state(name)
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.logs.join(format!("{name}.log"))
    }

    pub fn socket(&self) -> PathBuf {
        self.run.join("supervisor.sock")
    }

    pub fn supervisor_lease(&self) -> PathBuf {
        self.run.join(lease::SUPERVISOR)
    }
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    IoError::path("create", path, e).into()
}

/// The live supervisor of the project, if any.
pub fn supervisor(dirs: &Dirs) -> Option<lease::Lease> {
    let path = dirs.supervisor_lease();
    lease::read(&path).filter(|l| l.alive() && lease::written_for(&path, *l))
}

/// When no supervisor is alive, stops every service its leases still name (a supervisor
/// killed before it could stop them) and clears its files. Returns the services stopped.
///
/// A lease is acted on only when it is den's (its owner and mode), names a live process
/// leading its own process group (as every service does), and was written when that
/// process had just started: a lease planted by a repository cannot aim den's signals at
/// another process.
pub fn sweep(dirs: &Dirs) -> Vec<(String, i32)> {
    if supervisor(dirs).is_some() {
        return Vec::new();
    }
    let mut stopped = Vec::new();
    for (name, path) in lease::services(&dirs.run) {
        if let Some(lease) = lease::read(&path)
            .filter(|l| l.alive() && proc::pgid(l.pid) == Some(l.pid) && lease::written_for(&path, *l))
        {
            stop_group(lease, Signal::SIGTERM, Duration::from_secs(3));
            stopped.push((name, lease.pid));
        }
        let _ = beneath::remove(&dirs.root, &path);
    }
    for file in [dirs.run.join(status::FILE), dirs.socket(), dirs.supervisor_lease()] {
        let _ = beneath::remove(&dirs.root, &file);
    }
    stopped
}

/// Sends `signal` to the process group led by the leased process, then SIGKILL to the
/// group if the leader is still there after `grace`.
pub fn stop_group(lease: lease::Lease, signal: Signal, grace: Duration) {
    let group = Pid::from_raw(lease.pid);
    let _ = killpg(group, signal);
    let deadline = Instant::now() + grace;
    while lease.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = killpg(group, Signal::SIGKILL);
}
