//! Tools with `source = "system"`: a binary already on the machine stands in for an
//! install (`resolve::system` finds it and asks its version). Nothing is downloaded and no
//! directory goes on PATH (the binary is on PATH already); den.lock records the version
//! found when it was locked, with no URL or checksum, and is not rewritten because another
//! machine has another version that den.toml's spec also accepts.

use std::path::Path;

use super::{Error, Installed, Missing};
use crate::project::ToolRequest;
use crate::resolve::lock::{self, Lock};
use crate::resolve::{Resolved, system};
use crate::{env_vars, paths, ui};

/// Whether `project` may have den run the binaries its system tools name (`--version`):
/// asked only when it has such tools, without a word (the caller says what it refuses).
pub fn trusted(project: &crate::project::Project) -> bool {
    !project.manifest.tools.values().any(is_system)
        || crate::trust::gate(project, crate::trust::How::Require).is_ok()
}

/// Whether den.toml asks for `req` from the system.
pub fn is_system(req: &ToolRequest) -> bool {
    req.source.as_deref() == Some(crate::project::parse::SYSTEM)
}

/// Where a program is looked for when PATH is unset or empty (a shim started by `env -i`
/// or a desktop launcher): the default search path of `execvp`.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

fn find(req: &ToolRequest, ask: system::Ask) -> Result<system::Found, system::Error> {
    // The PATH outside any project the shell applied: a project's `[env] PATH` entries
    // (its own directories) are not "the system".
    let path = crate::helper_env::var(env_vars::PATH).unwrap_or_else(|| DEFAULT_PATH.into());
    let path = Some(path);
    let data = paths::data_dir();
    let cache = paths::Bucket::CommandCache.path();
    let _ = crate::fs_util::private_dir(&cache);
    let search = system::Search { path: path.as_deref(), den_data: &data, cache: Some(&cache) };
    system::find(&req.name, &req.version, &req.bin, &search, ask)
}

fn installed(req: &ToolRequest, found: system::Found) -> Installed {
    let dir = found.path.parent().unwrap_or(Path::new("/")).to_path_buf();
    Installed {
        name: req.name.clone(),
        version: found.version.bare().to_string(),
        dir,
        bin_dirs: Vec::new(),
        bins: vec![found.path],
        env: Vec::new(),
    }
}

/// The system binary of `req` as `locate` sees it: from the answer cache when that binary
/// answered before (no process on a shim's or the hook's path), else asked — only when
/// the project is `trusted`, since den.toml names what runs; missing otherwise.
pub fn locate(req: &ToolRequest, trusted: bool) -> Result<Installed, Missing> {
    find(req, if trusted { system::Ask::Cached } else { system::Ask::CacheOnly })
        .map(|found| installed(req, found))
        .map_err(|_| Missing { name: req.name.clone(), spec: req.version.clone() })
}

/// Finds `req` on this machine for `den install` (asking the binaries afresh: the caller
/// passed the trust gate), saying which binary it found, and the den.lock entry to keep:
/// the lock's own when it was made for this spec (unless `upgrade`), else one with the
/// version found.
pub fn sync(req: &ToolRequest, old: &Lock, upgrade: bool) -> Result<Resolved, Error> {
    let found = find(req, system::Ask::Always)?;
    ui::note(&format!(
        "{} {}: using {} {} from the system",
        req.name,
        req.version,
        found.path.display(),
        found.version.bare()
    ));
    if let Some(kept) = old.tools.get(&req.name).filter(|r| !upgrade && super::locked_for(req, r)) {
        return Ok(kept.clone());
    }
    Ok(Resolved {
        name: req.name.clone(),
        spec: req.version.clone(),
        source: lock::request_source(req),
        version: found.version.bare().to_string(),
        artifacts: Default::default(),
    })
}

/// Why `req` is missing, for a command that needs it now (`den run`, past its trust
/// gate): the finder's error.
pub fn why_missing(req: &ToolRequest) -> Error {
    match find(req, system::Ask::Cached) {
        Err(e) => e.into(),
        Ok(found) => Error::System(system::Error::NoMatch {
            tool: req.name.clone(),
            spec: req.version.clone(),
            found: vec![format!("{} {}", found.path.display(), found.version.bare())],
        }),
    }
}
