//! A project's tools, from den.toml through den.lock into the shared store: which are
//! installed and where their binaries are (`locate`, no network, for activation), and
//! making all of them installed with den.lock current (`sync`, for `den install`, `den
//! enter`, `den add`, `den upgrade`). The one place that ties resolve, lock and store
//! together; commands only choose the options.

pub mod adhoc;
pub mod caches;
pub mod edit;
mod error;
mod fetch;
mod foreign_lock;
pub mod home;
mod index;
pub mod pins;
mod platforms;
mod runtime;
pub mod share;
pub mod system;
pub mod toolset;
pub mod venv;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use indexmap::IndexMap;

pub use error::Error;
pub use fetch::reinstall;

use crate::catalog::Platform;
use crate::config::Config;
use crate::http::{Client, human_bytes};
use crate::project::{Origin, Project, ToolRequest};
use crate::resolve::lock::{self, DEN_LOCK, Lock};
use crate::resolve::{Artifact, Resolved, Resolver, bin_problem};
use crate::store::{Store, projects};
use crate::{paths, ui};

/// A tool of the project that is installed for this machine.
#[derive(Debug, Clone)]

pub struct Installed {
    pub name: String,
    pub version: String,
    /// The install directory in the store.
    pub dir: PathBuf,
    /// Directories holding its binaries, in the artifact's order, for PATH.
    pub bin_dirs: Vec<PathBuf>,
    /// Full paths of its binaries.
    pub bins: Vec<PathBuf>,
    /// The variables its definition sets (a runtime's home: `GOROOT`, `JAVA_HOME`), in
    /// the definition's order (`home::vars`).
    pub env: Vec<(String, String)>,
}

/// A tool the project asks for that is not installed (or not locked) for this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub name: String,
    pub spec: String,
}

/// The project's lock: `<root>/den.lock` beside a den.toml; in den's own state for a
/// project with foreign files only, whose repository den leaves untouched (`foreign_lock`).
pub fn lock_path(project: &Project) -> PathBuf {
    match project.origin {
        Origin::DenToml(_) => project.root.join(DEN_LOCK),
        Origin::Foreign(_) => foreign_lock::path(&project.root),
    }
}

/// The project's den.lock as it is (empty when there is none), for `den run`, which
/// installs a project's missing tools from its pins without writing it.
pub fn lock_of(project: &Project) -> Result<Lock, Error> {
    Ok(Lock::read(&lock_path(project))?.unwrap_or_default())
}

/// The store den installs into.
pub fn store() -> Store {
    Store::new(paths::data_dir())
}

/// The project's tools as they are now: from den.lock and the store, with no network and
/// no version look-up. A tool without a satisfying lock entry for this platform, or whose
/// artifact is not in the store, is missing.
///
/// `config` is the user config the caller has read already (checking den.lock against the
/// tools' sources needs its `[sources]` and `[mirrors]`; it is never read twice).
pub fn locate(project: &Project, config: &Config) -> Result<(Vec<Installed>, Vec<Missing>), Error> {
    let lock_path = lock_path(project);
    let lock = Lock::read(&lock_path)?.unwrap_or_default();
    let platform = Platform::current().ok_or(Error::UnsupportedPlatform)?;
    let upstreams = lock::Upstreams::with_config(config, Some(&project.root)).installed_only();
    if let Origin::DenToml(_) = project.origin {
        within_den_toml(&project.manifest.tools, &lock_path, &lock, platform, &[], &upstreams)?;
    }
    let store = store();
    let lock = honoured(project, &store, lock, platform, &upstreams);
    Ok(locate_in(&store, &project.manifest.tools, &lock, platform, system::trusted(project)))
}

/// The lock entries den may use offline: all of them beside a den.toml (which is trusted,
/// and which `within_den_toml` bounds), only those den vouches for beside foreign files
/// only (see `foreign_lock`).
fn honoured(
    project: &Project,
    store: &Store,
    lock: Lock,
    platform: Platform,
    upstreams: &lock::Upstreams,
) -> Lock {
    match project.origin {
        Origin::DenToml(_) => lock,
        Origin::Foreign(_) => {
            foreign_lock::vouched(store, &project.manifest.tools, lock, platform, upstreams)
        }
    }
}

/// Refuses a den.lock whose entry for a requested tool (other than `skip`, which is being
/// resolved again) pins what den.toml does not allow (`lock::vet`): one error naming every
/// such entry, before anything is downloaded or put on PATH. Entries for other specs or
/// sources are stale, not hostile: they are resolved again; entries for tools den.toml
/// does not ask for are never used.
fn within_den_toml(
    tools: &IndexMap<String, ToolRequest>,
    lock_path: &Path,
    lock: &Lock,
    platform: Platform,
    skip: &[String],
    upstreams: &lock::Upstreams,
) -> Result<(), Error> {
    let mismatches: Vec<lock::Mismatch> = tools
        .values()
        .filter(|req| !skip.contains(&req.name))
        .filter_map(|req| Some((req, lock.tools.get(&req.name).filter(|r| locked_for(req, r))?)))
        .flat_map(|(req, locked)| lock::vet(req, locked, platform, upstreams))
        .collect();
    if mismatches.is_empty() {
        return Ok(());
    }
    Err(Error::Lock(lock::Error::Widens { path: lock_path.to_path_buf(), mismatches }))
}

/// Puts the pinned aqua registry in den's cache when den.lock has an entry served by it:
/// `lock::vet` reads it from there only (no network) and refuses an `aqua:` entry it cannot
/// check, so an install on a fresh machine fetches it first. The registry is pinned by its
/// digest, whatever den.lock says; a failure here only leaves the entry unchecked, hence
/// refused.
fn warm_aqua_registry(config: &Config, lock: &Lock, platform: Platform) {
    let aqua = lock
        .tools
        .values()
        .any(|r| r.artifacts.get(&platform).is_some_and(|a| a.served_by.starts_with("aqua:")));
    if aqua {
        let client = Client::new(config.http_settings(false));
        let _ = Resolver::new(client, config, None).aqua_registry();
    }
}

/// den.lock's pin for `req`, when it has one den may use as it is (for `den run`, which
/// installs a project's missing tools itself); `locate` has already refused a lock that
/// widens den.toml.
pub fn pinned(project: &Project, config: &Config, lock: &Lock, req: &ToolRequest) -> Option<Resolved> {
    let platform = Platform::current()?;
    let upstreams = lock::Upstreams::with_config(config, Some(&project.root));
    let locked = lock
        .tools
        .get(&req.name)
        .filter(|r| locked_for(req, r) && lock::vet(req, r, platform, &upstreams).is_empty())?;
    let one = Lock { tools: [(req.name.clone(), locked.clone())].into() };
    honoured(project, &store(), one, platform, &upstreams).tools.remove(&req.name)
}

fn locate_in(
    store: &Store,
    tools: &IndexMap<String, ToolRequest>,
    lock: &Lock,
    platform: Platform,
    trusted: bool,
) -> (Vec<Installed>, Vec<Missing>) {
    let mut installed = Vec::new();
    let mut missing = Vec::new();
    for req in tools.values() {
        if system::is_system(req) {
            match system::locate(req, trusted) {
                Ok(tool) => installed.push(tool),
                Err(m) => missing.push(m),
            }
            continue;
        }
        let found = lock
            .entry(&req.name, platform)
            .filter(|(resolved, _)| locked_for(req, resolved))
            .and_then(|(resolved, artifact)| installed_tool(store, resolved, artifact));
        match found {
            Some(tool) => installed.push(tool),
            None => missing.push(Missing { name: req.name.clone(), spec: req.version.clone() }),
        }
    }
    (installed, missing)
}

/// Whether a lock entry pins this request: the same source, and either the same spec or
/// a version the (edited) spec still accepts. Widening `1.7` to `1` keeps the locked 1.7.1:
/// only `den upgrade` moves a version. An alias (`lts`) is known only to the resolver, so
/// a spec changed to one is resolved again. `lock::vet` still checks the entry as usual.
pub fn locked_for(req: &ToolRequest, resolved: &Resolved) -> bool {
    use crate::resolve::{Version, VersionSpec};
    if resolved.source != lock::request_source(req) {
        return false;
    }
    if resolved.spec == req.version {
        return true;
    }
    match (VersionSpec::parse(&req.version), Version::parse(&resolved.version)) {
        (Ok(VersionSpec::Alias(_)), _) | (Err(_), _) | (_, Err(_)) => false,
        (Ok(spec), Ok(version)) => spec.matches(&version),
    }
}

fn installed_tool(store: &Store, resolved: &Resolved, artifact: &Artifact) -> Option<Installed> {
    let dir = store.tool_dir(&artifact.key()?);
    if !dir.is_dir() {
        return None;
    }
    // den.lock's reader refuses such entries already; a PATH directory outside the store is
    // never worth the risk, whoever built the artifact.
    let bins: Vec<PathBuf> =
        artifact.bin.iter().filter(|b| bin_problem(b).is_none()).map(|b| dir.join(b)).collect();
    let mut seen = BTreeSet::new();
    let mut bin_dirs: Vec<PathBuf> = bins
        .iter()
        .filter_map(|b| b.parent().map(Path::to_path_buf))
        .filter(|d| seen.insert(d.clone()))
        .collect();
    let home = home::of(&resolved.name, &resolved.version, &resolved.source, &dir, &bins);
    bin_dirs.extend(home.path);
    Some(Installed {
        name: resolved.name.clone(),
        version: resolved.version.clone(),
        dir,
        bin_dirs,
        bins,
        env: home.env,
    })
}

/// How `sync` may go about it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Never touch the network: what is not locked and cached is an error naming it.
    pub offline: bool,
    /// den.lock must already satisfy den.toml (`den install --frozen`); it is not written.
    pub frozen: bool,
    /// Tools to resolve again within their specs even though the lock satisfies them.
    pub upgrade: Vec<String>,
    /// Platforms to resolve besides this machine's (`den lock --platform`).
    pub platforms: Vec<Platform>,
}

/// What `sync` did, for the closing line.
#[derive(Debug, Default)]
pub struct Summary {
    pub installed: Vec<String>,
    pub already: usize,
    pub bytes: u64,
    pub lock_written: bool,
}

/// Makes every tool of the project installed for this machine and den.lock current: locked
/// tools install from their lock entry with no look-up; the others (and `upgrade`) are
/// resolved. Downloads run in parallel, a few at a time.
pub fn sync(project: &Project, config: &Config, opts: &Options) -> Result<Summary, Error> {
    let started = Instant::now();
    let platform = Platform::current().ok_or(Error::UnsupportedPlatform)?;
    let lock_path = lock_path(project);
    let mut lock = Lock::read(&lock_path)?.unwrap_or_default();
    let tools = &project.manifest.tools;
    let upstreams = lock::Upstreams::with_config(config, Some(&project.root));
    if !(opts.offline || config.offline) {
        warm_aqua_registry(config, &lock, platform);
    }
    match project.origin {
        Origin::DenToml(_) => within_den_toml(tools, &lock_path, &lock, platform, &opts.upgrade, &upstreams)?,
        Origin::Foreign(_) if project.root.join(DEN_LOCK).is_file() => ui::note(&format!(
            "{} is not read: without a den.toml, den keeps this project's lock in its own state \
             (`den init` makes the directory a den project)",
            ui::shown_path(&project.root.join(DEN_LOCK))
        )),
        Origin::Foreign(_) => {}
    }
    if opts.frozen {
        lock.satisfies(tools, platform, &upstreams).map_err(|mismatches| {
            Error::Lock(lock::Error::Unsatisfied { path: lock_path.clone(), mismatches })
        })?;
    }
    let mut settings = config.http_settings(opts.offline || config.offline);
    // An upgrade asks what is newest now: version lists are fetched again whatever their age.
    settings.refresh = !opts.upgrade.is_empty();
    let caches = caches::for_install(config, Some(project), &settings);
    let client = Client::new(settings);
    let companions =
        crate::resolve::Companions::from_specs(tools.values().map(|r| (r.name.as_str(), r.version.as_str())));
    let resolver =
        Resolver::new(client.clone(), config, Some(&project.root)).with_companions(companions.clone());
    let mut platforms = vec![platform];
    platforms.extend(opts.platforms.iter().copied().filter(|p| *p != platform));

    let mut from_system = Vec::new();
    if tools.values().any(system::is_system) {
        // Finding a system tool runs what den.toml names (`<name> --version`).
        crate::trust::gate(project, crate::trust::How::Require)?;
    }
    for req in tools.values().filter(|r| system::is_system(r)) {
        from_system.push(system::sync(req, &lock, opts.upgrade.contains(&req.name))?);
    }
    let mut jobs: Vec<fetch::Job> = tools
        .values()
        .filter(|req| !system::is_system(req))
        .map(|req| {
            let locked = lock
                .tools
                .get(&req.name)
                .filter(|r| locked_for(req, r) && !opts.upgrade.contains(&req.name))
                .filter(|r| r.artifacts.contains_key(&platform))
                // A build for another erlang major than the project's now is resolved again.
                .filter(|r| companions.still_fits(&req.name, &req.version, &r.version))
                // Locked for an earlier spec that still accepts it: den.lock records the new one.
                .map(|r| Resolved { spec: req.version.clone(), ..r.clone() });
            fetch::Job { req: req.clone(), locked }
        })
        .collect();
    let store = store();
    let mut checked = match project.origin {
        Origin::Foreign(_) => {
            foreign_lock::check(&resolver, &store, &lock_path, &mut lock, &mut jobs, platform, &upstreams)
        }
        Origin::DenToml(_) => {
            vet_pypi_files(&resolver, &store, &lock_path, &jobs, platform, opts.offline || config.offline)?;
            Vec::new()
        }
    };
    checked.extend(jobs.iter().filter(|j| j.locked.is_none()).map(|j| j.req.name.clone()));
    let outcome = fetch::install_all(&jobs, &resolver, &client, config, &platforms, &caches)?;
    index::remember_checked(&store, outcome.resolved.iter().filter(|r| checked.contains(&r.name)), platform);
    let mut summary = Summary { already: outcome.already, bytes: outcome.bytes, ..Summary::default() };
    summary.installed = outcome.installed;
    if !opts.frozen {
        let mut resolved = outcome.resolved;
        platforms::complete(&resolver, tools, &lock, &opts.platforms, &mut resolved)?;
        for resolved in resolved.into_iter().chain(from_system) {
            lock.merge(resolved);
        }
        lock.retain_requested(tools);
        summary.lock_written = match project.origin {
            Origin::DenToml(_) => lock.write(&lock_path)?,
            Origin::Foreign(_) => foreign_lock::write(&lock, &lock_path, &project.root)?,
        };
    }
    // The directory holding the lock: `den cache prune` keeps what it pins.
    projects::record(&store, lock_path.parent().unwrap_or(&project.root))?;
    report(&summary, started);
    Ok(summary)
}

/// Holds each locked job of a den.toml project's den.lock that den has not vouched for on
/// this machine (`Index::vouches`) to the PyPI index (`Resolver::vet_pypi_files`): a lock
/// from the repository must not point a wheel at a host the index does not serve it from.
/// Refuses the whole install on the first file that is not the index's. Marks nothing as
/// checked in the index: den's own resolution (binaries, steps) was not compared.
/// `offline`: nothing is downloaded, so no lock URL is ever used; a wheel can only come by
/// its checksum from the user's own caches or imported bundles (the air-gapped CI recipe).
fn vet_pypi_files(
    resolver: &Resolver,
    store: &Store,
    lock_path: &Path,
    jobs: &[fetch::Job],
    platform: Platform,
    offline: bool,
) -> Result<(), Error> {
    if offline {
        return Ok(());
    }
    let index = index::Index::read(store);
    for job in jobs {
        let Some(locked) = &job.locked else { continue };
        if index.vouches(store, locked, platform) {
            continue;
        }
        resolver.vet_pypi_files(&job.req, locked, platform).map_err(|found| Error::NotIndexed {
            lock: lock_path.to_path_buf(),
            tool: job.req.name.clone(),
            found,
        })?;
    }
    Ok(())
}

fn report(summary: &Summary, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    let already = match summary.already {
        0 => String::new(),
        n => format!("; {n} already installed"),
    };
    if summary.installed.is_empty() {
        if summary.already > 0 {
            ui::note(&format!("all {} tools installed", summary.already));
        }
        return;
    }
    ui::note(&format!(
        "installed {} ({} in {secs:.1}s){already}",
        summary.installed.join(", "),
        human_bytes(summary.bytes)
    ));
}

/// The PATH directories of installed tools, in den.toml order, without repeats.
/// Then, when an npm application is among them and no node, den's newest node
/// (`runtime::node_dir`).
pub fn path_dirs(installed: &[Installed]) -> Vec<PathBuf> {
    let mut seen = BTreeSet::new();
    let mut dirs: Vec<PathBuf> =
        installed.iter().flat_map(|t| t.bin_dirs.iter()).filter(|d| seen.insert(*d)).cloned().collect();
    dirs.extend(runtime::node_dir(installed).filter(|d| !seen.contains(d)));
    dirs
}

/// One variable an installed tool's definition sets (`home::vars`), for the env layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolVar {
    pub tool: String,
    pub name: String,
    pub value: String,
}

/// The variables installed tools' definitions set, in den.toml order.
pub fn home_vars(installed: &[Installed]) -> Vec<ToolVar> {
    let each = |t: &Installed| {
        let var = |(name, value): &(String, String)| ToolVar {
            tool: t.name.clone(),
            name: name.clone(),
            value: value.clone(),
        };
        t.env.iter().map(var).collect::<Vec<_>>()
    };
    installed.iter().flat_map(each).collect()
}

/// The line activation prints when tools are missing.
pub fn missing_line(missing: &[Missing]) -> String {
    let names: Vec<String> = missing.iter().map(|m| format!("{} {}", m.name, m.spec)).collect();
    format!("not installed: {} — run `den install`", names.join(", "))
}
