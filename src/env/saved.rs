//! The previous values of the variables den unset or replaced, kept out of the
//! environment: one 0600 file per owner in a 0700 directory under den's cache dir, named
//! in `__DEN_STATE` (`saved`) so that any den started below can still revert the applied
//! project (`den run`, `den enter`, `den which`, the hook in a nested shell).
//!
//! Why a file and not the environment: `__DEN_STATE` is exported to every child, and a
//! value den unset (`AWS_SECRET_ACCESS_KEY = { unset = true }`) must not be readable there.
//! Why not a shell-local variable: `den run` typed at a hooked prompt could not see it.
//!
//! A file is named `<pid>-<start>-<nanos>` after the process whose life it serves (the
//! hooked shell, `den enter`, or `den run`, whose pid the command inherits) and that
//! process's start time (`proc::start_time`), so that a recycled pid is never taken for
//! its owner. Only that owner rewrites or removes it: `den enter` when its shell ends, the
//! hook's exit handler (`forget`, run by `den __forget <pid>` as the shell exits). Files of
//! owners that are gone (killed, or a terminal closed before the handler ran) are removed
//! by the next den that applies an environment (`forget_dead`, a bounded scan). Older
//! `<pid>-<nanos>` names are still read, and removed once no process has that pid. Never
//! reads a file outside its directory (names are checked), never follows a crafted name,
//! never prints a value.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::state::State;

/// At most this many entries are looked at per scan for files of owners that are gone
/// (one per live shell and command, normally a handful).
const SCAN_LIMIT: usize = 4096;

/// The directory of the saved files, under den's cache dir.
pub fn dir() -> PathBuf {
    crate::paths::Bucket::Saved.path()
}

/// `state` with its saved previous values read back (see `State::with_saved`).
pub fn load(dir: &Path, state: State) -> State {
    let values = state.saved.as_deref().and_then(|id| read(dir, id));
    state.with_saved(values.as_ref())
}

fn read(dir: &Path, id: &str) -> Option<BTreeMap<String, String>> {
    Owner::of(id)?;
    let bytes = crate::fs_util::read_input(&dir.join(id)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps `next`'s previous values for `owner` and names the file in `next.saved`: nothing
/// when there is nothing to keep, else the owner's own file (as it is when it holds the
/// same values, else rewritten, or made). The owner's file that `previous` named and
/// that is no longer needed is removed. First, the files of owners that are gone.
pub fn keep(dir: &Path, next: &mut State, previous: Option<&State>, owner: u32) -> io::Result<()> {
    forget_dead(dir);
    let values = next.saved_values();
    let me = Owner::now(owner);
    let ours = previous.and_then(|p| p.saved.clone()).filter(|id| Owner::of(id).is_some_and(|o| o.is(&me)));
    next.saved = None;
    if values.is_empty() {
        if let Some(id) = ours {
            let _ = fs::remove_file(dir.join(id));
        }
        return Ok(());
    }
    // Only the owner's own file is reused: another's (a shell this one was started from)
    // goes when that shell ends, and this one may outlive it (a terminal multiplexer).
    if let (Some(id), Some(p)) = (&ours, previous)
        && !p.lost()
        && p.saved_values() == values
    {
        next.saved = Some(id.clone());
        return Ok(());
    }
    let id = match ours {
        Some(id) => id,
        None => {
            let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            match me.start {
                Some(start) => format!("{owner}-{start}-{nanos}"),
                None => format!("{owner}-{nanos}"),
            }
        }
    };
    private_dir(dir)?;
    let text = serde_json::to_vec(&values).map_err(io::Error::other)?;
    crate::fs_util::write_atomic(&dir.join(&id), &text, 0o600)?;
    next.saved = Some(id);
    Ok(())
}

/// Removes the file `state` names when `owner` made it (a `den enter` whose shell ended).
pub fn release(dir: &Path, state: &State, owner: u32) {
    let me = Owner::now(owner);
    if let Some(id) = state.saved.as_deref().filter(|id| Owner::of(id).is_some_and(|o| o.is(&me))) {
        let _ = fs::remove_file(dir.join(id));
    }
}

/// Removes every file of the live process `pid` (a hooked shell that is exiting, whose
/// start time names them), and the files of owners that are gone.
pub fn forget(dir: &Path, pid: u32) {
    let me = Owner::now(pid);
    scan(dir, |name| Owner::of(name).is_some_and(|o| o.is(&me)));
}

/// Who a file serves: a pid and, in the current names, that process's start time.
#[derive(Debug, PartialEq, Eq)]
struct Owner {
    pid: u32,
    start: Option<u64>,
}

impl Owner {
    /// The live process `pid` as it is now (no start time when /proc does not say).
    fn now(pid: u32) -> Owner {
        let start = i32::try_from(pid).ok().and_then(crate::proc::start_time);
        Owner { pid, start }
    }

    /// The owner a file name `<pid>-<start>-<nanos>` (or the older `<pid>-<nanos>`) gives;
    /// `None` for any other name.
    fn of(id: &str) -> Option<Owner> {
        let digits = |s: &str| !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = id.split('-').collect();
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| digits(p)) {
            return None;
        }
        let pid = parts[0].parse().ok()?;
        let start = if parts.len() == 3 { Some(parts[1].parse().ok()?) } else { None };
        Some(Owner { pid, start })
    }

    /// Whether a file of this owner is `me`'s: the same pid, and the same start time when
    /// both are known.
    fn is(&self, me: &Owner) -> bool {
        self.pid == me.pid && (self.start.is_none() || me.start.is_none() || self.start == me.start)
    }

    /// Whether the process is gone: no process has its pid, or (when the name has its
    /// start time) the one that has it now started at another time, or is a zombie.
    fn gone(&self) -> bool {
        let Ok(pid) = libc::pid_t::try_from(self.pid) else { return true };
        match self.start {
            Some(start) => !crate::proc::is(pid, start),
            None => !alive(pid),
        }
    }
}

/// Creates the directory 0700, and narrows it to 0700 if it is wider.
fn private_dir(dir: &Path) -> io::Result<()> {
    crate::fs_util::create_private_dir_all(dir)?;
    let meta = fs::metadata(dir)?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Removes the files of processes that are gone, and temp files of interrupted writes
/// older than an hour.
fn forget_dead(dir: &Path) {
    scan(dir, |_| false);
}

/// Looks at up to `SCAN_LIMIT` entries of `dir` and removes those `also` names, the files
/// of owners that are gone, and temp files older than an hour.
fn scan(dir: &Path, also: impl Fn(&str) -> bool) {
    let hour = std::time::Duration::from_secs(3600);
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.take(SCAN_LIMIT).flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let remove = also(name)
            || match Owner::of(name) {
                Some(owner) => owner.gone(),
                None => {
                    name.starts_with(".den-tmp-")
                        && entry
                            .metadata()
                            .and_then(|m| m.modified())
                            .is_ok_and(|t| t.elapsed().is_ok_and(|a| a > hour))
                }
            };
        if remove {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` exists (a process of another user counts as existing).
fn alive(pid: libc::pid_t) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use crate::env::state::{Vars, apply};
    use indexmap::IndexMap;

    fn applied(outer: &[(&str, &str)], target: &[(&str, Option<&str>)]) -> (Vars, State) {
        let outer: Vars = outer.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let target: IndexMap<String, Option<String>> =
            target.iter().map(|(k, v)| (k.to_string(), v.map(str::to_string))).collect();
        apply(&outer, &outer, &target, None, "/p".into())
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn previous_values_go_to_a_private_file_and_come_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("saved");
        let me = std::process::id();
        let (_, mut state) = applied(&[("SECRET", "hunter2")], &[("SECRET", None)]);
        keep(&dir, &mut state, None, me).unwrap();
        let id = state.saved.clone().unwrap();
        let start = crate::proc::start_time(me as i32).unwrap();
        assert!(id.starts_with(&format!("{me}-{start}-")), "{id}");
        assert_eq!((mode(&dir), mode(&dir.join(&id))), (0o700, 0o600));
        let text = state.encode();
        assert!(!text.contains("hunter2"));
        let back = load(&dir, State::decode(Some(&text)).unwrap());
        assert_eq!(back.vars["SECRET"].old.as_deref(), Some("hunter2"));

        // The same values again: the same file. Nothing to keep: the owner's file goes.
        let (_, mut again) = applied(&[("SECRET", "hunter2")], &[("SECRET", None)]);
        keep(&dir, &mut again, Some(&back), me).unwrap();
        assert_eq!(again.saved.as_deref(), Some(id.as_str()));
        let (_, mut none) = applied(&[], &[("NEW", Some("1"))]);
        keep(&dir, &mut none, Some(&back), me).unwrap();
        assert_eq!(none.saved, None);
        assert!(!dir.join(&id).exists());
    }

    #[test]
    fn another_owners_file_is_never_touched_and_dead_owners_files_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        // pid 1 always exists; a pid beyond pid_max never does.
        let (_, mut theirs) = applied(&[("A", "old")], &[("A", Some("new"))]);
        keep(&dir, &mut theirs, None, 1).unwrap();
        fs::write(dir.join("4294967-1"), "{}").unwrap();
        let theirs = load(&dir, State::decode(Some(&theirs.encode())).unwrap());

        let me = std::process::id();
        let (_, mut mine) = applied(&[("A", "other")], &[("A", Some("new"))]);
        keep(&dir, &mut mine, Some(&theirs), me).unwrap();
        let mine_id = mine.saved.clone().unwrap();
        assert_ne!(Some(&mine_id), theirs.saved.as_ref());
        assert!(dir.join(theirs.saved.as_ref().unwrap()).exists(), "another owner's file was touched");
        assert!(!dir.join("4294967-1").exists(), "a dead owner's file stayed");
        release(&dir, &theirs, me);
        assert!(dir.join(theirs.saved.as_ref().unwrap()).exists());
        release(&dir, &mine, me);
        assert!(!dir.join(&mine_id).exists());
    }

    #[test]
    fn a_recycled_pid_does_not_keep_a_dead_owners_file_and_forget_removes_the_owners() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let me = std::process::id();
        let start = crate::proc::start_time(me as i32).unwrap();
        // The same pid, started at another time: a process that had this pid before.
        let (mine, recycled) = (format!("{me}-{start}-5"), format!("{me}-{}-5", start + 1));
        for name in [&mine, &recycled] {
            fs::write(dir.join(name), "{}").unwrap();
        }
        forget_dead(dir);
        assert!(dir.join(&mine).exists(), "the live owner's file went");
        assert!(!dir.join(&recycled).exists(), "a dead owner's file stayed under a recycled pid");
        forget(dir, me);
        assert!(!dir.join(&mine).exists(), "forget kept the owner's file");
    }

    #[test]
    fn a_shell_started_from_another_keeps_its_own_file_even_for_the_same_values() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let (_, mut outer) = applied(&[("A", "old")], &[("A", Some("new"))]);
        keep(dir, &mut outer, None, 1).unwrap();
        let outer = load(dir, State::decode(Some(&outer.encode())).unwrap());
        let (_, mut inner) = applied(&[("A", "old")], &[("A", Some("new"))]);
        keep(dir, &mut inner, Some(&outer), std::process::id()).unwrap();
        assert_ne!(inner.saved, outer.saved, "the inner shell relied on the outer one's file");
        // The outer shell ends: the inner one still has its values.
        forget(dir, 1);
        let back = load(dir, State::decode(Some(&inner.encode())).unwrap());
        assert_eq!(back.vars["A"].old.as_deref(), Some("old"));
    }

    #[test]
    fn crafted_names_are_never_read() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x"), r#"{"A":"leak"}"#).unwrap();
        let dir = tmp.path().join("saved");
        fs::create_dir(&dir).unwrap();
        for id in ["../x", "/etc/passwd", "1-2/../../x", "", "-", "1-"] {
            assert_eq!(read(&dir, id), None, "{id}");
        }
        assert_eq!(Owner::of("123-456"), Some(Owner { pid: 123, start: None }));
        assert_eq!(Owner::of("123-7-456"), Some(Owner { pid: 123, start: Some(7) }));
        for bad in ["1-2-3-4", "1--2", "a-1", "1-2/x"] {
            assert_eq!(Owner::of(bad), None, "{bad}");
        }
    }
}
