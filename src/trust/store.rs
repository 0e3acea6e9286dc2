//! The trust records on disk: `<data dir>/trust-v1/<key>.toml` with, beside it,
//! `<key>.content`, the copy of the content that was trusted, and `<key>.<name key>.env`,
//! the copy of each dotenv file trusted with it. `<key>` is the sha256 of the file's key
//! path (see `trust::key_path`), so finding a file's record costs one `open`, never a scan.
//!
//! Layout is versioned by bucket (architecture convention 3): a format change is a new
//! `trust-v2/`, never a migration (the `dotenv` list is an optional addition: a record
//! without it trusts no dotenv content, which fails closed). Directories are 0700, files
//! 0600, every write atomic.
//!
//! A record is believed only when no one else could have written it (as git's
//! `safe.directory` and direnv do): the bucket must be a real directory owned by the
//! effective uid and not writable by group or others, and so must each record file. Anything
//! else counts as absent (fail closed), with one line on stderr naming the path and the fix.
//! This module knows nothing of what "trusted" means to the rest of den; it must never
//! read or write anything outside its bucket.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Error;
use crate::fs_util;

/// Mode of every file written here.
const FILE_MODE: u32 = 0o600;
/// Permission bits that let someone other than the owner write.
const WRITABLE_BY_OTHERS: u32 = 0o022;

/// What a record file holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordFile {
    /// The key path of the trusted file (lossy for non-UTF-8 paths; only shown).
    pub path: String,
    /// sha256 (hex) of the content that was trusted.
    pub sha256: String,
    /// When it was trusted, in seconds since the Unix epoch.
    pub trusted_at_unix: u64,
    /// The dotenv files trusted with it, by the name den.toml gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dotenv: Vec<DotenvRecord>,
}

/// One dotenv file's trusted content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DotenvRecord {
    /// The path as written in den.toml's `dotenv` list.
    pub name: String,
    /// sha256 (hex) of its content when it was trusted.
    pub sha256: String,
}

/// Why a record or the bucket is not believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsafe {
    Symlink,
    NotOwned(u32),
    WritableByOthers,
    WrongType,
}

impl Unsafe {
    /// The reason, as it ends a sentence naming the path.
    pub fn reason(self) -> String {
        match self {
            Unsafe::Symlink => "it is a symlink".into(),
            Unsafe::NotOwned(uid) => format!("it is owned by uid {uid}, not by you (uid {})", euid()),
            Unsafe::WritableByOthers => "it is writable by group or others".into(),
            Unsafe::WrongType => "it is not what den created there".into(),
        }
    }
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

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail (POSIX).
    unsafe { libc::geteuid() }
}

/// Whether `meta` (from lstat or fstat) is something only this user could have written.
fn vet(meta: &fs::Metadata, dir: bool) -> Result<(), Unsafe> {
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(Unsafe::Symlink);
    }
    if (dir && !kind.is_dir()) || (!dir && !kind.is_file()) {
        return Err(Unsafe::WrongType);
    }
    if meta.uid() != euid() {
        return Err(Unsafe::NotOwned(meta.uid()));
    }
    if meta.mode() & WRITABLE_BY_OTHERS != 0 {
        return Err(Unsafe::WritableByOthers);
    }
    Ok(())
}

/// Reads a file of the bucket, never through a symlink, if it is safe to believe; `None`
/// when it does not exist. The checks are made on the open descriptor (no race).
#[allow(clippy::disallowed_methods, reason = "a read-only open of den's own trust store (O_NOFOLLOW)")]
fn read_vetted(path: &Path) -> io::Result<Option<Result<Vec<u8>, Unsafe>>> {
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        // O_NOFOLLOW on a symlink.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(Some(Err(Unsafe::Symlink))),
        Err(e) => return Err(e),
    };
    if let Err(why) = vet(&file.metadata()?, false) {
        return Ok(Some(Err(why)));
    }
    let mut bytes = Vec::new();
    file.take(fs_util::INPUT_LIMIT).read_to_end(&mut bytes)?;
    Ok(Some(Ok(bytes)))
}

impl Store {
    /// The store den uses: `paths::data_dir()/trust-v1`.
    pub fn open() -> Store {
        Store::at(crate::paths::Bucket::Trust.path())
    }

    /// A store in `dir` (tests).
    pub fn at(dir: PathBuf) -> Store {
        Store { dir }
    }

    fn key(canonical: &Path) -> String {
        sha256_hex(canonical.as_os_str().as_bytes())
    }

    /// The record file of a key path (whether or not it exists).
    pub fn record_path(&self, canonical: &Path) -> PathBuf {
        self.dir.join(format!("{}.toml", Store::key(canonical)))
    }

    fn copy_path(&self, canonical: &Path) -> PathBuf {
        self.dir.join(format!("{}.content", Store::key(canonical)))
    }

    fn dotenv_copy_path(&self, canonical: &Path, name: &str) -> PathBuf {
        self.dir.join(format!("{}.{}.env", Store::key(canonical), sha256_hex(name.as_bytes())))
    }

    /// Whether the bucket may be believed: `Ok(false)` when it does not exist, an error
    /// (the reason) when someone else could have written it.
    fn vet_dir(&self) -> Result<bool, Unsafe> {
        match fs::symlink_metadata(&self.dir) {
            Ok(meta) => vet(&meta, true).map(|()| true),
            Err(_) => Ok(false),
        }
    }

    /// `vet_dir`, with the one line that says why records there are ignored.
    fn usable(&self) -> bool {
        match self.vet_dir() {
            Ok(exists) => exists,
            Err(why) => {
                let fix = match why {
                    Unsafe::WritableByOthers => format!("run `chmod 700 {}`", self.dir.display()),
                    _ => "remove it, then run `den trust` in your projects again".to_string(),
                };
                crate::ui::warn(&format!(
                    "ignoring the trust records in {}: {}; {fix}",
                    self.dir.display(),
                    why.reason()
                ));
                false
            }
        }
    }

    /// The record of `canonical`, if there is a valid one. A record that does not parse,
    /// names another path or could have been written by someone else counts as absent: the
    /// file is untrusted (fail closed) and the next `den trust` overwrites it.
    pub fn read(&self, canonical: &Path) -> Result<Option<RecordFile>, Error> {
        if !self.usable() {
            return Ok(None);
        }
        let path = self.record_path(canonical);
        let bytes = match read_vetted(&path) {
            Ok(None) => return Ok(None),
            Ok(Some(Ok(bytes))) => bytes,
            Ok(Some(Err(why))) => {
                crate::ui::warn(&format!(
                    "ignoring the trust record of {} ({}): {}; remove it, then run `den trust` there again",
                    canonical.display(),
                    path.display(),
                    why.reason()
                ));
                return Ok(None);
            }
            Err(source) => return Err(Error::Record { path, source }),
        };
        let text = String::from_utf8_lossy(&bytes);
        Ok(toml::from_str::<RecordFile>(&text).ok().filter(|r| r.path == canonical.to_string_lossy()))
    }

    /// The content trusted for `record`, or an empty string if its copy is gone, unsafe or
    /// does not match the record (the diff then shows the whole current file as new).
    pub fn trusted_content(&self, canonical: &Path, record: &RecordFile) -> String {
        copy_matching(&self.copy_path(canonical), &record.sha256)
    }

    /// The content of dotenv file `name` trusted with `canonical`, as `trusted_content`.
    pub fn trusted_dotenv(&self, canonical: &Path, name: &str, sha256: &str) -> String {
        copy_matching(&self.dotenv_copy_path(canonical, name), sha256)
    }

    /// Records `content` as the trusted content of `canonical`, with `dotenv` (name and
    /// content of each dotenv file) trusted beside it. The copies are written first and
    /// the record last, so the record (what `status` reads) is the commit point.
    pub fn write(&self, canonical: &Path, content: &[u8], dotenv: &[(String, Vec<u8>)]) -> Result<(), Error> {
        self.prepare()?;
        for (name, bytes) in dotenv {
            let copy = self.dotenv_copy_path(canonical, name);
            fs_util::write_atomic(&copy, bytes, FILE_MODE)
                .map_err(|source| Error::Record { path: copy, source })?;
        }
        let list = dotenv
            .iter()
            .map(|(name, bytes)| DotenvRecord { name: name.clone(), sha256: sha256_hex(bytes) })
            .collect();
        self.write_record(canonical, content, list)
    }

    /// Records `content` as the trusted content of `canonical`, keeping the dotenv files
    /// trusted with its previous record (den's own edits of den.toml).
    pub fn write_keeping_dotenv(&self, canonical: &Path, content: &[u8]) -> Result<(), Error> {
        self.prepare()?;
        let kept = self.read(canonical)?.map(|r| r.dotenv).unwrap_or_default();
        self.write_record(canonical, content, kept)
    }

    /// Creates the bucket, and refuses to write into one that is not safe.
    pub fn prepare(&self) -> Result<(), Error> {
        fs_util::create_private_dir_all(&self.dir)
            .map_err(|source| Error::Record { path: self.dir.clone(), source })?;
        self.vet_dir().map(|_| ()).map_err(|why| Error::UnsafeRecords { path: self.dir.clone(), why })
    }

    fn write_record(&self, canonical: &Path, content: &[u8], dotenv: Vec<DotenvRecord>) -> Result<(), Error> {
        let copy = self.copy_path(canonical);
        fs_util::write_atomic(&copy, content, FILE_MODE)
            .map_err(|source| Error::Record { path: copy, source })?;
        let record = RecordFile {
            path: canonical.to_string_lossy().into_owned(),
            sha256: sha256_hex(content),
            trusted_at_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            dotenv,
        };
        let text = toml::to_string(&record).expect("a record always serializes");
        let path = self.record_path(canonical);
        fs_util::write_atomic(&path, text.as_bytes(), FILE_MODE)
            .map_err(|source| Error::Record { path, source })
    }

    /// Removes the record of `canonical` (record first, then its copies); whether there was one.
    pub fn remove(&self, canonical: &Path) -> Result<bool, Error> {
        let record = self.read(canonical)?;
        let existed = remove_if_present(&self.record_path(canonical))?;
        remove_if_present(&self.copy_path(canonical))?;
        for d in record.map(|r| r.dotenv).unwrap_or_default() {
            remove_if_present(&self.dotenv_copy_path(canonical, &d.name))?;
        }
        Ok(existed)
    }

    /// Every valid record, sorted by path (a directory scan: `den trust --list` only).
    pub fn all(&self) -> Result<Vec<RecordFile>, Error> {
        if !self.usable() {
            return Ok(Vec::new());
        }
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
            let Ok(Some(Ok(bytes))) = read_vetted(&path) else { continue };
            let Ok(record) = toml::from_str::<RecordFile>(&String::from_utf8_lossy(&bytes)) else { continue };
            // Only records filed under their own key (a stray file is not a record).
            if self.record_path(Path::new(&record.path)) == path {
                records.push(record);
            }
        }
        records.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(records)
    }
}

/// The text of a copy whose bytes hash to `sha256`, else empty.
fn copy_matching(path: &Path, sha256: &str) -> String {
    match read_vetted(path) {
        Ok(Some(Ok(bytes))) if sha256_hex(&bytes) == sha256 => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
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
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;
    use crate::hint::Hint;

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

        store.write(p, b"[tools]\n", &[]).unwrap();
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
        store.write(p, b"x", &[]).unwrap();
        fs::write(store.record_path(p), "not = [toml").unwrap();
        assert_eq!(store.read(p).unwrap(), None);

        // A record copied under another path's key is not that path's record.
        let other = Path::new("/q/den.toml");
        store.write(other, b"x", &[]).unwrap();
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
        store.write(p, b"trusted", &[]).unwrap();
        let record = store.read(p).unwrap().unwrap();
        fs::write(store.copy_path(p), "tampered").unwrap();
        assert_eq!(store.trusted_content(p, &record), "");
        fs::remove_file(store.copy_path(p)).unwrap();
        assert_eq!(store.trusted_content(p, &record), "");
    }

    #[test]
    fn records_someone_else_could_have_written_count_as_absent() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("trust-v1");
        let store = Store::at(dir.clone());
        let p = Path::new("/p/den.toml");
        store.write(p, b"x", &[]).unwrap();
        assert!(store.read(p).unwrap().is_some());

        // A record writable by others: ignored until den writes it again (0600, by rename).
        fs::set_permissions(store.record_path(p), fs::Permissions::from_mode(0o666)).unwrap();
        assert_eq!(store.read(p).unwrap(), None);
        assert!(store.all().unwrap().is_empty());
        store.write(p, b"x", &[]).unwrap();
        assert!(store.read(p).unwrap().is_some());

        // A record owned by another user (the tests run as root, who may give it away).
        if euid() == 0 {
            std::os::unix::fs::chown(store.record_path(p), Some(65534), None).unwrap();
            assert_eq!(store.read(p).unwrap(), None);
            store.write(p, b"x", &[]).unwrap();
        }

        // The bucket writable by others: nothing read, nothing written.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        assert_eq!(store.read(p).unwrap(), None);
        let err = store.write(p, b"y", &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "refusing to write trust records in {}: it is writable by group or others",
                dir.display()
            )
        );
        assert_eq!(err.hint(), Some(format!("run `chmod 700 {}`", dir.display())));
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(store.read(p).unwrap().is_some());

        // The bucket as a symlink to a directory that holds the same records.
        let elsewhere = tmp.path().join("elsewhere");
        fs::rename(&dir, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &dir).unwrap();
        assert_eq!(store.read(p).unwrap(), None);
        assert!(matches!(store.write(p, b"y", &[]), Err(Error::UnsafeRecords { why: Unsafe::Symlink, .. })));
        // The record there was not replaced through the symlink.
        let record = fs::read_to_string(elsewhere.join(store.record_path(p).file_name().unwrap())).unwrap();
        assert!(record.contains(&sha256_hex(b"x")), "{record}");
    }
}
