//! The previous values of the variables den unset or replaced, kept out of the
//! environment: one 0600 file per owner in a 0700 directory under den's cache dir, named
//! in `__DEN_STATE` (`saved`) so that any den started below can still revert the applied
//! project (`den run`, `den enter`, `den which`, the hook in a nested shell).
//!
//! Why a file and not the environment: `__DEN_STATE` is exported to every child, and a
//! value den unset (`AWS_SECRET_ACCESS_KEY = { unset = true }`) must not be readable there.
//! Why not a shell-local variable: `den run` typed at a hooked prompt could not see it.
//!
//! A file is named `<pid>-<nanos>` after the process whose life it serves: the hooked
//! shell, `den enter` (which removes it when its shell ends) or `den run` (whose pid the
//! command inherits). Only that owner rewrites or removes it; files of processes that are
//! gone are removed whenever a new file is made. Never reads a file outside its directory
//! (names are checked), never follows a crafted name, never prints a value.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::state::State;

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
    owner(id)?;
    let bytes = crate::fs_util::read_input(&dir.join(id)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Keeps `next`'s previous values for `owner` and names the file in `next.saved`: nothing
/// when there is nothing to keep, `previous`'s file when it holds the same values, else
/// the owner's own file (rewritten, or made). The owner's file that `previous` named and
/// that is no longer needed is removed.
pub fn keep(dir: &Path, next: &mut State, previous: Option<&State>, owner: u32) -> io::Result<()> {
    let values = next.saved_values();
    let before = previous.and_then(|p| p.saved.clone());
    let ours = before.clone().filter(|id| self::owner(id) == Some(owner));
    next.saved = None;
    if values.is_empty() {
        if let Some(id) = ours {
            let _ = fs::remove_file(dir.join(id));
        }
        return Ok(());
    }
    if let (Some(id), Some(p)) = (&before, previous)
        && !p.lost()
        && p.saved_values() == values
    {
        next.saved = Some(id.clone());
        return Ok(());
    }
    let id = match ours {
        Some(id) => id,
        None => {
            private_dir(dir)?;
            forget_dead(dir);
            let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            format!("{owner}-{nanos}")
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
    if let Some(id) = state.saved.as_deref().filter(|id| self::owner(id) == Some(owner)) {
        let _ = fs::remove_file(dir.join(id));
    }
}

/// The pid in a file name `<pid>-<nanos>`; `None` for any other name.
fn owner(id: &str) -> Option<u32> {
    let (pid, nanos) = id.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_digit());
    (digits(pid) && digits(nanos)).then(|| pid.parse().ok()).flatten()
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

/// Removes the files of processes that no longer exist, and temp files of interrupted
/// writes older than an hour.
fn forget_dead(dir: &Path) {
    let hour = std::time::Duration::from_secs(3600);
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let dead = match owner(name) {
            Some(pid) => !alive(pid),
            None => {
                name.starts_with(".den-tmp-")
                    && entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .is_ok_and(|t| t.elapsed().is_ok_and(|a| a > hour))
            }
        };
        if dead {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` exists (a process of another user counts as existing).
fn alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
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
        assert!(id.starts_with(&format!("{me}-")));
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
    fn crafted_names_are_never_read() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("x"), r#"{"A":"leak"}"#).unwrap();
        let dir = tmp.path().join("saved");
        fs::create_dir(&dir).unwrap();
        for id in ["../x", "/etc/passwd", "1-2/../../x", "", "-", "1-"] {
            assert_eq!(read(&dir, id), None, "{id}");
        }
        assert_eq!(owner("123-456"), Some(123));
    }
}
