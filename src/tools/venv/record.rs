//! What den vouches for: the record of the venv den made (or adopted) for a project, kept in
//! den's own data dir (`venvs-v1/<sha256 of the project's root>.toml`, 0600 in a 0700 dir):
//! the project's root, the venv's path, the interpreter and tool version it was made for,
//! the sha256 of its `pyvenv.cfg` and the identity of its `bin/python` (the link's target,
//! or the file's device, inode, size and time).
//!
//! Why outside the project: a repository can commit anything under its tree, `.den/`
//! included, so a record there could be forged beside the fake venv it ships; den's data
//! dir is the user's own. Why the identity: a venv den made that someone changed since (its
//! `pyvenv.cfg`, or `bin/python` pointed elsewhere) is no longer the one den vouched for.
//!
//! [`vouched`] is on the hook's path: a few reads and stats, never a process, never a write.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::fs_util;
use crate::paths::Bucket;

/// One venv den vouches for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The project's root (what the file's name is the digest of).
    pub root: String,
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
}

/// Where the record of the project at `root` is.
pub fn file(root: &Path) -> PathBuf {
    let digest = Sha256::digest(root.as_os_str().as_encoded_bytes());
    Bucket::Venvs.path().join(format!("{}.toml", hex(&digest)))
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

/// The record of the venv `rel` of the project at `root` when den vouches for it: den
/// recorded `rel` for this root, and the venv is still what it recorded.
pub fn vouched(root: &Path, rel: &str) -> Option<Record> {
    let text = fs_util::read_input_string(&file(root)).ok()?;
    let record: Record = toml::from_str(&text).ok()?;
    if record.root != root.to_string_lossy() || record.path != rel {
        return None;
    }
    let (cfg, python) = identity(&root.join(rel))?;
    (record.pyvenv_cfg_sha256 == cfg && record.python == python).then_some(record)
}

/// Records the venv `rel` of the project at `root` as den's (made with `interpreter` for
/// the tool's `version`, or `adopted`).
pub fn write(
    root: &Path,
    rel: &str,
    interpreter: &Path,
    version: &str,
    adopted: bool,
) -> io::Result<PathBuf> {
    let (pyvenv_cfg_sha256, python) = identity(&root.join(rel))
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the venv has no pyvenv.cfg or bin/python"))?;
    let record = Record {
        root: root.to_string_lossy().into_owned(),
        path: rel.to_string(),
        interpreter: interpreter.to_string_lossy().into_owned(),
        version: version.to_string(),
        adopted,
        pyvenv_cfg_sha256,
        python,
    };
    let text = format!(
        "# The venv den made or adopted for this project. Never edit it.\n{}",
        toml::to_string(&record).map_err(io::Error::other)?
    );
    let path = file(root);
    fs_util::create_private_dir_all(&Bucket::Venvs.path())?;
    fs_util::write_atomic(&path, text.as_bytes(), 0o600)?;
    Ok(path)
}

/// Removes the record (the venv it named was moved aside).
pub fn forget(root: &Path) {
    let _ = std::fs::remove_file(file(root));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

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
}
