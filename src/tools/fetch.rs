//! Resolving (when not locked) and installing each tool, a few at a time in parallel. One
//! job per tool; the store's lock makes concurrent dens share one download.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::Error;
use crate::catalog::Platform;
use crate::project::ToolRequest;
use crate::resolve::{Artifact, Mirrors, Resolved, Resolver};
use crate::store::http::{Checksum, Client, Reporter};
use crate::store::unpack::{self, Format};
use crate::store::{Store, key, manifest, post_install, receipt};
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
            Err(e) => ui::error(&e.to_string(), e.help().as_deref()),
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
    let downloaded = install(cx, &label, artifact).map_err(|e| match e {
        Error::Http(_) | Error::Unpack(_) | Error::Store(_) => {
            Error::Installing { tool: label.clone(), source: Box::new(e) }
        }
        e => e,
    })?;
    let key = key::of(&artifact.checksum).unwrap_or_default();
    match downloaded {
        Some(bytes) => {
            // den.lock records every artifact's size; npm's package documents do not give it.
            let size = *artifact.size.get_or_insert(bytes);
            let mut receipt =
                receipt::Receipt::new(&resolved.name, &resolved.version, &artifact.url, &artifact.checksum);
            receipt.size = Some(size);
            receipt::write(cx.store, &key, &receipt)?;
        }
        None if artifact.size.is_none() => {
            artifact.size = receipt::read(cx.store, &key).ok().flatten().and_then(|r| r.size);
        }
        None => {}
    }
    Ok(Done { resolved, downloaded })
}

/// Installs one artifact unless the store has it; the bytes downloaded when it did not.
/// An artifact whose upstream publishes no checksum is downloaded first and pinned by the
/// sha256 den computes (trust on first use: den.lock records it, later installs verify
/// it); one whose definition names no binaries gets them found in the unpacked tree.
/// Either way `artifact` is completed for den.lock.
fn install(cx: &Context, label: &str, artifact: &mut Artifact) -> Result<Option<u64>, Error> {
    let url = cx.mirrors.apply(&artifact.url);
    let mut bytes = 0;
    let mut predownloaded = None;
    if artifact.checksum.is_empty() {
        let _ = std::fs::create_dir_all(cx.store.root());
        let tmp = tempfile::NamedTempFile::new_in(cx.store.root()).map_err(|e| {
            Error::Store(crate::store::Error::Write { path: cx.store.root().to_path_buf(), source: e })
        })?;
        let progress = cx.reporter.download(label);
        let done =
            cx.client.download(&url, tmp.path(), None, artifact.size, progress.as_ref()).map_err(|e| {
                progress.abandon();
                Error::Http(Box::new(e))
            })?;
        artifact.checksum = done.checksum.to_string();
        bytes = done.size;
        predownloaded = Some(tmp);
    }
    let key = key::of(&artifact.checksum)
        .ok_or_else(|| Error::BadChecksum { tool: label.to_string(), checksum: artifact.checksum.clone() })?;
    if cx.store.is_installed(&key) {
        if artifact.bin.is_empty() {
            artifact.bin = scan_bins(&cx.store.tool_dir(&key));
        }
        return Ok(None);
    }
    let checksum: Checksum =
        artifact.checksum.parse().map_err(|e: crate::store::http::Error| Error::Http(Box::new(e)))?;
    let format = format_of(artifact);
    let size = artifact.size;
    let mut found_bins = None;
    let artifact_ro = artifact.clone();
    cx.store.install::<Error>(
        &key,
        label,
        |partial| {
            if let Some(tmp) = predownloaded.take() {
                return tmp.persist(partial).map(|_| ()).map_err(|e| {
                    Error::Store(crate::store::Error::Write { path: partial.to_path_buf(), source: e.error })
                });
            }
            let progress = cx.reporter.download(label);
            match cx.client.download(&url, partial, Some(&checksum), size, progress.as_ref()) {
                Ok(done) => {
                    bytes = done.size;
                    Ok(())
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
                post_install::run(staging, &artifact_ro.post_install)?;
                if artifact_ro.bin.is_empty() {
                    found_bins = Some(scan_bins(staging));
                } else {
                    missing_bins(label, &artifact_ro, staging)?;
                }
                manifest::write(cx.store, &key, staging)?;
                Ok(())
            })();
            // A verified artifact that does not unpack is deleted (fetching it again won't
            // help), unless the machine ran out of room: then the next try reuses it.
            if unpacked.as_ref().is_err_and(|e: &Error| !keeps_download(e)) {
                let _ = std::fs::remove_file(archive);
            }
            unpacked
        },
    )?;
    if let Some(bins) = found_bins {
        artifact.bin = bins;
    }
    Ok(Some(bytes))
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
