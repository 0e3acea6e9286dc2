//! The trust records on disk: `<data dir>/trust-v1/<key>.toml` with, beside it,
//! `<key>.content`, the copy of the content that was trusted. `<key>` is the sha256 of the
//! file's canonical path, so finding a file's record costs one `open`, never a scan.
//!
//! Layout is versioned by bucket (architecture convention 3): a format change is a new
//! `trust-v2/`, never a migration. Directories are 0700, files 0600, every write atomic.
//! This module knows nothing of what "trusted" means to the rest of den; it must never
//! read or write anything outside its bucket.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Error;
use crate::fs_util;

/// The versioned bucket under the data dir.
pub const BUCKET: &str = "trust-v1";
/// Mode of every file written here.
const FILE_MODE: u32 = 0o600;

/// What a record file holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFile {
    /// The canonical path of the trusted file (lossy for non-UTF-8 paths; only shown).
    pub path: String,
    /// sha256 (hex) of the content that was trusted.
    pub sha256: String,
    /// When it was trusted, in seconds since the Unix epoch.
    pub trusted_at_unix: u64,
}

/// The directory of trust records.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

impl Store {
    /// The store den uses: `paths::data_dir()/trust-v1`.
    pub fn open() -> Store {
        Store::at(crate::paths::data_dir().join(BUCKET))
    }

    /// A store in `dir` (tests).
    pub fn at(dir: PathBuf) -> Store {
        Store { dir }
    }

    fn key(canonical: &Path) -> String {
        sha256_hex(canonical.as_os_str().as_bytes())
    }

    /// The record file of a canonical path (whether or not it exists).
    pub fn record_path(&self, canonical: &Path) -> PathBuf {
        self.dir.join(format!("{}.toml", Store::key(canonical)))
    }

    fn copy_path(&self, canonical: &Path) -> PathBuf {
        self.dir.join(format!("{}.content", Store::key(canonical)))
    }

    /// The record of `canonical`, if there is a valid one. A record that does not parse or
    /// names another path counts as absent: the file is untrusted (fail closed) and the
    /// next `den trust` overwrites it.
    pub fn read(&self, canonical: &Path) -> Result<Option<RecordFile>, Error> {
        let path = self.record_path(canonical);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Record { path, source }),
        };
        Ok(toml::from_str::<RecordFile>(&text).ok().filter(|r| r.path == canonical.to_string_lossy()))
    }

    /// The content trusted for `record`, or an empty string if its copy is gone or does
    /// not match the record (the diff then shows the whole current file as new).
    pub fn trusted_content(&self, canonical: &Path, record: &RecordFile) -> String {
        match fs::read(self.copy_path(canonical)) {
            Ok(bytes) if sha256_hex(&bytes) == record.sha256 => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        }
    }

    /// Records `content` as the trusted content of `canonical`. The copy is written first
    /// and the record last, so the record (what `status` reads) is the commit point.
    pub fn write(&self, canonical: &Path, content: &[u8]) -> Result<(), Error> {
        fs_util::create_private_dir_all(&self.dir)
            .map_err(|source| Error::Record { path: self.dir.clone(), source })?;
        let copy = self.copy_path(canonical);
        fs_util::write_atomic(&copy, content, FILE_MODE)
            .map_err(|source| Error::Record { path: copy, source })?;
        let record = RecordFile {
            path: canonical.to_string_lossy().into_owned(),
            sha256: sha256_hex(content),
            trusted_at_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let text = toml::to_string(&record).expect("a record always serializes");
        let path = self.record_path(canonical);
        fs_util::write_atomic(&path, text.as_bytes(), FILE_MODE)
            .map_err(|source| Error::Record { path, source })
    }

    /// Removes the record of `canonical` (record first, then its copy); whether there was one.
    pub fn remove(&self, canonical: &Path) -> Result<bool, Error> {
        let existed = remove_if_present(&self.record_path(canonical))?;
        remove_if_present(&self.copy_path(canonical))?;
        Ok(existed)
    }

    /// Every valid record, sorted by path (a directory scan: `den trust --list` only).
    pub fn all(&self) -> Result<Vec<RecordFile>, Error> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(Error::Record { path: self.dir.clone(), source }),
        };
        let mut records = Vec::new();
        for entry in entries {
            let path = entry.map_err(|source| Error::Record { path: self.dir.clone(), source })?.path();
            if path.extension() != Some(OsStr::new("toml")) {
                continue;
            }
            let Ok(text) = fs::read_to_string(&path) else { continue };
            let Ok(record) = toml::from_str::<RecordFile>(&text) else { continue };
            // Only records filed under their own key (a stray file is not a record).
            if self.record_path(Path::new(&record.path)) == path {
                records.push(record);
            }
        }
        records.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(records)
    }
}

fn remove_if_present(path: &Path) -> Result<bool, Error> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Record { path: path.to_path_buf(), source }),
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn sha256_hex_is_the_usual_digest() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn the_key_is_the_sha256_of_the_path() {
        let store = Store::at(PathBuf::from("/d/trust-v1"));
        let p = Path::new("/p/den.toml");
        assert_eq!(
            store.record_path(p),
            PathBuf::from(format!("/d/trust-v1/{}.toml", sha256_hex(b"/p/den.toml")))
        );
        assert_eq!(
            store.copy_path(p),
            PathBuf::from(format!("/d/trust-v1/{}.content", sha256_hex(b"/p/den.toml")))
        );
    }

    #[test]
    fn write_read_remove_round_trip_with_private_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().join("data/trust-v1"));
        let p = Path::new("/p/den.toml");
        assert_eq!(store.read(p).unwrap(), None);

        store.write(p, b"[tools]\n").unwrap();
        let record = store.read(p).unwrap().unwrap();
        assert_eq!(record.path, "/p/den.toml");
        assert_eq!(record.sha256, sha256_hex(b"[tools]\n"));
        assert!(record.trusted_at_unix > 1_600_000_000);
        assert_eq!(store.trusted_content(p, &record), "[tools]\n");

        assert_eq!(mode(&tmp.path().join("data")), 0o700);
        assert_eq!(mode(&tmp.path().join("data/trust-v1")), 0o700);
        assert_eq!(mode(&store.record_path(p)), 0o600);
        assert_eq!(mode(&store.copy_path(p)), 0o600);
        assert_eq!(store.all().unwrap(), vec![record]);

        assert!(store.remove(p).unwrap());
        assert!(!store.remove(p).unwrap());
        assert_eq!(store.read(p).unwrap(), None);
        assert_eq!(fs::read_dir(tmp.path().join("data/trust-v1")).unwrap().count(), 0);
    }

    #[test]
    fn a_corrupt_or_misfiled_record_counts_as_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().to_path_buf());
        let p = Path::new("/p/den.toml");
        store.write(p, b"x").unwrap();
        fs::write(store.record_path(p), "not = [toml").unwrap();
        assert_eq!(store.read(p).unwrap(), None);

        // A record copied under another path's key is not that path's record.
        let other = Path::new("/q/den.toml");
        store.write(other, b"x").unwrap();
        fs::copy(store.record_path(other), store.record_path(p)).unwrap();
        assert_eq!(store.read(p).unwrap(), None);
        let listed: Vec<_> = store.all().unwrap().into_iter().map(|r| r.path).collect();
        assert_eq!(listed, vec!["/q/den.toml"]);
    }

    #[test]
    fn a_copy_that_does_not_match_the_record_yields_no_trusted_content() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().to_path_buf());
        let p = Path::new("/p/den.toml");
        store.write(p, b"trusted").unwrap();
        let record = store.read(p).unwrap().unwrap();
        fs::write(store.copy_path(p), "tampered").unwrap();
        assert_eq!(store.trusted_content(p, &record), "");
        fs::remove_file(store.copy_path(p)).unwrap();
        assert_eq!(store.trusted_content(p, &record), "");
    }
}
