//! Putting one artifact into the shared store, once per machine and atomically:
//! lock → check again → fetch into the downloads bucket → unpack into a temp dir in the
//! tools bucket → rename into place (architecture convention 4).
//!
//! An installed tool is a directory named after its artifact's checksum, so the same
//! artifact is stored once whichever project or source asked for it, and a directory that
//! exists is complete (it only ever appears by rename). This module never talks to the
//! network itself: the caller's `fetch` does.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

use super::Error;
use crate::ui;

/// Buckets are versioned: a change of layout is a new bucket, never a migration.
pub(crate) const TOOLS: &str = "tools-v1";
pub(crate) const DOWNLOADS: &str = "downloads-v1";
pub(crate) const LOCKS: &str = "locks-v1";

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This directory holds den's store: tools and downloads that den fetches again if needed.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// The shared store under den's data directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store rooted at `root` (normally `paths::data_dir()`).
    pub fn new(root: PathBuf) -> Store {
        Store { root }
    }

    /// The store's root directory (`den cache dir`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of installed tools. Its modification time changes whenever a tool is
    /// installed or removed, which the activation hook watches.
    pub fn tools_bucket(&self) -> PathBuf {
        self.root.join(TOOLS)
    }

    /// Where the artifact with this checksum key (`sha256-<hex>`) is, or would be, unpacked.
    pub fn tool_dir(&self, key: &str) -> PathBuf {
        self.root.join(TOOLS).join(key)
    }

    /// Whether the artifact is installed; true means complete, as directories only appear
    /// by rename.
    pub fn is_installed(&self, key: &str) -> bool {
        self.tool_dir(key).is_dir()
    }

    fn bucket(&self, name: &str) -> Result<PathBuf, Error> {
        let dir = self.root.join(name);
        fs::create_dir_all(&dir).map_err(Error::write(&dir))?;
        let tag = dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            fs::write(&tag, CACHEDIR_TAG).map_err(Error::write(&tag))?;
        }
        Ok(dir)
    }

    /// Installs the artifact `key` unless it already is, and returns its directory.
    ///
    /// `fetch` writes (or resumes) the verified artifact at the path it is given; `unpack`
    /// fills the empty directory it is given from that file. Errors of either are returned
    /// as they are, leaving no partial tool behind; an interrupted download is kept for resuming.
    /// When `unpack` fails it decides whether the artifact is kept (a full disk: the next
    /// try unpacks it without downloading) or deleted (an archive that will never unpack).
    pub fn install<E: From<Error>>(
        &self,
        key: &str,
        label: &str,
        fetch: impl FnOnce(&Path) -> Result<(), E>,
        unpack: impl FnOnce(&Path, &Path) -> Result<(), E>,
    ) -> Result<PathBuf, E> {
        let dest = self.tool_dir(key);
        if dest.is_dir() {
            return Ok(dest);
        }
        let _lock = self.lock(key, label)?;
        if dest.is_dir() {
            return Ok(dest);
        }
        let downloads = self.bucket(DOWNLOADS)?;
        let tools = self.bucket(TOOLS)?;
        let artifact = downloads.join(format!("{key}.part"));
        fetch(&artifact)?;
        let staging =
            tempfile::Builder::new().prefix(".tmp-").tempdir_in(&tools).map_err(Error::write(&tools))?;
        unpack(&artifact, staging.path())?;
        let staged = staging.keep();
        if let Err(source) = fs::rename(&staged, &dest) {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::Write { path: dest, source }.into());
        }
        let _ = fs::remove_file(&artifact);
        Ok(dest)
    }

    /// Takes the cross-process lock for `key`, saying so when another den holds it.
    pub(crate) fn lock(&self, key: &str, label: &str) -> Result<File, Error> {
        let locks = self.bucket(LOCKS)?;
        let path = locks.join(format!("{key}.lock"));
        let file = File::create(&path).map_err(Error::write(&path))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                ui::note(&format!("waiting for another den to finish installing {label}"));
                file.lock().map_err(Error::write(&path))?;
            }
            Err(TryLockError::Error(source)) => return Err(Error::Write { path, source }),
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    fn fetch_ok(path: &Path) -> Result<(), Error> {
        fs::write(path, b"artifact").map_err(Error::write(path))
    }

    fn unpack_ok(archive: &Path, dest: &Path) -> Result<(), Error> {
        fs::copy(archive, dest.join("bin")).map_err(Error::write(dest))?;
        Ok(())
    }

    #[test]
    fn installs_once_and_tags_buckets() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let dir = store.install("sha256-aa", "t 1", fetch_ok, unpack_ok).unwrap();
        assert_eq!(fs::read(dir.join("bin")).unwrap(), b"artifact");
        assert!(tmp.path().join(TOOLS).join("CACHEDIR.TAG").is_file());
        assert!(!tmp.path().join(DOWNLOADS).join("sha256-aa.part").exists());
        let again = store.install(
            "sha256-aa",
            "t 1",
            |_| -> Result<(), Error> { panic!("fetched twice") },
            unpack_ok,
        );
        assert_eq!(again.unwrap(), dir);
    }

    #[test]
    fn a_failed_unpack_leaves_no_tool_and_no_temp_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let failed = store.install("sha256-bb", "t", fetch_ok, |archive, dest| {
            fs::write(dest.join("half"), b"x").unwrap();
            fs::remove_file(archive).unwrap();
            Err(Error::Write { path: dest.to_path_buf(), source: std::io::Error::other("bad archive") })
        });
        assert!(failed.is_err());
        assert!(!store.is_installed("sha256-bb"));
        assert!(!tmp.path().join(DOWNLOADS).join("sha256-bb.part").exists());
        let leftovers: Vec<_> = fs::read_dir(tmp.path().join(TOOLS))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "CACHEDIR.TAG")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn concurrent_installs_fetch_once() {
        let tmp = tempfile::tempdir().unwrap();
        let fetches = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (root, fetches, barrier) = (tmp.path().to_path_buf(), fetches.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let store = Store::new(root);
                    barrier.wait();
                    store.install(
                        "sha256-cc",
                        "t",
                        |p| {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            fetch_ok(p)
                        },
                        unpack_ok,
                    )
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap().unwrap();
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}
