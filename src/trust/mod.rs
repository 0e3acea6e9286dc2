//! Trust (spec §8): a file is trusted for its canonical path and the sha256 of its content;
//! any edit needs trusting again, except den's own edits. A copy of the trusted content
//! lets den show what changed since.
//!
//! `status`/`status_of` sit on the activation hot path (`den export` at every prompt that
//! changed something): one canonicalize, one small record read, no directory scan, no
//! network. This module must never run, parse or interpret the files it guards.

mod diff;
mod store;

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

pub use diff::render_diff;
use store::{Store, sha256_hex};

use crate::fs_util;

/// Problems reading a guarded file or reading/writing trust records.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file to check or trust cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// den's own edit of a trusted file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A trust record (or its directory) cannot be read or written.
    #[error("cannot update the trust record {}: {source}", path.display())]
    Record {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A command that applies a project met a `den.toml` that is not trusted.
    #[error("{} is not trusted{}", path.display(), if *changed { " (it changed since you trusted it)" } else { "" })]
    NotTrusted { path: PathBuf, changed: bool },
    /// `den trust`/`den untrust` found no `den.toml` from `dir` upwards.
    #[error("no den.toml in {} or any parent directory", dir.display())]
    NoManifest { dir: PathBuf },
}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::Read { .. } | Error::Write { .. } => None,
            Error::Record { .. } => Some(format!(
                "den keeps trust records in {}; check its permissions, or set DEN_HOME to move den's data",
                crate::paths::data_dir().display()
            )),
            Error::NotTrusted { changed: true, .. } => {
                Some("run `den trust` to see what changed and trust it".into())
            }
            Error::NotTrusted { .. } => Some("review it, then run `den trust`".into()),
            Error::NoManifest { .. } => Some(
                "`den init` writes one\nprojects with only .tool-versions, .nvmrc and the like need no trust: \
                 they cannot run anything"
                    .into(),
            ),
        }
    }
}

/// Succeeds when `file` is trusted; otherwise the error explains how to trust it.
pub fn require(file: &Path) -> Result<(), Error> {
    match status(file)? {
        Status::Trusted => Ok(()),
        Status::Untrusted => Err(Error::NotTrusted { path: file.to_path_buf(), changed: false }),
        Status::Changed { .. } => Err(Error::NotTrusted { path: file.to_path_buf(), changed: true }),
    }
}

/// Whether a file may be acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Its current content is the content that was trusted.
    Trusted,
    /// It was never trusted (or its trust was withdrawn).
    Untrusted,
    /// It was trusted once and edited since; `trusted_content` is what was trusted (empty
    /// if den's copy of it is lost), for `render_diff`.
    Changed { trusted_content: String },
}

/// One trusted file, as `den trust --list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The canonical path that was trusted.
    pub path: PathBuf,
    pub state: RecordState,
}

/// How a trusted file is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// Unchanged since it was trusted.
    Trusted,
    /// Edited since it was trusted.
    Changed,
    /// No longer exists.
    Missing,
    /// Exists but cannot be read.
    Unreadable,
}

impl RecordState {
    /// The words `den trust --list` prints.
    pub fn label(self) -> &'static str {
        match self {
            RecordState::Trusted => "trusted",
            RecordState::Changed => "changed since trust",
            RecordState::Missing => "missing",
            RecordState::Unreadable => "unreadable",
        }
    }
}

/// The trust status of `file`, reading it. Use `status_of` when the content is at hand.
pub fn status(file: &Path) -> Result<Status, Error> {
    let content = fs::read(file).map_err(|source| Error::Read { path: file.to_path_buf(), source })?;
    status_of(file, &content)
}

/// The trust status of `file` whose current content is `content` (the caller has read it
/// already, e.g. to parse it): one canonicalize and one record read.
pub fn status_of(file: &Path, content: &[u8]) -> Result<Status, Error> {
    status_in(&Store::open(), &canonical(file)?, content)
}

/// Whether `file` is trusted as it is now.
#[expect(dead_code, reason = "used by `den up` and `den run` (issue 2)")]
pub fn is_trusted(file: &Path) -> Result<bool, Error> {
    Ok(status(file)? == Status::Trusted)
}

/// Trusts `file` as it is now. Returns the diff against the previously trusted content
/// (rendered for stderr, coloured per `ui::color()`) when the file was trusted before and
/// edited since; `None` when it was new to trust or already trusted as it is.
pub fn trust(file: &Path) -> Result<Option<String>, Error> {
    trust_in(&Store::open(), file)
}

/// Withdraws trust from `file`; whether it had a record. Works for a file that no longer
/// exists (its record is found from the canonical form of its existing ancestors).
pub fn untrust(file: &Path) -> Result<bool, Error> {
    Store::open().remove(&canonical_lenient(file)?)
}

/// Every trust record with the state of its file now, sorted by path.
pub fn list() -> Result<Vec<Record>, Error> {
    list_in(&Store::open())
}

/// Keeps `file` trusted across an edit den makes itself (`den add`, `den init`, ...).
///
/// Contract: call it with the new content BEFORE writing it to `file` (or use
/// `write_own_edit`, which does both in order). Then:
/// - if `file`'s current content is trusted, `new_content` becomes the trusted content;
/// - if `file` does not exist yet (den creates it), `new_content` is trusted: every byte
///   of it is den's;
/// - otherwise (untrusted, or edited by someone since it was trusted) nothing changes, so
///   den's edit never launders an edit the user has not reviewed.
///
/// If the write then fails, the file is left "changed since trust": it fails closed.
pub fn retrust_after_own_edit(file: &Path, new_content: &[u8]) -> Result<(), Error> {
    retrust_in(&Store::open(), file, new_content)
}

/// den's own edit of `file`: keeps it trusted (see `retrust_after_own_edit`) and replaces
/// it atomically with `new_content`, keeping its permissions (0644 for a new file). A
/// symlinked `file` is written through to its target.
pub fn write_own_edit(file: &Path, new_content: &[u8]) -> Result<(), Error> {
    write_own_edit_in(&Store::open(), file, new_content)
}

/// The directory holding every trust record. Each `den trust` and `den untrust` changes
/// its modification time (records are written by rename and removed), so the activation
/// hook watches this one directory to notice trust changes at the next prompt.
pub fn records_dir() -> PathBuf {
    crate::paths::data_dir().join(store::BUCKET)
}

fn canonical(file: &Path) -> Result<PathBuf, Error> {
    fs::canonicalize(file).map_err(|source| Error::Read { path: file.to_path_buf(), source })
}

/// The canonical form of a path that may not exist: its longest existing ancestor,
/// canonicalized, followed by the rest. Equals `canonicalize` once the file exists.
fn canonical_lenient(file: &Path) -> Result<PathBuf, Error> {
    let read_err = |source| Error::Read { path: file.to_path_buf(), source };
    let mut head = std::path::absolute(file).map_err(read_err)?;
    let mut tail = Vec::new();
    loop {
        match fs::canonicalize(&head) {
            Ok(mut path) => {
                path.extend(tail.iter().rev());
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match (head.file_name(), head.parent()) {
                (Some(name), Some(parent)) => {
                    tail.push(name.to_os_string());
                    head = parent.to_path_buf();
                }
                _ => return Err(read_err(e)),
            },
            Err(e) => return Err(read_err(e)),
        }
    }
}

fn status_in(store: &Store, canonical: &Path, content: &[u8]) -> Result<Status, Error> {
    Ok(match store.read(canonical)? {
        None => Status::Untrusted,
        Some(record) if record.sha256 == sha256_hex(content) => Status::Trusted,
        Some(record) => Status::Changed { trusted_content: store.trusted_content(canonical, &record) },
    })
}

fn trust_in(store: &Store, file: &Path) -> Result<Option<String>, Error> {
    let content = fs::read(file).map_err(|source| Error::Read { path: file.to_path_buf(), source })?;
    let canonical = canonical(file)?;
    let diff = match status_in(store, &canonical, &content)? {
        Status::Trusted => return Ok(None),
        Status::Untrusted => None,
        Status::Changed { trusted_content } => {
            Some(render_diff(&canonical, &trusted_content, &String::from_utf8_lossy(&content)))
        }
    };
    store.write(&canonical, &content)?;
    Ok(diff)
}

fn list_in(store: &Store) -> Result<Vec<Record>, Error> {
    Ok(store
        .all()?
        .into_iter()
        .map(|record| {
            let state = match fs::read(&record.path) {
                Ok(content) if sha256_hex(&content) == record.sha256 => RecordState::Trusted,
                Ok(_) => RecordState::Changed,
                Err(e) if e.kind() == io::ErrorKind::NotFound => RecordState::Missing,
                Err(_) => RecordState::Unreadable,
            };
            Record { path: PathBuf::from(record.path), state }
        })
        .collect())
}

fn retrust_in(store: &Store, file: &Path, new_content: &[u8]) -> Result<(), Error> {
    let current = match fs::read(file) {
        Ok(c) => Some(c),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => return Err(Error::Read { path: file.to_path_buf(), source }),
    };
    let canonical = canonical_lenient(file)?;
    let keep = match &current {
        None => true,
        Some(current) => status_in(store, &canonical, current)? == Status::Trusted,
    };
    if keep { store.write(&canonical, new_content) } else { Ok(()) }
}

fn write_own_edit_in(store: &Store, file: &Path, new_content: &[u8]) -> Result<(), Error> {
    retrust_in(store, file, new_content)?;
    let target = canonical_lenient(file)?;
    let mode = fs::metadata(&target).map_or(0o644, |m| m.permissions().mode() & 0o7777);
    fs_util::write_atomic(&target, new_content, mode).map_err(|source| Error::Write { path: target, source })
}

#[cfg(test)]
mod tests;
