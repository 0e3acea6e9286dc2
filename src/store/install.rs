//! Putting one artifact into the shared store, once per machine and atomically:
//! lock → check again → fetch into the downloads bucket → unpack into a temp dir in the
//! tools bucket → rename into place (architecture convention 4).
//!
//! An installed tool is a directory named after its artifact's checksum, so the same
//! artifact is stored once whichever project or source asked for it, and a directory that
//! exists is complete (it only ever appears by rename). This module never talks to the
//! network itself: the caller's `fetch` does.

use std::fs::{self, File, TryLockError};
use std::path::Path;

use super::layout::{DOWNLOADS, LOCKS, Store, TOOLS};
use super::receipt::{self, Receipt};
use super::{Error, manifest};
use crate::artifact::key;
use crate::{fs_util, ui};

/// The prefix of install directories being filled (and of tools being removed).
const STAGING: &str = ".tmp-";

impl Store {
    /// Installs the artifact `key` unless it already is; whether this call installed it
    /// (`false`: it was there, or another den installed it while this one waited).
    ///
    /// `fetch` writes (or resumes) the verified artifact at the path it is given and
    /// returns its size; `unpack` fills the empty directory it is given from that file and
    /// returns the tool's receipt. The file manifest and the receipt (with the size) are
    /// written before the directory is sealed read-only and renamed into place, all under
    /// the install lock: a tool that is visible always has both, and a waiter reads the
    /// same receipt the installer wrote. Errors of either closure are returned as they
    /// are, leaving no partial tool behind; an interrupted download is kept for resuming.
    /// When `unpack` fails it decides whether the verified artifact is kept (a full disk:
    /// the next try unpacks it without downloading) or deleted (an archive that will never
    /// unpack). A tool without a receipt (left by an older den) is removed and installed
    /// again.
    pub fn install<E: From<Error>>(
        &self,
        key: &str,
        label: &str,
        fetch: impl FnOnce(&Path) -> Result<u64, E>,
        unpack: impl FnOnce(&Path, &Path) -> Result<Receipt, E>,
    ) -> Result<bool, E> {
        if self.is_complete(key) {
            return Ok(false);
        }
        let _lock = self.lock(key, label)?;
        if self.is_complete(key) {
            return Ok(false);
        }
        if self.is_installed(key) {
            self.remove_locked(key)?;
        }
        let downloads = self.bucket(DOWNLOADS)?;
        let tools = self.bucket(TOOLS)?;
        let artifact = downloads.join(format!("{key}.part"));
        let size = fetch(&artifact)?;
        let staging = self.staging_dir()?;
        let finished = unpack(&artifact, staging.path()).and_then(|mut receipt| {
            receipt.size.get_or_insert(size);
            manifest::write(self, key, staging.path())?;
            receipt::write(self, key, &receipt)?;
            fs_util::seal_read_only(staging.path()).map_err(Error::write(staging.path()))?;
            Ok(())
        });
        if let Err(e) = finished {
            self.forget(key);
            let _ = fs_util::remove_tree(staging.path());
            return Err(e);
        }
        let staged = staging.keep();
        if let Err(source) = fs::rename(&staged, tools.join(key)) {
            let _ = fs_util::remove_tree(&staged);
            self.forget(key);
            return Err(Error::Write { path: self.tool_dir(key), source }.into());
        }
        let _ = fs::remove_file(&artifact);
        Ok(true)
    }

    /// Whether `key` is installed and has its receipt: what `install` leaves, and nothing
    /// less.
    fn is_complete(&self, key: &str) -> bool {
        self.is_installed(key) && receipt::read(self, key).is_ok_and(|r| r.is_some())
    }

    /// A new, empty directory in the tools bucket named after this process
    /// (`.tmp-<pid>-<start>-…`), for an install being filled or a tool being removed;
    /// `remove_leftovers` deletes those whose process is gone.
    pub(crate) fn staging_dir(&self) -> Result<tempfile::TempDir, Error> {
        let tools = self.bucket(TOOLS)?;
        tempfile::Builder::new()
            .prefix(&fs_util::owned_prefix(STAGING))
            .tempdir_in(&tools)
            .map_err(Error::write(&tools))
    }

    /// Removes the installed tool `key` with its receipt and manifest, taking its lock.
    pub fn remove(&self, key: &str) -> Result<(), Error> {
        let _lock = self.lock(key, key)?;
        self.remove_locked(key)
    }

    /// `remove` for a caller that holds the lock: the directory is renamed away first (so
    /// it vanishes at once, and a kill leaves a staging dir that the next den deletes),
    /// then deleted with its receipt and manifest.
    fn remove_locked(&self, key: &str) -> Result<(), Error> {
        let dir = self.tool_dir(key);
        let trash = self.staging_dir()?.keep();
        // Moving a directory to another parent rewrites its `..`, which needs write
        // permission on it: the sealed (0555) tool directory is opened for its owner first.
        if let Ok(meta) = fs::symlink_metadata(&dir)
            && meta.is_dir()
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(meta.permissions().mode() | 0o700));
        }
        fs::rename(&dir, trash.join(key)).map_err(Error::write(&dir))?;
        fs_util::remove_tree(&trash).map_err(Error::write(&trash))?;
        self.forget(key);
        Ok(())
    }

    /// Deletes the receipt and manifest of `key` (best effort: a leftover is harmless, and
    /// overwritten by the next install).
    fn forget(&self, key: &str) {
        let _ = fs::remove_file(receipt::path(self, key));
        let _ = fs::remove_file(manifest::path(self, key));
    }

    /// Cleans what a den killed at any point leaves behind, at once: staging dirs and temp
    /// files of processes that are gone, tools without a receipt (interrupted before den
    /// wrote receipts first; they are installed again when needed) and receipts or
    /// manifests without a tool. What a running den holds (its lock) is left alone.
    /// Returns what it removed, for `den cache`'s report.
    pub fn remove_leftovers(&self) -> Vec<String> {
        let mut removed = Vec::new();
        let tools = self.root().join(TOOLS);
        for (bucket, what) in [(&tools, "install"), (&self.root().join(DOWNLOADS), "download")] {
            for entry in fs::read_dir(bucket).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if fs_util::writer_is_gone(&name, STAGING) == Some(true)
                    && fs_util::remove_tree(&entry.path()).is_ok()
                {
                    removed.push(format!("unfinished {what} {name}"));
                }
            }
            fs_util::remove_dead_temps(bucket, fs_util::TEMP_PREFIX);
        }
        let mut keys = std::collections::BTreeSet::new();
        for entry in fs::read_dir(&tools).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key =
                name.strip_suffix(".toml").or_else(|| name.strip_suffix(".files.json")).unwrap_or(&name);
            if key::is_key(key) {
                keys.insert(key.to_string());
            }
        }
        for key in keys {
            let (dir, receipt) = (self.is_installed(&key), receipt::path(self, &key).is_file());
            if dir == receipt {
                continue;
            }
            // Decided and done under the lock, so that no install in between is undone.
            let Some(_lock) = self.try_lock(&key) else { continue };
            match (self.is_installed(&key), receipt::path(self, &key).is_file()) {
                (true, false) if self.remove_locked(&key).is_ok() => {
                    removed.push(format!("tool {key} without a receipt"));
                }
                (false, true) => self.forget(&key),
                _ => {}
            }
        }
        removed
    }

    /// A new, empty file in the downloads bucket named after this process, for a download
    /// whose checksum is not known yet; `remove_leftovers` deletes it if the process dies.
    pub fn staging_file(&self) -> Result<tempfile::NamedTempFile, Error> {
        let downloads = self.bucket(DOWNLOADS)?;
        tempfile::Builder::new()
            .prefix(&fs_util::owned_prefix(STAGING))
            .tempfile_in(&downloads)
            .map_err(Error::write(&downloads))
    }

    /// The install lock of `key` if nobody holds it right now.
    fn try_lock(&self, key: &str) -> Option<File> {
        let locks = self.bucket(LOCKS).ok()?;
        let file = fs_util::create_private_file(&locks.join(format!("{key}.lock"))).ok()?;
        file.try_lock().ok()?;
        Some(file)
    }

    /// Takes the cross-process lock for `key`, saying so when another den holds it.
    pub(crate) fn lock(&self, key: &str, label: &str) -> Result<File, Error> {
        let locks = self.bucket(LOCKS)?;
        let path = locks.join(format!("{key}.lock"));
        let file = fs_util::create_private_file(&path).map_err(Error::write(&path))?;
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
#[allow(clippy::disallowed_methods, reason = "tests may spawn freely")]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    fn fetch_ok(path: &Path) -> Result<u64, Error> {
        fs::write(path, b"artifact").map_err(Error::write(path))?;
        Ok(8)
    }

    fn unpack_ok(archive: &Path, dest: &Path) -> Result<Receipt, Error> {
        fs::copy(archive, dest.join("bin")).map_err(Error::write(dest))?;
        fs::create_dir(dest.join("lib")).map_err(Error::write(dest))?;
        fs::write(dest.join("lib/data"), b"d").map_err(Error::write(dest))?;
        Ok(Receipt::new("t", "1", "https://example.test/t", "sha256:aa"))
    }

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "CACHEDIR.TAG")
            .collect();
        names.sort();
        names
    }

    #[test]
    fn installs_once_sealed_with_receipt_and_manifest_in_private_buckets() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().join("data"));
        assert!(store.install("sha256-aa", "t 1", fetch_ok, unpack_ok).unwrap());
        let dir = store.tool_dir("sha256-aa");
        assert_eq!(fs::read(dir.join("bin")).unwrap(), b"artifact");
        assert!(tmp.path().join("data").join(TOOLS).join("CACHEDIR.TAG").is_file());
        assert!(!tmp.path().join("data").join(DOWNLOADS).join("sha256-aa.part").exists());
        let receipt = receipt::read(&store, "sha256-aa").unwrap().unwrap();
        assert_eq!(receipt.size, Some(8), "the size comes from the download");
        assert!(manifest::read(&store, "sha256-aa").unwrap().is_some());
        // Read-only for everyone: a tool cannot rewrite itself.
        assert_eq!(mode(&dir), 0o555);
        assert_eq!(mode(&dir.join("lib")), 0o555);
        assert_eq!(mode(&dir.join("bin")), 0o444);
        assert_eq!(mode(&dir.join("lib/data")), 0o444);
        // den's own files: 0600 in 0700.
        for d in ["data", "data/tools-v1", "data/downloads-v1", "data/locks-v1"] {
            assert_eq!(mode(&tmp.path().join(d)), 0o700, "{d}");
        }
        for f in [
            "tools-v1/sha256-aa.toml",
            "tools-v1/sha256-aa.files.json",
            "tools-v1/CACHEDIR.TAG",
            "locks-v1/sha256-aa.lock",
        ] {
            assert_eq!(mode(&tmp.path().join("data").join(f)), 0o600, "{f}");
        }
        let again = store.install(
            "sha256-aa",
            "t 1",
            |_| -> Result<u64, Error> { panic!("fetched twice") },
            unpack_ok,
        );
        assert!(!again.unwrap());
        // A sealed tool can still be removed.
        store.remove("sha256-aa").unwrap();
        assert!(!store.is_installed("sha256-aa"));
        assert_eq!(names(&tmp.path().join("data").join(TOOLS)), Vec::<String>::new());
    }

    #[test]
    fn a_failed_unpack_leaves_no_tool_no_receipt_and_no_temp_dir() {
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
        assert_eq!(names(&tmp.path().join(TOOLS)), Vec::<String>::new());
    }

    #[test]
    fn a_tool_without_a_receipt_is_installed_again() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        fs::create_dir_all(store.tool_dir("sha256-dd")).unwrap();
        fs::write(store.tool_dir("sha256-dd").join("stale"), b"x").unwrap();
        assert!(store.install("sha256-dd", "t", fetch_ok, unpack_ok).unwrap());
        assert!(!store.tool_dir("sha256-dd").join("stale").exists());
        assert!(receipt::read(&store, "sha256-dd").unwrap().is_some());
    }

    #[test]
    fn leftovers_of_dead_processes_go_at_once_and_those_of_live_ones_stay() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let tools = store.bucket(TOOLS).unwrap();
        let downloads = store.bucket(DOWNLOADS).unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let dead_dir = tools.join(format!(".tmp-{dead}-1-abc"));
        fs::create_dir_all(dead_dir.join("deep")).unwrap();
        fs_util::seal_read_only(&dead_dir).unwrap();
        fs::write(downloads.join(format!(".tmp-{dead}-1-xyz")), b"half").unwrap();
        let mine = store.staging_dir().unwrap();
        // A tool without a receipt, and a receipt without a tool.
        fs::create_dir(tools.join("sha256-0123456789abcdef0123456789abcdef")).unwrap();
        fs::write(tools.join("sha256-fedcba9876543210fedcba9876543210.toml"), "x").unwrap();
        let removed = store.remove_leftovers();
        assert_eq!(removed.len(), 3, "{removed:?}");
        assert_eq!(names(&tools), [mine.path().file_name().unwrap().to_string_lossy().into_owned()]);
        assert_eq!(names(&downloads), Vec::<String>::new());
    }

    #[test]
    fn concurrent_installs_fetch_once_and_agree() {
        let tmp = tempfile::tempdir().unwrap();
        let fetches = Arc::new(AtomicUsize::new(0));
        let barrier = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let (root, fetches, barrier) = (tmp.path().to_path_buf(), fetches.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let store = Store::new(root);
                    barrier.wait();
                    let fresh = store.install(
                        "sha256-cc",
                        "t",
                        |p| {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(50));
                            fetch_ok(p)
                        },
                        unpack_ok,
                    );
                    (fresh.unwrap(), receipt::read(&store, "sha256-cc").unwrap().unwrap().size)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert_eq!(results.iter().filter(|(fresh, _)| *fresh).count(), 1);
        assert!(results.iter().all(|(_, size)| *size == Some(8)), "{results:?}");
    }
}
