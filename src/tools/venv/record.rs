//! What den vouches for: the record of the venv den made (or adopted) for a project,
//! `<root>/.den/state/venv.toml` (0600): the venv's path, the interpreter and tool version it
//! was made for, the sha256 of its `pyvenv.cfg` and the identity of its `bin/python` (the
//! link's target, or the file's device, inode, size and time), sealed with an HMAC-SHA256
//! under a key only den can read (`<data dir>/venv-key-v1`, 0600, made on first use).
//!
//! Why a seal: `.den/` sits in the repository's tree, so a repository can commit a record
//! beside the fake venv it commits; without the key it cannot write one den believes.
//! Why the identity: a venv den made that someone changed since (its `pyvenv.cfg`, or
//! `bin/python` pointed elsewhere) is no longer the one den vouched for.
//!
//! [`vouched`] is on the hook's path: a few reads and stats, never a process, never a write.
//! Never writes through a link a repository planted (`.den` and `.den/state` are made one
//! component at a time, links replaced; the record is replaced atomically).

use std::io::{self, Read};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::fs_util;
use crate::paths::{Bucket, DenDir};

/// The record file's name under `.den/state/`.
const FILE: &str = "venv.toml";

/// One venv den vouches for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The venv's path as den.toml names it (relative to the project's root).
    pub path: String,
    /// The interpreter it was made with (or, adopted, that its `bin/python` resolves to).
    pub interpreter: String,
    /// The version of the project's tool it was made for: another one makes it again.
    pub version: String,
    /// Whether the user made it and den adopted it (kept, never deleted, when replaced).
    pub adopted: bool,
    /// sha256 (hex) of its `pyvenv.cfg`.
    pub pyvenv_cfg_sha256: String,
    /// `bin/python`: `link <target>` or `file <dev>:<ino>:<size>:<mtime>`.
    pub python: String,
    /// HMAC-SHA256 (hex) of the fields above under den's key.
    pub seal: String,
}

/// Where the record of the project at `root` is.
pub fn file(root: &Path) -> PathBuf {
    DenDir::of(root).state().join(FILE)
}

/// What identifies the venv at `dir` now: the sha256 of its `pyvenv.cfg` and its
/// `bin/python`'s identity; `None` when either is missing or unreadable.
pub fn identity(dir: &Path) -> Option<(String, String)> {
    let cfg = fs_util::read_input(&dir.join("pyvenv.cfg")).ok()?;
    let python = dir.join("bin/python");
    let meta = std::fs::symlink_metadata(&python).ok()?;
    let python = if meta.file_type().is_symlink() {
        format!("link {}", std::fs::read_link(&python).ok()?.to_str()?)
    } else if meta.is_file() {
        format!("file {}:{}:{}:{}.{}", meta.dev(), meta.ino(), meta.size(), meta.mtime(), meta.mtime_nsec())
    } else {
        return None;
    };
    Some((hex(&Sha256::digest(&cfg)), python))
}

/// The record of the venv `rel` of the project at `root` when den vouches for it: the
/// record is sealed by den's key, names `rel`, and the venv is still what it recorded.
pub fn vouched(root: &Path, rel: &str) -> Option<Record> {
    let text = fs_util::read_input_string(&file(root)).ok()?;
    let record: Record = toml::from_str(&text).ok()?;
    let key = key(false).ok()??;
    if record.path != rel || !equal(&seal(&key, &record), &record.seal) {
        return None;
    }
    let (cfg, python) = identity(&root.join(rel))?;
    (record.pyvenv_cfg_sha256 == cfg && record.python == python).then_some(record)
}

/// Records the venv `rel` of the project at `root` as den's (made with `interpreter` for
/// the tool's `version`, or `adopted`), sealed with den's key (made on first use).
pub fn write(
    root: &Path,
    rel: &str,
    interpreter: &Path,
    version: &str,
    adopted: bool,
) -> io::Result<PathBuf> {
    let (pyvenv_cfg_sha256, python) = identity(&root.join(rel))
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the venv has no pyvenv.cfg or bin/python"))?;
    let key = key(true)?.ok_or_else(|| io::Error::other("no key"))?;
    let mut record = Record {
        path: rel.to_string(),
        interpreter: interpreter.to_string_lossy().into_owned(),
        version: version.to_string(),
        adopted,
        pyvenv_cfg_sha256,
        python,
        seal: String::new(),
    };
    record.seal = seal(&key, &record);
    let den = DenDir::of(root);
    for dir in [den.path().to_path_buf(), den.state()] {
        if let Some(target) = fs_util::real_dir(&dir)? {
            crate::ui::warn(&format!(
                "replaced {}, a symbolic link to {target:?}, by a directory: den never writes through links it did not create",
                dir.display()
            ));
        }
    }
    let ignore = den.gitignore();
    if !std::fs::symlink_metadata(&ignore).is_ok_and(|m| m.is_file()) {
        fs_util::write_atomic(&ignore, b"# den's per-project state; never commit it.\n*\n", 0o600)?;
    }
    let text = format!(
        "# The venv den made or adopted; the seal proves den wrote this. Never edit it.\n{}",
        toml::to_string(&record).map_err(io::Error::other)?
    );
    let path = file(root);
    fs_util::write_atomic(&path, text.as_bytes(), 0o600)?;
    Ok(path)
}

/// Removes the record (the venv it named was moved aside).
pub fn forget(root: &Path) {
    let _ = std::fs::remove_file(file(root));
}

/// The seal of `record`'s fields (its own `seal` left out).
fn seal(key: &[u8; 32], record: &Record) -> String {
    let mut msg = Vec::new();
    for field in [
        "den-venv-record-v1",
        &record.path,
        &record.interpreter,
        &record.version,
        if record.adopted { "adopted" } else { "made" },
        &record.pyvenv_cfg_sha256,
        &record.python,
    ] {
        msg.extend_from_slice(&(field.len() as u64).to_le_bytes());
        msg.extend_from_slice(field.as_bytes());
    }
    hex(&hmac(key, &msg))
}

/// HMAC-SHA256 (RFC 2104) of `msg` under a 32-byte `key`.
fn hmac(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(msg).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// Compares two seals in time that does not depend on where they differ.
fn equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Den's key: `None` when there is none yet (and `create` is false) or when the file is not
/// den's own (not a regular file of this user that only they can read: it counts as
/// absent, so nothing is vouched for). With `create`, a missing key is made from the
/// kernel's generator and linked into place without replacing one another den just made.
fn key(create: bool) -> io::Result<Option<[u8; 32]>> {
    let path = Bucket::VenvKey.path();
    match read_key(&path) {
        Ok(key) => return Ok(key),
        Err(e) if e.kind() == io::ErrorKind::NotFound && create => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    fs_util::create_private_dir_all(dir)?;
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let temp = tempfile::Builder::new().prefix(".venv-key").tempfile_in(dir)?;
    std::fs::write(temp.path(), bytes)?;
    match std::fs::hard_link(temp.path(), &path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    read_key(&path)
}

fn read_key(path: &Path) -> io::Result<Option<[u8; 32]>> {
    let mut file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() || meta.uid() != nix::unistd::geteuid().as_raw() || meta.mode() & 0o077 != 0 {
        return Ok(None);
    }
    let mut key = [0u8; 32];
    file.read_exact(&mut key)?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 1: 20 bytes of 0x0b (a key shorter than a block is padded with
        // zeros, so the same key padded to 32 bytes gives the same HMAC).
        let mut key = [0u8; 32];
        key[..20].copy_from_slice(&[0x0b; 20]);
        assert_eq!(
            hex(&hmac(&key, b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn identity_follows_the_config_and_the_interpreter_link() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        assert_eq!(identity(dir), None);
        std::fs::create_dir(dir.join("bin")).unwrap();
        std::fs::write(dir.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        assert_eq!(identity(dir), None, "no bin/python");
        std::os::unix::fs::symlink("/usr/bin/python3", dir.join("bin/python")).unwrap();
        let (cfg, python) = identity(dir).unwrap();
        assert_eq!(python, "link /usr/bin/python3");
        std::fs::write(dir.join("pyvenv.cfg"), "home = /elsewhere\n").unwrap();
        assert_ne!(identity(dir).unwrap().0, cfg);
    }

    #[test]
    fn seals_differ_by_every_field_and_compare_exactly() {
        let record = Record {
            path: ".venv".into(),
            interpreter: "/usr/bin/python3".into(),
            version: "3.11.2".into(),
            adopted: false,
            pyvenv_cfg_sha256: "ab".into(),
            python: "link /usr/bin/python3".into(),
            seal: String::new(),
        };
        let key = [7u8; 32];
        let s = seal(&key, &record);
        assert!(equal(&s, &seal(&key, &record)));
        assert!(!equal(&s, &seal(&[8u8; 32], &record)));
        let other = Record { python: "link /tmp/evil".into(), ..record.clone() };
        assert!(!equal(&s, &seal(&key, &other)));
        let other = Record { adopted: true, ..record };
        assert!(!equal(&s, &seal(&key, &other)));
        assert!(!equal("ab", "abc"));
    }
}
