//! What the supervisor runs: one `Unit` per service (argv, directory, environment
//! overlay, readiness, restart and stop rules, its init and where den records that the
//! init passed). The types `plan` makes and the presets fill in; no logic of planning.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::Signal;

use super::probe::Readiness;
use crate::env::service_record;
use crate::fs_util::beneath;
use crate::paths::DenDir;
use crate::project::Restart;

/// One service, ready to be run.
#[derive(Debug, Clone)]
pub struct Unit {
    pub name: String,
    /// Program and arguments, exec'd directly.
    pub argv: Vec<String>,
    pub cwd: PathBuf,
    /// Variables over the project environment, in order (`${NAME}` already resolved by
    /// the supervisor at start).
    pub env: Vec<(String, String)>,
    pub ready: Option<Readiness>,
    pub deps: Vec<String>,
    pub restart: Restart,
    pub stop_signal: Signal,
    pub stop_timeout: Duration,
    /// The port den reserves for the service (checked free before it starts).
    pub port: Option<u16>,
    /// Run as this user (uid, gid) instead of den's: a preset whose server refuses root,
    /// when den runs as root. `cwd` is then entered before the switch.
    pub user: Option<(u32, u32)>,
    /// Steps run once before the first start; the marker records that they passed.
    pub init: Option<Init>,
    /// Globs (relative to the project root) whose changes restart the service.
    pub watch: Vec<String>,
}

/// A service's one-time initialisation (`initdb` for postgres).
#[derive(Debug, Clone)]
pub struct Init {
    pub steps: Vec<Step>,
    pub marker: Marker,
}

/// The file in `.den/state/<service>/` that says a `run` service's `init` passed.
const INIT_MARKER: &str = "initialized";

/// `.den/state/<service>` relative to the project's root.
fn state_of(service: &str) -> PathBuf {
    Path::new(".den/state").join(service)
}

/// Where den records that an init passed.
#[derive(Debug, Clone)]
pub enum Marker {
    /// `.den/state/<service>/initialized` for a service's own `init` command: a repository
    /// that ships it only skips a command its own den.toml names. Written and removed
    /// through `fs_util::beneath` (never through a link there).
    File { root: PathBuf, service: String },
    /// den's own record of a preset's data directory (`env::service_record`): a repository
    /// cannot ship it, so a data directory den did not initialise is never taken as done.
    Record { root: PathBuf, service: String },
}

impl Marker {
    /// Whether the init passed.
    pub fn done(&self) -> bool {
        match self {
            Marker::File { root, service } => beneath::existing(root, &state_of(service))
                .is_ok_and(|dir| dir.is_own_file(OsStr::new(INIT_MARKER))),
            Marker::Record { root, service } => {
                service_record::read(root, service).and_then(|r| r.state).is_some_and(|s| s.initialized)
            }
        }
    }

    /// Where it is recorded (for a message).
    pub fn path(&self) -> PathBuf {
        match self {
            Marker::File { root, service } => DenDir::of(root).service_state(service).join(INIT_MARKER),
            Marker::Record { root, service } => {
                service_record::file(root, service).unwrap_or_else(|| service_record::dir(root))
            }
        }
    }

    /// Records that the init passed.
    pub fn set(&self) -> std::io::Result<()> {
        self.record(true)
    }

    /// Records that the init must run again (what it made is gone).
    pub fn clear(&self) -> std::io::Result<()> {
        self.record(false)
    }

    fn record(&self, done: bool) -> std::io::Result<()> {
        match self {
            Marker::File { root, service } if done => {
                let dir = beneath::den_subdir(root, &Path::new("state").join(service))?;
                dir.write(OsStr::new(INIT_MARKER), b"", 0o600)
            }
            Marker::File { root, .. } => beneath::remove(root, &self.path()),
            Marker::Record { root, service } => {
                let mut record = service_record::read(root, service)
                    .filter(|r| r.state.is_some())
                    .ok_or_else(|| std::io::Error::other("den's record of the data directory is gone"))?;
                if let Some(state) = &mut record.state {
                    state.initialized = done;
                }
                service_record::write(root, &record).map(|_| ())
            }
        }
    }
}

/// One init step: an argv, exec'd like the service (same user, directory, environment),
/// with `stdin` written to it when given.
#[derive(Debug, Clone)]
pub struct Step {
    pub argv: Vec<String>,
    pub stdin: Option<String>,
}
