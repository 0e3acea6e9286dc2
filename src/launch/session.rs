//! A `den enter` session: its temporary directory (`.den/tmp/<id>`) and its record
//! (`.den/sessions/<id>`, holding den's pid and start time) for as long as the shell runs. Services hang
//! their start and stop on these records; a record whose pid is gone is stale.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

use crate::fs_util::beneath;
use crate::hint::Hint;
use crate::io_error::IoError;
use crate::paths::DenDir;

/// A session's directory or record could not be made: `cannot create <path>: <cause>`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(pub IoError);

impl Hint for Error {
    /// The I/O error's own advice (the permissions of the path, a full disk).
    fn hint(&self) -> Option<String> {
        self.0.hint()
    }
}

/// An open session; `close` removes everything it created.
#[derive(Debug)]
pub struct Session {
    root: PathBuf,
    tmp: PathBuf,
    record: PathBuf,
}

impl Session {
    /// Creates the session's directory and record under `<root>/.den/`, which gets a
    /// `.gitignore` so that nothing of it is ever committed.
    ///
    /// Never follows a symbolic link it did not create (`fs_util::beneath`): directories
    /// are made one component at a time, a link found in their place (a repository may
    /// ship `.den/tmp -> /etc`) is removed and replaced by a real directory, with a
    /// warning; files are replaced by rename, never written through a link.
    pub fn open(root: &Path) -> Result<Session, Error> {
        let den = DenDir::of(root);
        let id = format!("{}", std::process::id());
        let tmp = den.tmp_of(&id);
        let sessions = den.sessions();
        let record = den.session(&id);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |e| Error(IoError::path("create", path, e))
        };
        beneath::den_subdir(root, Path::new("tmp"))
            .and_then(|d| d.child(OsStr::new(&id)))
            .map_err(io(&tmp))?;
        let records = beneath::den_subdir(root, Path::new("sessions")).map_err(io(&sessions))?;
        // pid and start time: a record whose process is gone, or whose pid was reused,
        // holds no services.
        let start = crate::proc::start_time(std::process::id() as i32).unwrap_or(0);
        records.write(OsStr::new(&id), format!("{id} {start}\n").as_bytes(), 0o600).map_err(io(&record))?;
        Ok(Session { root: root.to_path_buf(), tmp, record })
    }

    /// Releases the session: its record and its temporary directory are removed.
    pub fn close(self) {
        let _ = beneath::remove(&self.root, &self.record);
        let _ = fs::remove_dir_all(&self.tmp);
    }
}

extern "C" fn ignore(_: nix::libc::c_int) {}

/// While alive, Ctrl-C and Ctrl-\ at the terminal reach the child shell only: den catches
/// them with a handler that does nothing (not SIG_IGN, which the child would inherit).
pub struct IgnoreInterrupts {
    previous: Vec<(Signal, SigAction)>,
}

impl IgnoreInterrupts {
    pub fn new() -> IgnoreInterrupts {
        let action = SigAction::new(SigHandler::Handler(ignore), SaFlags::SA_RESTART, SigSet::empty());
        let previous = [Signal::SIGINT, Signal::SIGQUIT]
            .into_iter()
            // SAFETY: the handler does nothing, which is async-signal-safe.
            .filter_map(|sig| unsafe { sigaction(sig, &action) }.ok().map(|old| (sig, old)))
            .collect();
        IgnoreInterrupts { previous }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        for (sig, old) in &self.previous {
            // SAFETY: restores the disposition that was in place before.
            let _ = unsafe { sigaction(*sig, old) };
        }
    }
}
