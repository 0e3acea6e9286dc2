//! The install pipeline of one artifact, the one copy of it: download (or resume) →
//! verify → unpack → post-install → check or find the binaries → receipt, inside
//! `Store::install`'s lock-and-rename. `tools` decides which artifacts and how many at a
//! time; this module installs one it is handed, from the URL it is handed (mirrors are
//! applied by the caller). It never resolves a version and never reads den.lock.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use super::unpack::{self, Format};
use super::{Error, Store, post_install, receipt};
use crate::artifact::{Artifact, Step};
use crate::cache::{Caches, Want};
use crate::http::{Checksum, Client, Reporter};
use crate::ui::escaped;

/// What went wrong installing one artifact. Fetching, unpacking and the store's own
/// failures name only a URL, an archive entry or a path; the caller names the tool.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Http(Box<crate::http::Error>),
    #[error(transparent)]
    Unpack(#[from] unpack::Error),
    #[error(transparent)]
    Store(#[from] Error),
    #[error("`{}` is not a checksum den can verify (for {})", escaped(checksum), escaped(tool))]
    BadChecksum { tool: String, checksum: String },
    #[error("{} unpacked without {}", escaped(tool), escaped(&missing.join(", ")))]
    MissingBinaries { tool: String, missing: Vec<String> },
}

impl InstallError {
    /// Whether offline mode refused the download (nothing cached to install from).
    pub fn is_offline(&self) -> bool {
        matches!(self, InstallError::Http(e) if e.is_offline())
    }

    /// Whether the failure was fetching, unpacking or writing the artifact (which names no
    /// tool), rather than a definition or den.lock entry that does not fit.
    pub fn is_fetch_or_unpack(&self) -> bool {
        matches!(self, InstallError::Http(_) | InstallError::Unpack(_) | InstallError::Store(_))
    }
}

impl crate::hint::Hint for InstallError {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            InstallError::Http(e) => e.hint(),
            InstallError::Unpack(e) => e.hint(),
            InstallError::Store(e) => e.hint(),
            InstallError::BadChecksum { .. } => Some("fix or delete den.lock, then run `den install`".into()),
            InstallError::MissingBinaries { .. } => {
                Some("set `bin = [...]` for this tool in den.toml to the paths inside the archive".into())
            }
        }
    }
}

/// How the pipeline reaches the network and shows progress: the team caches (tried
/// first, each verified against the artifact's checksum) and then the URL it is handed.
pub struct Fetcher<'a> {
    pub client: &'a Client,
    pub reporter: &'a Reporter,
    pub caches: &'a Caches,
    /// The platform of the artifact (`linux-x64`), which names it in a cache.
    pub platform: &'a str,
    /// The configured mirrors' rewrite of a URL a step names (a toolchain component's).
    pub rewrite: &'a dyn Fn(&str) -> String,
}

/// The store key of `artifact` (`sha256-<hex>`), or why its checksum cannot be one.
pub fn key_of(label: &str, artifact: &Artifact) -> Result<String, InstallError> {
    artifact.key().ok_or_else(|| InstallError::BadChecksum {
        tool: label.to_string(),
        checksum: artifact.checksum.clone(),
    })
}

/// Installs one artifact from `url` unless the store has it; the bytes downloaded when it
/// did not. An artifact whose upstream publishes no checksum is downloaded first and
/// pinned by the sha256 den computes (trust on first use: den.lock records it, later
/// installs verify it); one whose definition names no binaries gets them found in the
/// unpacked tree. Either way `artifact` is completed for den.lock, from the installed tool
/// and its receipt, whoever installed it: this den, or another one it waited for.
pub fn install(
    store: &Store,
    fetcher: &Fetcher,
    (name, version): (&str, &str),
    url: &str,
    artifact: &mut Artifact,
) -> Result<Option<u64>, InstallError> {
    let label = &format!("{name} {version}");
    let mut predownloaded = None;
    if artifact.checksum.is_empty() {
        let tmp = store.staging_file()?;
        let progress = fetcher.reporter.download(label);
        let done = fetcher.client.download(url, tmp.path(), None, artifact.size, progress.as_ref()).map_err(
            |e| {
                progress.abandon();
                InstallError::Http(Box::new(e))
            },
        )?;
        artifact.checksum = done.checksum.to_string();
        predownloaded = Some((tmp, done.size));
    }
    let key = key_of(label, artifact)?;
    let checksum: Checksum = artifact.checksum.parse().map_err(|_| InstallError::BadChecksum {
        tool: label.to_string(),
        checksum: artifact.checksum.clone(),
    })?;
    let format = format_of(artifact);
    let bytes = Cell::new(0);
    let fresh = store.install::<InstallError>(
        &key,
        label,
        |partial| {
            if let Some((tmp, size)) = predownloaded.take() {
                bytes.set(size);
                tmp.persist(partial)
                    .map_err(|e| Error::Write { path: partial.to_path_buf(), source: e.error })?;
                return Ok(size);
            }
            let want = Want {
                tool: name,
                version,
                platform: fetcher.platform,
                checksum: &checksum,
                size: artifact.size,
                url: &artifact.url,
                package: None,
            };
            if let Some(size) = from_caches(fetcher, &want, partial) {
                bytes.set(size);
                return Ok(size);
            }
            let progress = fetcher.reporter.download(label);
            match fetcher.client.download(url, partial, Some(&checksum), artifact.size, progress.as_ref()) {
                Ok(done) => {
                    bytes.set(done.size);
                    Ok(done.size)
                }
                Err(e) => {
                    progress.abandon();
                    Err(InstallError::Http(Box::new(e)))
                }
            }
        },
        |archive, staging| {
            let unpacked = (|| {
                unpack::unpack(archive, format.clone(), staging)?;
                for step in &artifact.post_install {
                    install_package(store, fetcher, (name, version), step, staging)?;
                }
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
        let python_app = artifact.post_install.iter().any(|s| matches!(s, Step::PythonScripts { .. }));
        // A Python application's commands are the launchers den wrote, nothing else.
        artifact.bin = scan_bins(&store.tool_dir(&key))
            .into_iter()
            .filter(|b| !python_app || b.strip_prefix("bin/").is_some_and(|n| !n.contains('/')))
            .collect();
    }
    if artifact.size.is_none() {
        // den.lock records every artifact's size; npm's package documents do not give it.
        artifact.size = receipt::read(store, &key)?.and_then(|r| r.size);
    }
    Ok(fresh.then(|| bytes.get()))
}

/// A package installed into the artifact (`Step::Package`: node's bundled npm from the
/// registry its npm package came from; `Step::Component`: a toolchain component, through
/// the mirrors, merged into the tree): fetched and verified like the artifact (from the
/// team caches first, then its URL), unpacked in the install directory, its `package/`
/// moved to where the step says.
fn install_package(
    store: &Store,
    fetcher: &Fetcher,
    (tool, version): (&str, &str),
    step: &Step,
    staging: &Path,
) -> Result<(), InstallError> {
    let (name, url, checksum) = match step {
        Step::Package { name, url, checksum, .. } => (name, url.clone(), checksum),
        Step::Component { name, url, checksum, .. } => (name, (fetcher.rewrite)(url), checksum),
        _ => return Ok(()),
    };
    let url = url.as_str();
    let label = format!("{tool} {version} ({name})");
    let checksum: Checksum = checksum
        .parse()
        .map_err(|_| InstallError::BadChecksum { tool: label.clone(), checksum: checksum.clone() })?;
    let tmp = store.staging_file()?;
    let want = Want {
        tool,
        version,
        platform: fetcher.platform,
        checksum: &checksum,
        size: None,
        url,
        package: Some(name),
    };
    if from_caches(fetcher, &want, tmp.path()).is_none() {
        let progress = fetcher.reporter.download(&label);
        fetcher.client.download(url, tmp.path(), Some(&checksum), None, progress.as_ref()).map_err(|e| {
            progress.abandon();
            InstallError::Http(Box::new(e))
        })?;
    }
    // Inside the install directory: whatever happens, it goes with it.
    let unpacked = tempfile::Builder::new()
        .prefix(".den-package-")
        .tempdir_in(staging)
        .map_err(|source| Error::Write { path: staging.to_path_buf(), source })?;
    let file_name = url.rsplit('/').next().unwrap_or_default();
    unpack::unpack(tmp.path(), Format::from_file_name(file_name), unpacked.path())?;
    match step {
        Step::Component { .. } => post_install::merge_component(staging, step, unpacked.path())?,
        _ => {
            // An npm tarball's files are under `package/`; a wheel's at its root.
            let root = if file_name.ends_with(".whl") {
                unpacked.path().to_path_buf()
            } else {
                unpacked.path().join("package")
            };
            post_install::place_package(staging, step, &root)?;
        }
    }
    Ok(())
}

/// `want` fetched into `partial` from the first team cache that serves exactly its bytes,
/// its size; `None` when there is no cache or none did (the upstream is next).
fn from_caches(fetcher: &Fetcher, want: &Want, partial: &Path) -> Option<u64> {
    if fetcher.caches.is_empty() {
        return None;
    }
    let progress = fetcher.reporter.download(&want.label());
    let done = fetcher.caches.fetch(want, partial, progress.as_ref());
    if done.is_none() {
        progress.abandon();
    }
    done.map(|d| d.size)
}

/// Whether an unpack failure was the machine's (out of space), not the archive's.
fn keeps_download(e: &InstallError) -> bool {
    match e {
        InstallError::Unpack(e) => e.keeps_download(),
        InstallError::Store(Error::Write { source, .. }) => super::is_out_of_space(source),
        _ => false,
    }
}

/// Executables at the top of an unpacked tree or in its `bin/` (or those of its single top
/// directory), and a wheel's `*.data/scripts/`, for artifacts whose definition does not
/// name its binaries.
fn scan_bins(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let entries = |d: &Path| -> Vec<std::fs::DirEntry> {
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
fn missing_bins(label: &str, artifact: &Artifact, dir: &Path) -> Result<(), InstallError> {
    let missing: Vec<String> = artifact.bin.iter().filter(|b| !dir.join(b).exists()).cloned().collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(InstallError::MissingBinaries { tool: label.to_string(), missing })
}
