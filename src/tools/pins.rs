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

/// The keys some platform entry of some known project's den.lock pins, and the den.lock
/// files that could not be read (with the first line of the error, which names the file):
/// such a project pins nothing (its tools come back with `den install`).
pub fn pinned(store: &Store) -> Result<Pins, Error> {
    let mut pins = Pins::default();
    for root in projects::forget_gone(store, DEN_LOCK)? {
        let file = root.join(DEN_LOCK);
        match Lock::read(&file) {
            Ok(Some(lock)) => {
                let keys = lock.tools.values().flat_map(|t| t.artifacts.values()).filter_map(|a| a.key());
                for key in keys {
                    pins.users.entry(key.clone()).or_default().insert(root.clone());
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
    for root in projects::forget_gone(store, DEN_LOCK)? {
        let Ok(Some(lock)) = Lock::read(&root.join(DEN_LOCK)) else { continue };
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
