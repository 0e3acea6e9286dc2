//! den.lock (spec §3): the exact version and, per platform, the artifact of every tool of a
//! project, so that installing needs no look-up. The file is committed, so it must never
//! churn: one fixed layout (`format.rs`), rewritten only when its bytes change, and entries
//! of other platforms kept when a machine re-resolves for its own.
//!
//! Never resolves anything and never touches the network: it stores what the resolver
//! produced and answers whether that still fits den.toml.
//!
//! # What den.lock may and may not do
//!
//! den.lock arrives with the repository (a `git pull` can change it without anyone
//! re-trusting den.toml), so it may narrow what den.toml allows but never widen it:
//! - It may pin, for each tool den.toml declares, one exact version and per platform one
//!   artifact (URL, checksum, size, format, binaries, unpacking steps). Beside a trusted
//!   den.toml that pin is the team's, reviewed like code: for catalog, `github:`, `npm:`
//!   and `pypi:` tools den installs it without a look-up.
//! - Its `bin` entries are relative paths of plain components inside the tool's directory
//!   (no absolute path, `..`, empty or `.` component, NUL); any other makes the whole file
//!   invalid, with its line (`format.rs`). Unpacking steps are held inside the tool's
//!   directory when they run (`store::post_install`).
//! - An entry whose version den.toml's spec does not accept, whose URL its declared source
//!   cannot give (not the rendered URL template; not a release asset of the `github:`
//!   repository on the configured GitHub; not under the npm package's path in the
//!   configured registry; PyPI file URLs are not predictable and stay the lock's), or whose
//!   checksum is not den.toml's `sha256` is refused (`vet.rs`): an error naming both values and the file,
//!   with `--frozen` or without, before anything is downloaded or put on PATH.
//! - A tool den.toml does not declare is never installed nor put on PATH, and leaves the
//!   file at its next write.
//! - A `source = "system"` entry (a binary already on the machine) records the version
//!   found and nothing to download: it is honoured only when den.toml says
//!   `source = "system"` for that tool, and refused when it carries an artifact (`vet.rs`).
//! - Beside foreign version files only (`.nvmrc`, `.tool-versions`: no den.toml, no trust),
//!   the lock lives in den's own state, not in the repository, and an entry is used only
//!   when den resolved that exact version from its own sources and got the same artifact;
//!   otherwise it is ignored with one warning and den installs (and writes) its own
//!   resolution (`tools::foreign_lock`).

mod format;
#[cfg(test)]
mod tests;
mod vet;

pub use vet::{Upstreams, vet};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::catalog::Platform;
use crate::project::{Diagnostic, ToolRequest};
use crate::resolve::{Artifact, Resolved};
use crate::ui::{escaped, shown_path};

/// The lock file's name, next to den.toml.
pub const DEN_LOCK: &str = "den.lock";

/// The content of a den.lock: resolved tools by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub tools: BTreeMap<String, Resolved>,
}

/// Problems reading, writing or honouring den.lock.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// den.lock is not valid: where, the line, a caret, and what to do.
    #[error("{0}")]
    Invalid(Box<Diagnostic>),
    #[error("cannot read {}: {source}", shown_path(path))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", shown_path(path))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A lock entry that pins what den.toml does not allow (see `vet.rs`): refused, with
    /// `--frozen` or without, before anything is downloaded or put on PATH.
    #[error("{} pins what den.toml does not allow: {}", shown_path(path), list(mismatches))]
    Widens { path: PathBuf, mismatches: Vec<Mismatch> },
    /// `den install --frozen` with a lock that does not fit den.toml.
    #[error("{} does not match den.toml: {}", shown_path(path), list(mismatches))]
    Unsatisfied { path: PathBuf, mismatches: Vec<Mismatch> },
}

fn list(mismatches: &[Mismatch]) -> String {
    mismatches.iter().map(Mismatch::to_string).collect::<Vec<_>>().join("; ")
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            Error::Invalid(d) => d.help.clone(),
            Error::Read { .. } | Error::Write { .. } => None,
            Error::Widens { mismatches, .. } => {
                let mut tools: Vec<&str> = mismatches.iter().map(Mismatch::tool).collect();
                tools.dedup();
                Some(format!(
                    "den.lock may only narrow den.toml; if den.toml changed on purpose, run `den upgrade {}` \
                     to lock it again, otherwise restore den.lock from version control (or delete it) \
                     and run `den install`",
                    escaped(&tools.join(" "))
                ))
            }
            Error::Unsatisfied { .. } => {
                Some("run `den install` without `--frozen` to update den.lock, then commit it".into())
            }
        }
    }
}

/// One way in which den.lock does not satisfy den.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// In den.toml, not in den.lock.
    Missing { tool: String },
    /// In den.lock, no longer in den.toml.
    Removed { tool: String },
    /// The version spec in den.toml is not the one the lock was resolved for.
    Spec { tool: String, locked: String, requested: String },
    /// The `source`/`url` in den.toml is not the one the lock was resolved from.
    Source { tool: String, locked: String, requested: String },
    /// den.toml's `sha256` differs from the locked checksum.
    Checksum { tool: String, locked: String, requested: String },
    /// The lock has no artifact for this machine's platform.
    Platform { tool: String, platform: Platform },
    /// The locked version is not one den.toml's spec accepts.
    Version { tool: String, version: String, spec: String },
    /// The locked URL is not what the tool's URL template gives for that version.
    Url { tool: String, locked: String, expected: String },
}

impl Mismatch {
    /// The tool it is about.
    pub fn tool(&self) -> &str {
        match self {
            Mismatch::Missing { tool }
            | Mismatch::Removed { tool }
            | Mismatch::Spec { tool, .. }
            | Mismatch::Source { tool, .. }
            | Mismatch::Checksum { tool, .. }
            | Mismatch::Platform { tool, .. }
            | Mismatch::Version { tool, .. }
            | Mismatch::Url { tool, .. } => tool,
        }
    }
}

impl fmt::Display for Mismatch {
    // Every value may come from den.lock (a file of the repository): escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tool = escaped(self.tool());
        match self {
            Mismatch::Missing { .. } => write!(f, "`{tool}` is not locked"),
            Mismatch::Removed { .. } => write!(f, "`{tool}` is locked but no longer in den.toml"),
            Mismatch::Spec { locked, requested, .. } => {
                let (locked, requested) = (escaped(locked), escaped(requested));
                write!(f, "`{tool}` is locked for `{locked}`, den.toml asks for `{requested}`")
            }
            Mismatch::Source { locked, requested, .. } => {
                let (locked, requested) = (escaped(locked), escaped(requested));
                write!(f, "`{tool}` is locked from `{locked}`, den.toml asks for `{requested}`")
            }
            Mismatch::Checksum { locked, requested, .. } => {
                let (locked, requested) = (escaped(locked), escaped(requested));
                write!(f, "`{tool}` is locked with checksum `{locked}`, den.toml says `{requested}`")
            }
            Mismatch::Platform { platform, .. } => write!(f, "`{tool}` is not locked for {platform}"),
            Mismatch::Version { version, spec, .. } => {
                let (version, spec) = (escaped(version), escaped(spec));
                write!(f, "`{tool}` is locked at {version}, which the requested `{spec}` does not accept")
            }
            Mismatch::Url { locked, expected, .. } => {
                let (locked, expected) = (escaped(locked), escaped(expected));
                write!(f, "`{tool}` is locked to download `{locked}`, its source gives `{expected}`")
            }
        }
    }
}

/// What den.lock records as a request's `source`: `catalog` for a built-in definition,
/// else the den.toml `source` or `url` as written.
pub fn request_source(request: &ToolRequest) -> String {
    request.source.clone().or_else(|| request.url.clone()).unwrap_or_else(|| "catalog".into())
}

impl Lock {
    /// A lock holding exactly these tools (a team cache's index of one artifact).
    pub fn from_resolved(tools: impl IntoIterator<Item = Resolved>) -> Lock {
        Lock { tools: tools.into_iter().map(|r| (r.name.clone(), r)).collect() }
    }

    /// Parses the text of the den.lock at `file` (the path is for messages).
    pub fn parse(file: &Path, text: &str) -> Result<Lock, Error> {
        format::parse(file, text)
    }

    /// Reads `file`; `Ok(None)` when there is none.
    pub fn read(file: &Path) -> Result<Option<Lock>, Error> {
        match crate::fs_util::read_input_string(file) {
            Ok(text) => Lock::parse(file, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Read { path: file.to_path_buf(), source }),
        }
    }

    /// The file's text: always the same bytes for the same content.
    pub fn render(&self) -> String {
        format::render(self)
    }

    /// Writes `file` unless it already holds exactly these bytes (a committed lock must not
    /// churn); atomically, so a reader never sees half a lock. Returns whether it wrote.
    pub fn write(&self, file: &Path) -> Result<bool, Error> {
        let text = self.render();
        if std::fs::read(file).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(false);
        }
        crate::fs_util::beneath::write_keeping_mode(file, text.as_bytes(), 0o644)
            .map_err(|source| Error::Write { path: file.to_path_buf(), source })?;
        Ok(true)
    }

    /// The locked tool `name` and its artifact for `platform`.
    pub fn entry(&self, name: &str, platform: Platform) -> Option<(&Resolved, &Artifact)> {
        let tool = self.tools.get(name)?;
        tool.artifacts.get(&platform).map(|a| (tool, a))
    }

    /// Puts a freshly resolved tool in the lock. Artifacts of other platforms already
    /// locked are kept when they pin the same thing (same source and version: a spec
    /// widened around a kept version changes nothing of them), so a team on mixed machines
    /// shares one lock; after an upgrade they pinned another version and are dropped.
    pub fn merge(&mut self, fresh: Resolved) {
        let mut fresh = fresh;
        if let Some(old) = self.tools.remove(&fresh.name)
            && (old.source == fresh.source && old.version == fresh.version)
        {
            for (platform, artifact) in old.artifacts {
                fresh.artifacts.entry(platform).or_insert(artifact);
            }
        }
        self.tools.insert(fresh.name.clone(), fresh);
    }

    /// Drops the tools den.toml no longer asks for (after `den remove` or an edit).
    pub fn retain_requested(&mut self, requested: &IndexMap<String, ToolRequest>) {
        self.tools.retain(|name, _| requested.contains_key(name));
    }

    /// Whether this lock pins every tool of den.toml, as den.toml asks, for `platform`
    /// (`den install --frozen`); otherwise every difference, den.toml's order first.
    pub fn satisfies(
        &self,
        requested: &IndexMap<String, ToolRequest>,
        platform: Platform,
        upstreams: &Upstreams,
    ) -> Result<(), Vec<Mismatch>> {
        let mut out = Vec::new();
        for (name, request) in requested {
            let tool = name.clone();
            let Some(locked) = self.tools.get(name) else {
                out.push(Mismatch::Missing { tool });
                continue;
            };
            if locked.spec != request.version {
                let (locked, requested) = (locked.spec.clone(), request.version.clone());
                out.push(Mismatch::Spec { tool, locked, requested });
                continue;
            }
            let source = request_source(request);
            if locked.source != source {
                out.push(Mismatch::Source { tool, locked: locked.source.clone(), requested: source });
                continue;
            }
            // A system tool has no artifact: the machine's own binary stands in for it.
            if !locked.artifacts.contains_key(&platform) && source != crate::project::parse::SYSTEM {
                out.push(Mismatch::Platform { tool, platform });
                continue;
            }
            out.extend(vet(request, locked, platform, upstreams));
        }
        for name in self.tools.keys().filter(|n| !requested.contains_key(*n)) {
            out.push(Mismatch::Removed { tool: name.clone() });
        }
        if out.is_empty() { Ok(()) } else { Err(out) }
    }
}

/// Whether a locked checksum text and den.toml's `sha256` (hex) name the same digest.
fn same_sha256(locked: &str, sha256: &str) -> bool {
    use crate::http::Checksum;
    match (locked.parse::<Checksum>(), sha256.parse::<Checksum>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => locked.eq_ignore_ascii_case(sha256),
    }
}
