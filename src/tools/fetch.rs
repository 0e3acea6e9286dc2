//! Resolving (when not locked) and installing each tool, a few at a time in parallel. One
//! job per tool; the store's lock makes concurrent dens share one download. Installing one
//! artifact is the store's pipeline (`store::pipeline`); this module only chooses the
//! artifacts, the mirror, the progress reporting, and names the tool in a failure.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Error;
use crate::catalog::Platform;
use crate::hint::Hint;
use crate::http::{Client, Reporter};
use crate::project::ToolRequest;
use crate::resolve::{Artifact, Mirrors, Resolved, Resolver};
use crate::store::Store;
use crate::store::pipeline::{self, Fetcher};
use crate::ui;

/// At most this many tools resolve and download at once.
const PARALLEL: usize = 4;

/// One tool to make installed; `locked` when den.lock already pins it.
pub struct Job {
    pub req: ToolRequest,
    pub locked: Option<Resolved>,
}

/// What the jobs share.
struct Context<'a> {
    pub resolver: &'a Resolver,
    pub client: &'a Client,
    pub store: &'a Store,
    /// This machine's platform first.
    pub platforms: &'a [Platform],
    pub reporter: &'a Reporter,
    pub mirrors: &'a Mirrors,
    pub caches: &'a crate::cache::Caches,
}

/// What the jobs did.
#[derive(Default)]
pub struct Outcome {
    /// Every tool's resolution (locked ones as they were), in job order.
    pub resolved: Vec<Resolved>,
    /// `name version` of what was downloaded now.
    pub installed: Vec<String>,
    pub already: usize,
    pub bytes: u64,
}

/// Runs `jobs` against the shared store, with this terminal's progress reporting, the
/// config's mirrors and the team `caches` (tried first), and indexes what they installed for `den run`'s fast path. The one
/// entry point of `den install` and `den run` alike.
pub fn install_all(
    jobs: &[Job],
    resolver: &Resolver,
    client: &Client,
    config: &crate::config::Config,
    platforms: &[Platform],
    caches: &crate::cache::Caches,
) -> Result<Outcome, Error> {
    let store = super::store();
    store.remove_leftovers();
    let cx = Context {
        resolver,
        client,
        store: &store,
        platforms,
        reporter: &Reporter::detect(),
        mirrors: &Mirrors::from_config(config),
        caches,
    };
    let outcome = run(jobs, &cx)?;
    super::index::remember(&store, &outcome.resolved, platforms[0]);
    Ok(outcome)
}

/// Installs the artifact `resolved` pins for this machine again, from its source: the
/// installed copy (whose files changed) is removed first, under its lock. For `den cache
/// verify --repair`; `resolved` comes from a project's den.lock, which holds everything
/// the first install used (URL, checksum, format, binaries, post-install steps).
pub fn reinstall(resolved: &Resolved, config: &crate::config::Config, offline: bool) -> Result<(), Error> {
    let offline = offline || config.offline;
    let platform = Platform::current().ok_or(Error::UnsupportedPlatform)?;
    let key =
        pipeline::key_of(&format!("{} {}", resolved.name, resolved.version), locked(resolved, platform)?)?;
    let caches = super::caches::for_install(config, None, &config.http_settings(offline));
    super::store().remove(&key)?;
    install_locked(resolved, config, &caches, offline)?;
    Ok(())
}

/// `resolved`'s artifact for `platform`, or why there is none.
fn locked(resolved: &Resolved, platform: Platform) -> Result<&crate::artifact::Artifact, Error> {
    resolved.artifacts.get(&platform).ok_or_else(|| Error::NoArtifact {
        tool: resolved.name.clone(),
        version: resolved.version.clone(),
        platform: platform.to_string(),
    })
}

/// Installs `resolved`'s artifact for this machine (unless the store has it) from the
/// team `caches` first, then its upstream unless `offline`; the bytes downloaded. For
/// `den cache verify --repair`, whose `resolved` is a known project's den.lock entry.
fn install_locked(
    resolved: &Resolved,
    config: &crate::config::Config,
    caches: &crate::cache::Caches,
    offline: bool,
) -> Result<Option<u64>, Error> {
    let platform = Platform::current().ok_or(Error::UnsupportedPlatform)?;
    let mut artifact = locked(resolved, platform)?.clone();
    let client = Client::new(config.http_settings(offline));
    let resolver = Resolver::new(client.clone(), config, None);
    let store = super::store();
    let cx = Context {
        resolver: &resolver,
        client: &client,
        store: &store,
        platforms: &[platform],
        reporter: &Reporter::detect(),
        mirrors: &Mirrors::from_config(config),
        caches,
    };
    let done = install(&cx, (&resolved.name, &resolved.version), &mut artifact)?;
    super::index::remember(&store, std::slice::from_ref(resolved), platform);
    Ok(done)
}

/// Runs every job; the first error is returned after all jobs ended (the others are shown).
fn run(jobs: &[Job], cx: &Context) -> Result<Outcome, Error> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Done, Error>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL.min(jobs.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let result = one(job, cx);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
                }
            });
        }
    });
    let mut outcome = Outcome::default();
    let mut first_error = None;
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten() {
        match result {
            Ok(done) => {
                match done.downloaded {
                    Some(bytes) => {
                        outcome.installed.push(format!("{} {}", done.resolved.name, done.resolved.version));
                        outcome.bytes += bytes;
                    }
                    None => outcome.already += 1,
                }
                outcome.resolved.push(done.resolved);
            }
            Err(e) if first_error.is_none() => first_error = Some(e),
            Err(e) => ui::error(&e.to_string(), e.hint().as_deref()),
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(outcome),
    }
}

struct Done {
    resolved: Resolved,
    /// Bytes downloaded now; `None` when it was already in the store.
    downloaded: Option<u64>,
}

fn one(job: &Job, cx: &Context) -> Result<Done, Error> {
    let mut resolved = match &job.locked {
        Some(locked) => locked.clone(),
        None => cx.resolver.resolve(&job.req, cx.platforms).map_err(|e| match e {
            // The other resolver errors name the tool already; the network's name only a URL.
            crate::resolve::Error::Http(_) => Error::LookingUp {
                tool: job.req.name.clone(),
                spec: job.req.version.clone(),
                source: Box::new(e.into()),
            },
            e => e.into(),
        })?,
    };
    let platform = cx.platforms[0];
    let Some(artifact) = resolved.artifacts.get_mut(&platform) else {
        return Err(Error::NoArtifact {
            tool: resolved.name.clone(),
            version: resolved.version.clone(),
            platform: platform.to_string(),
        });
    };
    let downloaded = install(cx, (&resolved.name, &resolved.version), artifact)?;
    Ok(Done { resolved, downloaded })
}

/// Hands one artifact to the store's pipeline, through the configured mirror; a failure of
/// fetching or unpacking it is named after the tool (`cannot install jq 1.7.1: …`).
fn install(
    cx: &Context,
    (name, version): (&str, &str),
    artifact: &mut Artifact,
) -> Result<Option<u64>, Error> {
    let url = cx.mirrors.apply(&artifact.url);
    let platform = cx.platforms[0].to_string();
    let rewrite = |url: &str| cx.mirrors.apply(url);
    let fetcher = Fetcher {
        client: cx.client,
        reporter: cx.reporter,
        caches: cx.caches,
        platform: &platform,
        rewrite: &rewrite,
    };
    pipeline::install(cx.store, &fetcher, (name, version), &url, artifact).map_err(|e| match e {
        e if e.is_fetch_or_unpack() => {
            Error::Installing { tool: format!("{name} {version}"), source: Box::new(e) }
        }
        e => Error::Install(e),
    })
}
