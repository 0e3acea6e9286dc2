//! Resolving (when not locked) and installing each tool, a few at a time in parallel. One
//! job per tool; the store's lock makes concurrent dens share one download.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Error;
use crate::artifact::key;
use crate::catalog::Platform;
use crate::hint::Hint;
use crate::http::{Checksum, Client, Reporter};
use crate::project::ToolRequest;
use crate::resolve::{Artifact, Mirrors, Resolved, Resolver};
use crate::store::unpack::{self, Format};
use crate::store::{Store, post_install, receipt};
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

/// Runs `jobs` against the shared store, with this terminal's progress reporting and the
/// config's mirrors, and indexes what they installed for `den run`'s fast path. The one
/// entry point of `den install` and `den run` alike.
pub fn install_all(
    jobs: &[Job],
    resolver: &Resolver,
    client: &Client,
    config: &crate::config::Config,
    platforms: &[Platform],
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
    };
    let outcome = run(jobs, &cx)?;
    super::adhoc::remember(&store, &outcome.resolved, platforms[0]);
    Ok(outcome)
}

/// Installs the artifact `resolved` pins for this machine again, from its source: the
/// installed copy (whose files changed) is removed first, under its lock. For `den cache
/// verify --repair`; `resolved` comes from a project's den.lock, which holds everything
/// the first install used (URL, checksum, format, binaries, post-install steps).
pub fn reinstall(resolved: &Resolved, config: &crate::config::Config, offline: bool) -> Result<(), Error> {
    let platform = Platform::current().ok_or(Error::UnsupportedPlatform)?;
    let mut artifact = resolved.artifacts.get(&platform).cloned().ok_or_else(|| Error::NoArtifact {
        tool: resolved.name.clone(),
        version: resolved.version.clone(),
        platform: platform.to_string(),
    })?;
    let label = format!("{} {}", resolved.name, resolved.version);
    let key = key::of(&artifact.checksum)
        .ok_or_else(|| Error::BadChecksum { tool: label.clone(), checksum: artifact.checksum.clone() })?;
    let client = Client::new(crate::http::Settings::from_env(offline || config.offline));
    let resolver = Resolver::new(client.clone(), config, None);
    let store = super::store();
    let cx = Context {
        resolver: &resolver,
        client: &client,
        store: &store,
        platforms: &[platform],
        reporter: &Reporter::detect(),
        mirrors: &Mirrors::from_config(config),
    };
    store.remove(&key)?;
    install(&cx, (&resolved.name, &resolved.version), &mut artifact).map_err(|e| match e {
        Error::Http(_) | Error::Unpack(_) | Error::Store(_) => {
            Error::Installing { tool: label, source: Box::new(e) }
        }
        e => e,
    })?;
    Ok(())
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
    let label = format!("{} {}", resolved.name, resolved.version);
    let downloaded = install(cx, (&resolved.name, &resolved.version), artifact).map_err(|e| match e {
        Error::Http(_) | Error::Unpack(_) | Error::Store(_) => {
            Error::Installing { tool: label.clone(), source: Box::new(e) }
        }
        e => e,
    })?;
    Ok(Done { resolved, downloaded })
}

/// Installs one artifact unless the store has it; the bytes downloaded when it did not.
/// An artifact whose upstream publishes no checksum is downloaded first and pinned by the
/// sha256 den computes (trust on first use: den.lock records it, later installs verify
/// it); one whose definition names no binaries gets them found in the unpacked tree.
/// Either way `artifact` is completed for den.lock, from the installed tool and its
/// receipt, whoever installed it: this den, or another one it waited for.
fn install(
    cx: &Context,
    (name, version): (&str, &str),
    artifact: &mut Artifact,
) -> Result<Option<u64>, Error> {
    let label = &format!("{name} {version}");
    let url = cx.mirrors.apply(&artifact.url);
    let mut predownloaded = None;
    let store_err = |e| Error::Store(e);
    if artifact.checksum.is_empty() {
        let tmp = cx.store.staging_file().map_err(store_err)?;
        let progress = cx.reporter.download(label);
        let done =
            cx.client.download(&url, tmp.path(), None, artifact.size, progress.as_ref()).map_err(|e| {
                progress.abandon();
                Error::Http(Box::new(e))
            })?;
        artifact.checksum = done.checksum.to_string();
        predownloaded = Some((tmp, done.size));
    }
    let key = key::of(&artifact.checksum)
        .ok_or_else(|| Error::BadChecksum { tool: label.to_string(), checksum: artifact.checksum.clone() })?;
    let checksum: Checksum =
        artifact.checksum.parse().map_err(|e: crate::http::Error| Error::Http(Box::new(e)))?;
    let format = format_of(artifact);
    let bytes = std::cell::Cell::new(0);
    let fresh = cx.store.install::<Error>(
        &key,
        label,
        |partial| {
            if let Some((tmp, size)) = predownloaded.take() {
                bytes.set(size);
                tmp.persist(partial).map_err(|e| {
                    Error::Store(crate::store::Error::Write { path: partial.to_path_buf(), source: e.error })
                })?;
                return Ok(size);
            }
            let progress = cx.reporter.download(label);
            match cx.client.download(&url, partial, Some(&checksum), artifact.size, progress.as_ref()) {
                Ok(done) => {
                    bytes.set(done.size);
                    Ok(done.size)
                }
                Err(e) => {
                    progress.abandon();
                    Err(Error::Http(Box::new(e)))
                }
            }
        },
        |archive, staging| {
            let unpacked = (|| {
                unpack::unpack(archive, format.clone(), staging)?;
                post_install::run(staging, &artifact.post_install)?;
                if !artifact.bin.is_empty() {
                    missing_bins(label, artifact, staging)?;
                }
                Ok(())
            })();
            // A verified artifact that does not unpack is deleted (fetching it again won't
            // help), unless the machine ran out of room: then the next try reuses it.
            if let Err(e) = unpacked {
                if !keeps_download(&e) {
                    let _ = std::fs::remove_file(archive);
                }
                return Err(e);
            }
            let mut receipt = receipt::Receipt::new(name, version, &artifact.url, &artifact.checksum);
            receipt.size = artifact.size;
            Ok(receipt)
        },
    )?;
    // The same for the installer and a waiter: what the store holds now.
    if artifact.bin.is_empty() {
        artifact.bin = scan_bins(&cx.store.tool_dir(&key));
    }
    if artifact.size.is_none() {
        // den.lock records every artifact's size; npm's package documents do not give it.
        artifact.size = receipt::read(cx.store, &key).map_err(store_err)?.and_then(|r| r.size);
    }
    Ok(fresh.then(|| bytes.get()))
}

/// Whether an unpack failure was the machine's (out of space), not the archive's.
fn keeps_download(e: &Error) -> bool {
    match e {
        Error::Unpack(e) => e.keeps_download(),
        Error::Store(crate::store::Error::Write { source, .. }) => crate::store::is_out_of_space(source),
        _ => false,
    }
}

/// Executables at the top of an unpacked tree or in its `bin/` (or those of its single top
/// directory), and a wheel's `*.data/scripts/`, for artifacts whose definition does not
/// name its binaries.
fn scan_bins(dir: &std::path::Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let entries = |d: &std::path::Path| -> Vec<std::fs::DirEntry> {
        std::fs::read_dir(d).map(|r| r.flatten().collect()).unwrap_or_default()
    };
    let top = entries(dir);
    let base = match top.as_slice() {
        [only] if only.path().is_dir() => PathBuf::from(only.file_name()),
        _ => PathBuf::new(),
    };
    let scripts =
        top.iter().filter(|e| e.file_name().to_string_lossy().ends_with(".data") && e.path().is_dir());
    let scripts: Vec<PathBuf> = scripts.map(|e| PathBuf::from(e.file_name()).join("scripts")).collect();
    let mut bins = Vec::new();
    for sub in scripts.into_iter().chain([base.clone(), base.join("bin")]) {
        let mut found: Vec<String> = entries(&dir.join(&sub))
            .into_iter()
            .filter(|e| {
                let path = e.path();
                path.is_file() && path.metadata().is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
            })
            .map(|e| sub.join(e.file_name()).to_string_lossy().into_owned())
            .collect();
        found.sort();
        bins.extend(found);
    }
    bins
}

/// The archive format of an artifact; a bare binary is saved under its first binary's name.
fn format_of(artifact: &Artifact) -> Format {
    let file_name = artifact.url.rsplit('/').next().unwrap_or_default();
    let name = artifact.bin.first().and_then(|b| b.rsplit('/').next()).unwrap_or(file_name);
    Format::from_word(&artifact.format, name).unwrap_or_else(|| Format::from_file_name(file_name))
}

/// A definition whose binaries are not where it says is an error, not a broken PATH.
fn missing_bins(label: &str, artifact: &Artifact, dir: &std::path::Path) -> Result<(), Error> {
    let missing: Vec<String> = artifact.bin.iter().filter(|b| !dir.join(b).exists()).cloned().collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::MissingBinaries { tool: label.to_string(), missing })
}
