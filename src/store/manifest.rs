//! File manifests: `tools-v1/<key>.files.json`, the sha256 of every file and the target
//! of every link of an installed tool, written once at install time. The artifact itself
//! is gone after unpacking, so `den cache verify` re-hashes the files against this list.
//!
//! Never changes an installed tool; only reads it. Names that are not UTF-8 are left out
//! (no upstream artifact has them).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Error;
use super::layout::{Store, TOOLS};

/// What an install directory held when it was installed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Relative path → sha256 (hex) of every regular file.
    pub files: BTreeMap<String, String>,
    /// Relative path → target of every symbolic link.
    pub links: BTreeMap<String, String>,
}

/// A difference between an installed tool and its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Modified(String),
    Missing(String),
    Added(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Modified(p) => write!(f, "modified: {p}"),
            Problem::Missing(p) => write!(f, "missing: {p}"),
            Problem::Added(p) => write!(f, "added: {p}"),
        }
    }
}

/// Where the manifest of `key` is.
pub fn path(store: &Store, key: &str) -> PathBuf {
    store.root().join(TOOLS).join(format!("{key}.files.json"))
}

/// Hashes everything under `dir` (links are recorded, never followed).
pub fn record(dir: &Path) -> Result<Manifest, Error> {
    let mut m = Manifest::default();
    walk(dir, "", &mut m)?;
    Ok(m)
}

fn walk(dir: &Path, prefix: &str, m: &mut Manifest) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(Error::read(dir))?;
    for entry in entries {
        let entry = entry.map_err(Error::read(dir))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let full = entry.path();
        let kind = entry.file_type().map_err(Error::read(&full))?;
        if kind.is_symlink() {
            let target = fs::read_link(&full).map_err(Error::read(&full))?;
            m.links.insert(rel, target.to_string_lossy().into_owned());
        } else if kind.is_dir() {
            walk(&full, &rel, m)?;
        } else if kind.is_file() {
            m.files.insert(rel, hash(&full)?);
        }
    }
    Ok(())
}

fn hash(file: &Path) -> Result<String, Error> {
    let mut f = fs::File::open(file).map_err(Error::read(file))?;
    let mut h = Sha256::new();
    io::copy(&mut f, &mut h).map_err(Error::read(file))?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Records `dir` (the tool's staged or installed directory) as the manifest of `key`.
pub fn write(store: &Store, key: &str, dir: &Path) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(&record(dir)?).expect("a manifest serializes");
    let file = path(store, key);
    crate::fs_util::write_atomic(&file, text.as_bytes(), 0o600).map_err(Error::write(&file))
}

/// The manifest of `key`; `Ok(None)` when it has none.
pub fn read(store: &Store, key: &str) -> Result<Option<Manifest>, Error> {
    let file = path(store, key);
    match fs::read(&file) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::Damaged { path: file, reason: e.to_string() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::read(&file)(e)),
    }
}

/// Re-hashes the installed tool `key` against its manifest: every file modified, missing
/// or added, in path order; `Ok(None)` when there is no manifest to compare with.
pub fn verify(store: &Store, key: &str) -> Result<Option<Vec<Problem>>, Error> {
    let Some(expected) = read(store, key)? else { return Ok(None) };
    let dir = store.tool_dir(key);
    let now = if dir.is_dir() { record(&dir)? } else { Manifest::default() };
    Ok(Some(compare(&expected, &now)))
}

fn compare(expected: &Manifest, now: &Manifest) -> Vec<Problem> {
    let mut out = BTreeMap::new();
    let known = |p: &String| now.files.contains_key(p) || now.links.contains_key(p);
    for (p, h) in &expected.files {
        match now.files.get(p) {
            Some(n) if n == h => {}
            _ if known(p) => drop(out.insert(p.clone(), Problem::Modified(p.clone()))),
            _ => drop(out.insert(p.clone(), Problem::Missing(p.clone()))),
        }
    }
    for (p, t) in &expected.links {
        match now.links.get(p) {
            Some(n) if n == t => {}
            _ if known(p) => drop(out.insert(p.clone(), Problem::Modified(p.clone()))),
            _ => drop(out.insert(p.clone(), Problem::Missing(p.clone()))),
        }
    }
    let before: BTreeSet<&String> = expected.files.keys().chain(expected.links.keys()).collect();
    for p in now.files.keys().chain(now.links.keys()).filter(|p| !before.contains(p)) {
        out.insert(p.clone(), Problem::Added(p.clone()));
    }
    out.into_values().collect()
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn verify_reports_modified_missing_and_added_files() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let dir = store.tool_dir("sha256-aa");
        fs::create_dir_all(dir.join("bin")).unwrap();
        fs::write(dir.join("bin/tool"), b"v1").unwrap();
        fs::write(dir.join("README"), b"read me").unwrap();
        fs::write(dir.join("gone"), b"x").unwrap();
        std::os::unix::fs::symlink("tool", dir.join("bin/alias")).unwrap();
        assert_eq!(verify(&store, "sha256-aa").unwrap(), None);
        write(&store, "sha256-aa", &dir).unwrap();
        let m = read(&store, "sha256-aa").unwrap().unwrap();
        assert_eq!(m.links["bin/alias"], "tool");
        assert_eq!(m.files["bin/tool"], "3bfc269594ef649228e9a74bab00f042efc91d5acc6fbee31a382e80d42388fe");
        assert_eq!(verify(&store, "sha256-aa").unwrap(), Some(vec![]));

        fs::write(dir.join("bin/tool"), b"v2").unwrap();
        fs::remove_file(dir.join("gone")).unwrap();
        fs::write(dir.join("extra"), b"x").unwrap();
        fs::remove_file(dir.join("bin/alias")).unwrap();
        std::os::unix::fs::symlink("other", dir.join("bin/alias")).unwrap();
        let shown: Vec<String> =
            verify(&store, "sha256-aa").unwrap().unwrap().iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["modified: bin/alias", "modified: bin/tool", "added: extra", "missing: gone"]);
    }
}
