//! Lease files under `.den/run/`: `<name>.lease` for each running service (its process
//! group leader) and `supervisor.lease` for the supervisor, each holding a pid and that
//! process's start time, so a recycled pid is never taken for a service. They let any later
//! `den` find what a crashed supervisor left behind. Never starts anything.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::fs_util;
use crate::proc;

/// The supervisor's own lease: `.pid`, not `.lease`, so that a service may be called
/// `supervisor`.
pub const SUPERVISOR: &str = "supervisor.pid";

/// A process named by pid and start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub pid: i32,
    pub start: u64,
}

impl Lease {
    /// The lease of a live process, taken now.
    pub fn of(pid: i32) -> Option<Lease> {
        proc::start_time(pid).map(|start| Lease { pid, start })
    }

    /// Whether the process is still the one leased.
    pub fn alive(&self) -> bool {
        proc::is(self.pid, self.start)
    }
}

/// The lease file of service `name`.
pub fn path(run: &Path, name: &str) -> PathBuf {
    run.join(format!("{name}.lease"))
}

/// Writes a lease (0600, atomically) at `path`, beneath the project's `root`.
pub fn write(root: &Path, path: &Path, lease: Lease) -> std::io::Result<()> {
    fs_util::beneath::write(root, path, format!("{} {}\n", lease.pid, lease.start).as_bytes(), 0o600)
}

/// Reads a lease; `None` when it is missing, not a lease, or not one den wrote: a lease
/// file is den's user's, mode 0600 (a repository could ship `.den/run/*.lease` naming
/// another process; see also [`written_for`]).
pub fn read(path: &Path) -> Option<Lease> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.uid() != nix::unistd::geteuid().as_raw() || meta.mode() & 0o077 != 0 {
        return None;
    }
    let text = fs::read_to_string(path).ok()?;
    let (pid, start) = text.trim().split_once(' ')?;
    Some(Lease { pid: pid.parse().ok().filter(|p| *p > 1)?, start: start.parse().ok()? })
}

/// Whether the lease file at `path` was written when its process had just started (den
/// writes it right after the spawn): a lease file made later, naming a process that had
/// been running for a while, is not den's, whatever it says.
pub fn written_for(path: &Path, lease: Lease) -> bool {
    let Some(started) = proc::started_at(lease.start) else { return false };
    let Ok(written) = fs::metadata(path).and_then(|m| m.modified()) else { return false };
    let Ok(written) = written.duration_since(std::time::UNIX_EPOCH) else { return false };
    let delay = written.as_secs_f64() - started;
    (-2.0..=60.0).contains(&delay)
}

/// Every service lease in `run`, by service name.
pub fn services(run: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(run) else { return Vec::new() };
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.strip_suffix(".lease")?.to_string();
            Some((name, e.path()))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let tmp = tempfile::tempdir().unwrap();
        let me = Lease::of(std::process::id() as i32).unwrap();
        let p = path(tmp.path(), "db");
        write(tmp.path(), &p, me).unwrap();
        assert_eq!(read(&p), Some(me));
        assert!(me.alive());
        for bad in ["", "12", "1 5", "x y", "-5 3"] {
            fs_util::write_atomic(&p, bad.as_bytes(), 0o600).unwrap();
            assert_eq!(read(&p), None, "{bad:?}");
        }
        // Not den's file: readable by others.
        fs_util::write_atomic(&p, format!("{} {}\n", me.pid, me.start).as_bytes(), 0o644).unwrap();
        assert_eq!(read(&p), None);
        assert_eq!(services(tmp.path()), vec![("db".to_string(), p)]);
    }
}
