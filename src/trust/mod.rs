//! Trust (spec §8): a den.toml is trusted for its key path (`key_path`: where it is, not
//! where a symlink points) and the sha256 of the bytes den parsed; any edit needs trusting
//! again, except den's own edits. The dotenv files it names are trusted with it: one whose
//! content changed since applies only while no git repository tracks it (`dotenv_allowed`).
//! A copy of the trusted content lets den show what changed since.
//!
//! `status_of` sits on the activation hot path (`den export` at every prompt that changed
//! something): one canonicalize, one small record read, no directory scan, no network; git's
//! index is read (in-process, `git`; no program runs) only for a dotenv file whose content
//! differs from the trusted one. This module must
//! never run, parse or interpret the files it guards, and never reads a file it decides on
//! itself: callers pass the bytes they parsed.

mod diff;
mod gate;
pub mod git;
mod store;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use diff::render_diff;
pub use gate::{How, gate};
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
    /// The trust records' directory could have been written by someone else.
    #[error("refusing to write trust records in {}: {}", path.display(), why.reason())]
    UnsafeRecords { path: PathBuf, why: store::Unsafe },
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
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
            Error::UnsafeRecords { path, why: store::Unsafe::WritableByOthers } => {
                Some(format!("run `chmod 700 {}`", path.display()))
            }
            Error::UnsafeRecords { .. } => {
                Some("remove it (den creates it again), then run `den trust` in your projects again".into())
            }
            Error::NoManifest { .. } => Some(
                "`den init` writes one\nprojects with only .tool-versions, .nvmrc and the like need no trust: \
                 they cannot run anything"
                    .into(),
            ),
        }
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
    /// The key path that was trusted.
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

/// The trust status of `file` whose current content is `content` (the bytes the caller
/// parsed: never read again here, so what is decided on is what is applied): one
/// canonicalize and one record read.
pub fn status_of(file: &Path, content: &[u8]) -> Result<Status, Error> {
    status_in(&Store::open(), &key_path(file)?, content)
}

/// What `den trust` (or a confirmed `den enter`/`den run`) records: a den.toml with the
/// bytes den parsed, and the dotenv files it names (read here, once, when trusting).
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// `<root>/den.toml`.
    pub file: &'a Path,
    /// Its content, as parsed.
    pub content: &'a [u8],
    /// The project root the dotenv names are relative to.
    pub root: &'a Path,
    /// The dotenv files, as den.toml names them (empty when it does not parse).
    pub dotenv: &'a [String],
}

/// What `trust` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trusted {
    /// The den.toml and every dotenv file were trusted as they are: nothing written.
    Already,
    /// Recorded; `diff` shows what changed since the last trust (empty when the project
    /// was new to trust), rendered for stderr.
    Now { diff: String },
}

/// Trusts `subject` as it is now: den.toml's content and the current content of each of its
/// dotenv files (`review` then `record`).
pub fn trust(subject: &Subject) -> Result<Trusted, Error> {
    let store = Store::open();
    let review = review_in(&store, subject, false)?;
    if review.already {
        return Ok(Trusted::Already);
    }
    record_in(&store, &review)?;
    Ok(Trusted::Now { diff: review.diff })
}

/// What trusting a subject would record, read once, so that what is shown is what is
/// recorded.
#[derive(Debug)]
pub struct Review {
    key: PathBuf,
    content: Vec<u8>,
    dotenv: Vec<(String, Vec<u8>)>,
    /// den.toml and every dotenv file are trusted as they are: nothing to record.
    pub already: bool,
    /// What changed since the last trust, rendered for stderr: den.toml, and the dotenv
    /// files a repository tracks (a local, untracked dotenv file is the user's own: recorded,
    /// not shown, as it often holds secrets). For a project never trusted, empty unless
    /// `show_new` asked for its whole content.
    pub diff: String,
}

/// Reads what `subject` would record (its dotenv files, now) and what changed since the
/// last trust.
pub fn review(subject: &Subject, show_new: bool) -> Result<Review, Error> {
    review_in(&Store::open(), subject, show_new)
}

/// Records a review: exactly the bytes it read and showed.
pub fn record(review: &Review) -> Result<(), Error> {
    record_in(&Store::open(), review)
}

/// Whether dotenv file `name` (as den.toml `file` names it, relative to `root`) may apply
/// with `content`, the bytes the caller parsed: yes when it is the content trusted with
/// den.toml, or when it changed (or appeared) but no git repository tracks it, so no
/// `git pull` can have changed it (a local, git-ignored `.env` stays freely editable). A
/// tracked file that changed needs `den trust`. Git's index is read only when the content
/// differs; when it cannot answer, the file counts as tracked (fail closed).
pub fn dotenv_allowed(file: &Path, root: &Path, name: &str, content: &[u8]) -> bool {
    dotenv_allowed_in(&Store::open(), file, root, name, content)
}

fn dotenv_allowed_in(store: &Store, file: &Path, root: &Path, name: &str, content: &[u8]) -> bool {
    let recorded = key_path(file).ok().and_then(|key| store.read(&key).ok().flatten());
    let sha = sha256_hex(content);
    recorded.is_some_and(|r| r.dotenv.iter().any(|d| d.name == name && d.sha256 == sha))
        || !git::tracked(root, &root.join(name))
}

/// Withdraws trust from `file`; whether it had a record. Works for a file that no longer
/// exists (its record is found from the canonical form of its existing ancestors).
pub fn untrust(file: &Path) -> Result<bool, Error> {
    Store::open().remove(&key_path(file)?)
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
    crate::paths::Bucket::Trust.path()
}

/// Where `file` is, as trust knows it: its directory's canonical path joined with its own
/// name, without resolving `file` itself. A symlinked den.toml is therefore trusted as what
/// it is, never as its target: `~/evil/den.toml -> ~/src/app/den.toml` is a file of its
/// own, untrusted until trusted there, because its relative paths (dotenv files, PATH
/// entries, commands, secret files) resolve in `~/evil`. Works for a file that no longer
/// exists (its existing ancestors are canonicalized).
pub fn key_path(file: &Path) -> Result<PathBuf, Error> {
    let absolute =
        std::path::absolute(file).map_err(|source| Error::Read { path: file.to_path_buf(), source })?;
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => Ok(canonical_lenient(parent)?.join(name)),
        _ => canonical_lenient(&absolute),
    }
}

/// The path a trust record names `file` by (`key_path`), or `file` as given if even that
/// cannot be worked out: what `den trust` and `den untrust` show.
pub fn record_path(file: &Path) -> PathBuf {
    key_path(file).unwrap_or_else(|_| file.to_path_buf())
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

fn status_in(store: &Store, key: &Path, content: &[u8]) -> Result<Status, Error> {
    Ok(match store.read(key)? {
        None => Status::Untrusted,
        Some(record) if record.sha256 == sha256_hex(content) => Status::Trusted,
        Some(record) => Status::Changed { trusted_content: store.trusted_content(key, &record) },
    })
}

fn review_in(store: &Store, subject: &Subject, show_new: bool) -> Result<Review, Error> {
    // Refused before anything is read: one error with its fix, not a warning first.
    store.prepare()?;
    let key = key_path(subject.file)?;
    let mut dotenv = Vec::new();
    for name in subject.dotenv {
        let path = subject.root.join(name);
        match fs_util::read_input(&path) {
            Ok(bytes) => dotenv.push((name.clone(), bytes)),
            // Not there yet: when it appears, it is judged as a changed file.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Read { path, source }),
        }
    }
    let sha = sha256_hex(subject.content);
    let hashes: Vec<(&str, String)> = dotenv.iter().map(|(n, b)| (n.as_str(), sha256_hex(b))).collect();
    let record = store.read(&key)?;
    let already = record.as_ref().is_some_and(|r| {
        r.sha256 == sha
            && r.dotenv.iter().map(|d| (d.name.as_str(), d.sha256.clone())).eq(hashes.iter().cloned())
    });
    let mut diff = String::new();
    if !already && (record.is_some() || show_new) {
        let previous = record.as_ref();
        if previous.is_none_or(|r| r.sha256 != sha) {
            let trusted = previous.map(|r| store.trusted_content(&key, r)).unwrap_or_default();
            diff.push_str(&render_diff(&key, &trusted, &String::from_utf8_lossy(subject.content)));
        }
        for ((name, bytes), (_, hash)) in dotenv.iter().zip(&hashes) {
            let before = previous.and_then(|r| r.dotenv.iter().find(|d| &d.name == name));
            let path = subject.root.join(name);
            if before.is_some_and(|d| &d.sha256 == hash) || !git::tracked(subject.root, &path) {
                continue;
            }
            let trusted = before.map(|d| store.trusted_dotenv(&key, name, &d.sha256)).unwrap_or_default();
            diff.push_str(&render_diff(&path, &trusted, &String::from_utf8_lossy(bytes)));
        }
    }
    Ok(Review { key, content: subject.content.to_vec(), dotenv, already, diff })
}

fn record_in(store: &Store, review: &Review) -> Result<(), Error> {
    store.write(&review.key, &review.content, &review.dotenv)
}

fn list_in(store: &Store) -> Result<Vec<Record>, Error> {
    Ok(store
        .all()?
        .into_iter()
        .map(|record| {
            let state = match fs_util::read_input(Path::new(&record.path)) {
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
    let current = match fs_util::read_input(file) {
        Ok(c) => Some(c),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => return Err(Error::Read { path: file.to_path_buf(), source }),
    };
    let key = key_path(file)?;
    // A symlinked file is written through to its target, which may be trusted in its own
    // right: each key that trusts the current content keeps trusting it.
    let mut keys = vec![key];
    if let Ok(target) = fs::canonicalize(file)
        && target != keys[0]
    {
        keys.push(target);
    }
    for key in keys {
        let keep = match &current {
            None => true,
            Some(current) => status_in(store, &key, current)? == Status::Trusted,
        };
        if keep {
            store.write_keeping_dotenv(&key, new_content)?;
        }
    }
    Ok(())
}

fn write_own_edit_in(store: &Store, file: &Path, new_content: &[u8]) -> Result<(), Error> {
    retrust_in(store, file, new_content)?;
    let target = canonical_lenient(file)?;
    fs_util::beneath::write_keeping_mode(&target, new_content, 0o644)
        .map_err(|source| Error::Write { path: target, source })
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests;
