//! `den cache`'s store side: what is installed (with sizes), verifying installed tools
//! against their manifests, and pruning what no known project pins and no recent run used.
//!
//! Decisions: a tool is kept when its key is in the set the caller hands over (`tools::pins`
//! reads the known projects' den.lock files; the store never does), or when it was used
//! (`receipt::touch`) or installed within `older_than`; `prune` says which reason kept
//! each tool, and a dry run decides the same without removing anything. A tool
//! disappears by a rename first, so no half-removed tool is ever visible. Never touches a
//! project's files.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::layout::{DOWNLOADS, Store, TOOLS};
use super::receipt::{self, Receipt};
use super::{Error, manifest};
use crate::artifact::key;

/// One installed tool.
#[derive(Debug, Clone)]
pub struct Installed {
    pub key: String,
    /// `None` for a tool installed without a receipt (an interrupted install).
    pub receipt: Option<Receipt>,
    /// Bytes of its files (apparent sizes; links count as their own length).
    pub size: u64,
}

impl Installed {
    /// `node 22.11.0`, or the key when there is no receipt.
    pub fn label(&self) -> String {
        match &self.receipt {
            Some(r) => format!("{} {}", r.name, r.version),
            None => self.key.clone(),
        }
    }
}

/// Every installed tool, by name and version (tools without a receipt last, by key).
pub fn installed(store: &Store) -> Result<Vec<Installed>, Error> {
    let tools = store.root().join(TOOLS);
    let entries = match fs::read_dir(&tools) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::read(&tools)(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::read(&tools))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if !key::is_key(&name) || !entry.path().is_dir() {
            continue;
        }
        let receipt = receipt::read(store, &name).unwrap_or(None);
        out.push(Installed { size: size(&entry.path()), key: name, receipt });
    }
    out.sort_by(|a, b| {
        let k = |i: &Installed| {
            (i.receipt.is_none(), i.receipt.as_ref().map(|r| (r.name.clone(), r.version.clone())))
        };
        k(a).cmp(&k(b)).then_with(|| a.key.cmp(&b.key))
    });
    Ok(out)
}

/// Total bytes under `path`, not following links.
pub fn size(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    fs::read_dir(path).map_or(0, |entries| entries.flatten().map(|e| size(&e.path())).sum())
}

/// What `prune` removed (or, in a dry run, would remove).
#[derive(Debug, Clone)]
pub struct Removed {
    pub label: String,
    pub size: u64,
    /// When the tool was last used (`None` for leftovers and tools without a date).
    pub last_used: Option<SystemTime>,
}

/// Why `prune` kept a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Its key is among those the caller said to keep (a known project's den.lock pins it).
    Pinned,
    /// It was used (or installed) at this time, within `older_than`.
    Used(SystemTime),
}

/// A tool `prune` kept, and why.
#[derive(Debug, Clone)]
pub struct Kept {
    pub tool: Installed,
    pub why: Why,
}

/// The outcome of `prune`: what went (or would go), and what stayed and why.
#[derive(Debug, Default)]
pub struct Pruned {
    pub removed: Vec<Removed>,
    pub kept: Vec<Kept>,
}

/// Removes the tools whose key is not in `keep` and that were not used within
/// `older_than` of `now`, downloads left unfinished for as long, and install directories
/// a killed den left more than a day ago. With `dry_run`, removes nothing and says what
/// it would remove.
pub fn prune(
    store: &Store,
    keep: &BTreeSet<String>,
    older_than: Duration,
    now: SystemTime,
    dry_run: bool,
) -> Result<Pruned, Error> {
    let mut pruned = Pruned::default();
    let pinned = keep;
    let recent =
        |t: Option<SystemTime>| t.is_some_and(|t| now.duration_since(t).unwrap_or_default() < older_than);
    for tool in installed(store)? {
        let last_used = receipt::last_used(store, &tool.key);
        if pinned.contains(&tool.key) {
            pruned.kept.push(Kept { tool, why: Why::Pinned });
            continue;
        }
        if let Some(when) = last_used.filter(|t| recent(Some(*t))) {
            pruned.kept.push(Kept { tool, why: Why::Used(when) });
            continue;
        }
        if !dry_run {
            store.remove(&tool.key)?;
        }
        pruned.removed.push(Removed { label: tool.label(), size: tool.size, last_used });
    }
    // Install directories left by an older den, which did not name them after their
    // process (`Store::remove_leftovers` removes the others at once): an install never
    // takes a day.
    let tools = store.root().join(TOOLS);
    for entry in fs::read_dir(&tools).into_iter().flatten().flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > Duration::from_secs(86_400));
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".tmp-") && crate::fs_util::writer_is_gone(&name, ".tmp-").is_none() && stale {
            let size = size(&entry.path());
            if !dry_run {
                crate::fs_util::remove_tree(&entry.path()).map_err(Error::write(&entry.path()))?;
            }
            let label = format!("unfinished install {}", entry.file_name().to_string_lossy());
            pruned.removed.push(Removed { label, size, last_used: None });
        }
    }
    let downloads = store.root().join(DOWNLOADS);
    for entry in fs::read_dir(&downloads).into_iter().flatten().flatten() {
        let path = entry.path();
        let modified = entry.metadata().and_then(|m| m.modified()).ok();
        if path.extension().is_some_and(|e| e == "part") && !recent(modified) {
            let size = size(&path);
            if !dry_run {
                fs::remove_file(&path).map_err(Error::write(&path))?;
            }
            let label = format!("unfinished download {}", entry.file_name().to_string_lossy());
            pruned.removed.push(Removed { label, size, last_used: None });
        }
    }
    Ok(pruned)
}

/// One installed tool checked against its manifest.
#[derive(Debug)]
pub struct Checked {
    pub tool: Installed,
    /// What differs (empty: nothing), or `None` when it has no manifest to compare with.
    pub problems: Option<Vec<manifest::Problem>>,
}

/// Verifies every installed tool against its manifest.
pub fn verify(store: &Store) -> Result<Vec<Checked>, Error> {
    let mut out = Vec::new();
    for tool in installed(store)? {
        let problems = manifest::verify(store, &tool.key)?;
        out.push(Checked { tool, problems });
    }
    Ok(out)
}
