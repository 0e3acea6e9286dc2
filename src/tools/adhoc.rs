//! Tools for one-off commands (`den run node@22 -- …`, `den x ruff@0.6`): the same resolve
//! and install as a project's, driven by a list of requests instead of a den.toml, and
//! writing no den.lock and nothing in any project. Only the store changes (the tool, its
//! receipt, the installed-tools index).
//!
//! The fast path (`find`) is what a warm run costs: one read of the index, a version
//! match, one `stat` per tool; no version list, no network. `latest` and aliases are not
//! answered there (they need the version list, which `install` reads from the HTTP cache
//! within its time-to-live).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::index::{self, Index};
use super::{Error, Installed, Summary, fetch, store};
use crate::catalog::Platform;
use crate::config::Config;
use crate::http::Client;
use crate::project::ToolRequest;
use crate::resolve::lock::{DEN_LOCK, request_source};
use crate::resolve::{Resolved, Resolver, VersionSpec, bin_problem};
use crate::store::receipt;

/// One tool to provide: what was asked, and den.lock's pin when a project has one.
#[derive(Debug, Clone)]
pub struct Request {
    pub req: ToolRequest,
    pub locked: Option<Resolved>,
}

impl Request {
    /// A request with no pin (a `tool@spec` argument).
    pub fn new(req: ToolRequest) -> Request {
        Request { req, locked: None }
    }

    /// `jq@1.7`, as the user wrote it.
    pub fn label(&self) -> String {
        match &self.req.source {
            Some(source) => format!("{source}@{}", self.req.version),
            None => format!("{}@{}", self.req.name, self.req.version),
        }
    }
}

fn platform() -> Result<Platform, Error> {
    Platform::current().ok_or(Error::UnsupportedPlatform)
}

/// The installed tool satisfying each request, found without any network or version list:
/// the locked artifact when it is in the store, else the newest indexed installed version
/// the spec accepts. `None` where only `install` can tell.
pub fn find(requests: &[Request]) -> Result<Vec<Option<Installed>>, Error> {
    let platform = platform()?;
    let store = store();
    let mut index: Option<Index> = None;
    Ok(requests
        .iter()
        .map(|r| {
            if let Some(locked) = &r.locked {
                let found =
                    locked.artifacts.get(&platform).and_then(|a| super::installed_tool(&store, locked, a));
                if found.is_some() {
                    return found;
                }
            }
            let spec = VersionSpec::parse(&r.req.version).ok()?;
            let index = index.get_or_insert_with(|| Index::read(&store));
            let source = request_source(&r.req);
            let entry = index.matching(&store, &r.req.name, &source, &spec, platform).into_iter().next()?;
            Some(installed(&store.tool_dir(&entry.key), &entry.name, &entry.version, &entry.bin, &source))
        })
        .collect())
}

/// Resolves (unless locked) and installs every request, with progress on stderr, and
/// indexes what it installed; the tools in request order. Writes no den.lock.
pub fn install(
    requests: &[Request],
    config: &Config,
    offline: bool,
    project_root: Option<&Path>,
) -> Result<Vec<Installed>, Error> {
    let started = Instant::now();
    let platform = platform()?;
    let settings = config.http_settings(offline || config.offline);
    let caches = super::caches::for_install(config, None, &settings);
    let client = Client::new(settings);
    let resolver = Resolver::new(client.clone(), config, project_root);
    let store = store();
    let jobs: Vec<fetch::Job> = requests
        .iter()
        .map(|r| fetch::Job {
            req: r.req.clone(),
            locked: r.locked.clone().filter(|l| l.artifacts.contains_key(&platform)),
        })
        .collect();
    // A project's locked tools (`den run`, services) are held to the PyPI index as
    // `den install` holds them.
    let lock_path = project_root.map_or_else(|| DEN_LOCK.into(), |root| root.join(DEN_LOCK));
    super::vet_pypi_files(&resolver, &store, &lock_path, &jobs, platform, offline || config.offline)?;
    let outcome = fetch::install_all(&jobs, &resolver, &client, config, &[platform], &caches)?;
    let fresh = |r: &&Resolved| jobs.iter().any(|j| j.req.name == r.name && j.locked.is_none());
    index::remember_checked(&store, outcome.resolved.iter().filter(fresh), platform);
    let tools = outcome
        .resolved
        .iter()
        .filter_map(|resolved| {
            let artifact = resolved.artifacts.get(&platform)?;
            let dir = store.tool_dir(&artifact.key()?);
            Some(installed(&dir, &resolved.name, &resolved.version, &artifact.bin, &resolved.source))
        })
        .collect();
    let summary =
        Summary { installed: outcome.installed, already: 0, bytes: outcome.bytes, lock_written: false };
    super::report(&summary, started);
    Ok(tools)
}

/// Versions of `name` installed on this machine, newest first (for messages).
pub fn installed_versions(name: &str) -> Vec<String> {
    let store = store();
    Platform::current().map(|p| Index::read(&store).versions(&store, name, p)).unwrap_or_default()
}

/// The binary `den x` runs: the one named like the tool, else the first.
pub fn main_bin(tool: &Installed) -> Option<&PathBuf> {
    let named = |b: &&PathBuf| b.file_name().is_some_and(|n| n == tool.name.as_str());
    tool.bins.iter().find(named).or_else(|| tool.bins.first())
}

/// Records that a one-off command used `tool` now, for `den cache prune`.
pub fn touch(tool: &Installed) {
    if let Some(key) = tool.dir.file_name().and_then(|n| n.to_str()) {
        let _ = receipt::touch(&store(), key);
    }
}

fn installed(dir: &Path, name: &str, version: &str, bin: &[String], source: &str) -> Installed {
    let bins: Vec<PathBuf> = bin.iter().filter(|b| bin_problem(b).is_none()).map(|b| dir.join(b)).collect();
    let mut seen = BTreeSet::new();
    let mut bin_dirs: Vec<PathBuf> = bins
        .iter()
        .filter_map(|b| b.parent().map(Path::to_path_buf))
        .filter(|d| seen.insert(d.clone()))
        .collect();
    let home = super::home::of(name, version, source, dir, &bins);
    bin_dirs.extend(home.path);
    Installed {
        name: name.into(),
        version: version.into(),
        dir: dir.to_path_buf(),
        bin_dirs,
        bins,
        env: home.env,
    }
}
