//! The projects den installed tools for: `projects-v1.toml` in the data directory, a sorted
//! list of the directories holding their den.lock (the project's root; den's own state
//! directory for a project with foreign files only, which `tools::pins` removes once that
//! project is gone). `den cache prune` keeps every tool a listed project's den.lock pins; a
//! project whose den.lock is gone is dropped from the list.
//!
//! Holds paths only, never anything read from the projects.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Error;
use super::layout::{LOCKS, Store};
use crate::paths::Bucket;

const FILE: &str = Bucket::Projects.name();

#[derive(Debug, Default, Serialize, Deserialize)]
struct Registry {
    projects: Vec<String>,
}

/// Where the list is.
pub fn path(store: &Store) -> PathBuf {
    store.root().join(FILE)
}

/// Adds the project at `root` (an absolute path) to the list, if it is not there yet.
/// Roots that are not UTF-8 are not recorded (they cannot be written in TOML).
pub fn record(store: &Store, root: &Path) -> Result<(), Error> {
    let Some(root) = root.to_str() else { return Ok(()) };
    update(store, |list| {
        if !list.iter().any(|p| p == root) {
            list.push(root.to_string());
        }
    })
    .map(drop)
}

/// Every project root on the list.
#[cfg(test)]
pub fn list(store: &Store) -> Result<Vec<PathBuf>, Error> {
    Ok(read(&path(store))?.projects.into_iter().map(PathBuf::from).collect())
}

/// Drops the projects whose `marker` file (their lock file, named by the caller: the store
/// never reads a project's files) is gone, and returns those that remain.
pub fn forget_gone(store: &Store, marker: &str) -> Result<Vec<PathBuf>, Error> {
    let kept = update(store, |list| list.retain(|p| Path::new(p).join(marker).is_file()))?;
    Ok(kept.into_iter().map(PathBuf::from).collect())
}

/// Changes the list under a cross-process lock (installs may record at the same time),
/// writing it only when it changed.
fn update(store: &Store, change: impl FnOnce(&mut Vec<String>)) -> Result<Vec<String>, Error> {
    let locks = store.root().join(LOCKS);
    crate::fs_util::create_private_dir_all(&locks).map_err(Error::write(&locks))?;
    let lock_path = locks.join(Path::new(FILE).with_extension("lock"));
    let lock = crate::fs_util::create_private_file(&lock_path).map_err(Error::write(&lock_path))?;
    lock.lock().map_err(Error::write(&lock_path))?;
    let file = path(store);
    let old = read(&file)?.projects;
    let mut list = old.clone();
    change(&mut list);
    list.sort();
    list.dedup();
    if list != old {
        let text = format!(
            "# The projects den installed tools for; `den cache prune` keeps what their den.lock pins.\n{}",
            toml::to_string(&Registry { projects: list.clone() }).expect("a list serializes")
        );
        crate::fs_util::write_atomic(&file, text.as_bytes(), 0o600).map_err(Error::write(&file))?;
    }
    Ok(list)
}

fn read(file: &Path) -> Result<Registry, Error> {
    match fs::read_to_string(file) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| Error::Damaged { path: file.to_path_buf(), reason: e.message().to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Registry::default()),
        Err(e) => Err(Error::read(file)(e)),
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    const DEN_LOCK: &str = "den.lock";
    use super::*;

    #[test]
    fn record_list_and_forget() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("data"));
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for p in [&a, &b] {
            fs::create_dir_all(p).unwrap();
            fs::write(p.join(DEN_LOCK), "version = 1\n").unwrap();
        }
        assert_eq!(list(&store).unwrap(), Vec::<PathBuf>::new());
        record(&store, &b).unwrap();
        record(&store, &a).unwrap();
        record(&store, &b).unwrap();
        assert_eq!(list(&store).unwrap(), [a.clone(), b.clone()]);
        let text = fs::read_to_string(path(&store)).unwrap();
        assert!(text.starts_with("# The projects den installed tools for;"), "{text}");
        fs::remove_file(a.join(DEN_LOCK)).unwrap();
        assert_eq!(forget_gone(&store, DEN_LOCK).unwrap(), std::slice::from_ref(&b));
        assert_eq!(list(&store).unwrap(), [b]);
    }
}
