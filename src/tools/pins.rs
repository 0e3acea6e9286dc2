//! What the known projects' den.lock files pin: the keys `den cache prune` must keep, and
//! the lock entry that can install a tool again (`den cache verify --repair`). Here, not in
//! the store, because the store never reads den.lock: it is handed the keys to keep.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::artifact::Platform;
use crate::resolve::Resolved;
use crate::resolve::lock::{DEN_LOCK, Lock};
use crate::store::{Error, Store, projects};

/// What the known projects pin: the keys to keep, which projects pin each key (for
/// `den cache ls` and `prune`'s reasons), and the den.lock files that could not be read
/// (with the first line of the error, which names the file).
#[derive(Debug, Default)]
pub struct Pins {
    pub keep: BTreeSet<String>,
    pub users: BTreeMap<String, BTreeSet<PathBuf>>,
    pub unreadable: Vec<(PathBuf, String)>,
}

impl Pins {
    /// The roots of the projects whose den.lock pins `key`, by path.
    pub fn users_of(&self, key: &str) -> Vec<&PathBuf> {
        self.users.get(key).into_iter().flatten().collect()
    }
}

/// A known project: the directory holding its den.lock, and who uses the tools it pins
/// (the project's root; for a project with foreign files only, whose lock den keeps in its
/// own state, the root that state records).
struct Known {
    dir: PathBuf,
    user: PathBuf,
}

/// The known projects whose den.lock is still there. The lock den keeps for a project with
/// foreign files only whose directory is gone is removed (and so pins nothing): nothing
/// else would ever remove it.
fn known(store: &Store) -> Result<Vec<Known>, Error> {
    let mut dirs = projects::forget_gone(store, DEN_LOCK)?;
    let gone: Vec<PathBuf> = dirs
        .iter()
        .filter(|d| super::foreign_lock::project_of(d).is_some_and(|root| !root.is_dir()))
        .cloned()
        .collect();
    if !gone.is_empty() {
        gone.iter().for_each(|d| super::foreign_lock::forget(d));
        dirs = projects::forget_gone(store, DEN_LOCK)?;
    }
    Ok(dirs
        .into_iter()
        .map(|dir| Known { user: super::foreign_lock::project_of(&dir).unwrap_or_else(|| dir.clone()), dir })
        .collect())
}

/// The keys some platform entry of some known project's den.lock pins, and the den.lock
/// files that could not be read (with the first line of the error, which names the file):
/// such a project pins nothing (its tools come back with `den install`).
pub fn pinned(store: &Store) -> Result<Pins, Error> {
    let mut pins = Pins::default();
    for Known { dir, user } in known(store)? {
        let file = dir.join(DEN_LOCK);
        match Lock::read(&file) {
            Ok(Some(lock)) => {
                let keys = lock.tools.values().flat_map(|t| t.artifacts.values()).filter_map(|a| a.key());
                for key in keys {
                    pins.users.entry(key.clone()).or_default().insert(user.clone());
                    pins.keep.insert(key);
                }
            }
            Ok(None) => {}
            Err(e) => pins.unreadable.push((file, e.to_string().lines().next().unwrap_or("").to_string())),
        }
    }
    Ok(pins)
}

/// The den.lock entry of a known project that pins `key` for `platform` (the first, by
/// project path), which holds all it takes to install that artifact again.
pub fn pinned_by(store: &Store, key: &str, platform: Platform) -> Result<Option<Resolved>, Error> {
    for Known { dir, .. } in known(store)? {
        let Ok(Some(lock)) = Lock::read(&dir.join(DEN_LOCK)) else { continue };
        let found = lock
            .tools
            .into_values()
            .find(|t| t.artifacts.get(&platform).and_then(|a| a.key()).is_some_and(|k| k == key));
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
