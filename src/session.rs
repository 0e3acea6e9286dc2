//! A `den enter` session: its temporary directory (`.den/tmp/<id>`) and its record
//! (`.den/sessions/<id>`, holding den's pid) for as long as the shell runs. Services hang
//! their start and stop on these records; a record whose pid is gone is stale.

use std::fs;
use std::path::{Path, PathBuf};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};

use crate::error::{Error, Result};

/// An open session; `close` removes everything it created.
#[derive(Debug)]
pub struct Session {
    tmp: PathBuf,
    record: PathBuf,
}

impl Session {
    /// Creates the session's directory and record under `<root>/.den/`, which gets a
    /// `.gitignore` so that nothing of it is ever committed.
    pub fn open(root: &Path) -> Result<Session> {
        let den = root.join(".den");
        let id = format!("{}", std::process::id());
        let tmp = den.join("tmp").join(&id);
        let record = den.join("sessions").join(&id);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |e| Error::io(format!("cannot create {}", path.display()), e)
        };
        fs::create_dir_all(&tmp).map_err(io(&tmp))?;
        fs::create_dir_all(den.join("sessions")).map_err(io(&den))?;
        let ignore = den.join(".gitignore");
        if !ignore.exists() {
            fs::write(&ignore, "# den's per-project state; never commit it.\n*\n").map_err(io(&ignore))?;
        }
        fs::write(&record, format!("{id}\n")).map_err(io(&record))?;
        Ok(Session { tmp, record })
    }

    /// Releases the session: its record and its temporary directory are removed.
    pub fn close(self) {
        let _ = fs::remove_file(&self.record);
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
