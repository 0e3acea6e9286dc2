//! Sharing the store's artifacts with other machines: `den cache push` (to a team cache),
//! `den cache export` (one tar file, the directory-cache layout) and `den cache import`
//! (verify a bundle and keep its bytes by digest, with no network). The artifacts are
//! den.lock's, for every platform it pins, or (`--all`) those of everything in the store.
//! The store keeps unpacked tools, not archives, so an artifact a push needs is fetched
//! (from a team cache or its upstream, verified against den.lock) only when the target
//! lacks it. Each artifact goes with the packages its den.lock entry installs into it
//! (`Step::Package`, node's npm and corepack), so a cache or a bundle alone installs the
//! complete tool. A bundle is bytes only: an import never installs a tool or reads the
//! den.lock entries a bundle carries (see [`import`]).

use std::path::{Path, PathBuf};

use super::{Error, store};
use crate::cache::{self, Caches, Remote, Target, Want};
use crate::catalog::Platform;
use crate::config::Config;
use crate::http::{Checksum, Client, Reporter};
use crate::project::Project;
use crate::resolve::lock::{DEN_LOCK, Lock};
use crate::resolve::{Artifact, Mirrors, Resolved, Step};
use crate::store::{Store, gc};
use crate::ui;

/// One artifact to share: its tool, version and den.lock entry for one platform.
#[derive(Debug, Clone)]
pub struct Item {
    /// The den.lock entry, with this one platform's artifact only.
    pub resolved: Resolved,
    pub platform: Platform,
}

impl Item {
    fn artifact(&self) -> &Artifact {
        &self.resolved.artifacts[&self.platform]
    }

    fn label(&self) -> String {
        format!("{} {} ({})", self.resolved.name, self.resolved.version, self.platform)
    }

    /// Its den.lock entry alone, the index a directory cache keeps beside the blob.
    fn index(&self) -> String {
        Lock::from_resolved([self.resolved.clone()]).render()
    }
}

/// Every artifact the project's den.lock pins, for every platform.
pub fn locked(project: &Project) -> Result<Vec<Item>, Error> {
    let path = project.root.join(DEN_LOCK);
    let lock = Lock::read(&path)?.unwrap_or_default();
    Ok(split(lock.tools.into_values()))
}

/// Everything in the store: each tool with the den.lock entry of a known project that pins
/// it, else from its receipt (this machine's platform; no binaries recorded, so an import
/// finds them in the unpacked tree). A tool installed with bundled packages (node's npm)
/// that no known den.lock pins is left out with a warning: its receipt names the artifact
/// only, and a bundle of that would install an incomplete tool under another key.
pub fn stored() -> Result<Vec<Item>, Error> {
    let store = store();
    let platform = Platform::current().ok_or(Error::UnsupportedPlatform)?;
    let mut items = Vec::new();
    for tool in gc::installed(&store)? {
        let Some(receipt) = tool.receipt else { continue };
        let resolved = match super::pins::pinned_by(&store, &tool.key, platform)? {
            Some(resolved) => resolved,
            None if crate::artifact::key::of(&receipt.checksum).as_deref() != Some(tool.key.as_str()) => {
                ui::warn(&format!(
                    "skipping {}: installed with bundled packages that only a den.lock names, and no known \
                     project's den.lock pins it (run `den cache push` or `export` in the project)",
                    ui::escaped(&format!("{} {}", receipt.name, receipt.version))
                ));
                continue;
            }
            None => Resolved {
                name: receipt.name.clone(),
                spec: receipt.version.clone(),
                source: "catalog".into(),
                version: receipt.version.clone(),
                artifacts: [(
                    platform,
                    Artifact {
                        url: receipt.url.clone(),
                        checksum: receipt.checksum.clone(),
                        size: receipt.size,
                        format: String::new(),
                        bin: Vec::new(),
                        post_install: Vec::new(),
                        served_by: String::new(),
                    },
                )]
                .into(),
            },
        };
        items.extend(split([resolved]).into_iter().filter(|i| i.platform == platform));
    }
    Ok(items)
}

fn split(tools: impl IntoIterator<Item = Resolved>) -> Vec<Item> {
    let mut items = Vec::new();
    for resolved in tools {
        for platform in resolved.artifacts.keys() {
            let mut one = resolved.clone();
            one.artifacts.retain(|p, _| p == platform);
            items.push(Item { resolved: one, platform: *platform });
        }
    }
    items
}

/// What a push or an export did.
#[derive(Debug, Default)]
pub struct Shared {
    pub artifacts: usize,
    /// Packages installed into those artifacts (den.lock's `Step::Package`, node's npm),
    /// each counted once however many artifacts bundle it.
    pub packages: usize,
    pub sent: u64,
    pub skipped: u64,
}

/// How artifacts are fetched for sharing: the team caches (except the target), then the
/// upstream through the mirrors, verified against den.lock, into the store's staging area.
struct Source {
    store: Store,
    client: Client,
    mirrors: Mirrors,
    caches: Caches,
    reporter: Reporter,
}

impl Source {
    fn new(config: &Config, offline: bool, except: Option<&Remote>) -> Source {
        let settings = config.http_settings(offline);
        let mut remotes = super::caches::remotes(config, None, offline);
        remotes.retain(|r| Some(r) != except);
        Source {
            store: store(),
            client: Client::new(settings.clone()),
            mirrors: Mirrors::from_config(config),
            caches: Caches::new(remotes, &settings, config.cache_offline_ok),
            reporter: Reporter::detect(),
        }
    }

    /// The bytes of `want` (an artifact or a package) in a staging file, verified.
    fn fetch(&self, want: &Want) -> Result<tempfile::NamedTempFile, cache::Error> {
        let failed = |reason: String| cache::Error::Source { what: want.label(), reason };
        let tmp = self.store.staging_file().map_err(|e| failed(e.to_string()))?;
        let progress = self.reporter.download(&want.label());
        if self.caches.fetch(want, tmp.path(), progress.as_ref()).is_some() {
            return Ok(tmp);
        }
        let url = self.mirrors.apply(want.url);
        self.client
            .download(&url, tmp.path(), Some(want.checksum), want.size, progress.as_ref())
            .map_err(|e| failed(e.to_string()))?;
        Ok(tmp)
    }

    /// Puts `want` into `target` unless it is there, fetching it only when it is not.
    fn put(&self, target: &Target, want: &Want, index: Option<&str>) -> Result<cache::Pushed, Error> {
        let mut held = None;
        let mut file = || -> Result<PathBuf, cache::Error> {
            let tmp = self.fetch(want)?;
            let path = tmp.path().to_path_buf();
            held = Some(tmp);
            Ok(path)
        };
        let pushed = target.push(want, index, &mut file)?;
        drop(held);
        Ok(pushed)
    }
}

fn checksum_of(item: &Item) -> Option<Checksum> {
    let parsed = item.artifact().checksum.parse().ok();
    if parsed.is_none() {
        ui::warn(&format!("skipping {}: den.lock records no checksum den can verify", item.label()));
    }
    parsed
}

fn want<'a>(item: &'a Item, checksum: &'a Checksum, platform: &'a str) -> Want<'a> {
    Want {
        tool: &item.resolved.name,
        version: &item.resolved.version,
        platform,
        checksum,
        size: item.artifact().size,
        url: &item.artifact().url,
        package: None,
    }
}

/// The packages den.lock installs into `item`'s artifact (`Step::Package`): name, URL and
/// checksum. A checksum den cannot verify is an error: the artifact is of no use without
/// its packages, and an install would refuse the entry the same way.
fn packages(item: &Item) -> Result<Vec<(&str, &str, Checksum)>, Error> {
    let mut found = Vec::new();
    for step in &item.artifact().post_install {
        let (Step::Package { name, url, checksum, .. } | Step::Component { name, url, checksum, .. }) = step
        else {
            continue;
        };
        let parsed = checksum.parse().map_err(|_| crate::store::InstallError::BadChecksum {
            tool: format!("{} ({name})", item.label()),
            checksum: checksum.clone(),
        })?;
        found.push((name.as_str(), url.as_str(), parsed));
    }
    Ok(found)
}

/// Puts every artifact of `items` into `target`, each with the packages its den.lock entry
/// installs into it (a package shared by several artifacts, once); `note` says each.
fn put_all(items: &[Item], source: &Source, target: &Target, note: bool) -> Result<Shared, Error> {
    let mut shared = Shared::default();
    let mut seen = std::collections::BTreeSet::new();
    let mut count = |pushed: cache::Pushed, label: String| {
        shared.sent += pushed.sent;
        shared.skipped += pushed.skipped;
        if note {
            let what = if pushed.sent > 0 { "pushed" } else { "already there:" };
            ui::note(&format!("{what} {label}"));
        }
    };
    for item in items {
        let Some(checksum) = checksum_of(item) else { continue };
        let platform = item.platform.to_string();
        let want = want(item, &checksum, &platform);
        let pushed = source.put(target, &want, Some(&item.index()))?;
        count(pushed, ui::escaped(&item.label()));
        shared.artifacts += 1;
        for (name, url, checksum) in packages(item)? {
            if !seen.insert(checksum.to_string()) {
                continue;
            }
            let package = Want { checksum: &checksum, size: None, url, package: Some(name), ..want.clone() };
            let pushed = source.put(target, &package, None)?;
            count(pushed, package.label());
            shared.packages += 1;
        }
    }
    Ok(shared)
}

/// Pushes `items` to `remote`: what it has already is skipped (nothing is fetched for it).
/// Offline, only to a directory, with what a cache allowed offline serves.
pub fn push(items: &[Item], remote: &Remote, config: &Config, offline: bool) -> Result<Shared, Error> {
    if offline && !matches!(remote.scheme(), cache::Scheme::Dir(_)) {
        return Err(cache::Error::Http(crate::http::Error::Offline { url: remote.to_string() }).into());
    }
    let source = Source::new(config, offline, Some(remote));
    let target = Target::open(remote, &config.http_settings(false))?;
    put_all(items, &source, &target, true)
}

/// Writes `items` into the tar file `dest` (the directory-cache layout), atomically.
pub fn export(items: &[Item], dest: &Path, config: &Config, offline: bool) -> Result<Shared, Error> {
    let source = Source::new(config, offline, None);
    let staging = tempfile::tempdir_in(source.store.root().join(crate::paths::Bucket::Downloads.name()))
        .or_else(|_| tempfile::tempdir())
        .map_err(|e| cache::Error::io("cannot create a temporary directory for", dest, e))?;
    let root = staging.path().join("bundle");
    let mut shared = put_all(items, &source, &Target::Dir(root.clone()), false)?;
    shared.sent += std::mem::take(&mut shared.skipped);
    cache::bundle::write(&root, dest)?;
    Ok(shared)
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    /// Files (artifacts and bundled packages) verified and kept now, and their bytes.
    pub files: usize,
    pub bytes: u64,
    /// Files den had kept already.
    pub already: usize,
}

/// Verifies the bundle `file` (every blob against the digest it is stored under) and keeps
/// its bytes in den's own store of imported bytes (`caches::imported_dir`), with no network. It
/// installs nothing and records no tool: a bundle names no tool, version, URL or binary den
/// would believe. An install takes bytes from there only when the checksum its own lock
/// entry or resolution pins is one of them (`caches::for_install`), so `den install
/// --offline` with a committed den.lock installs what the bundle carries.
#[allow(clippy::disallowed_methods, reason = "den's own imported-v1 bucket, not a project's")]
pub fn import(file: &Path, config: &Config) -> Result<Imported, Error> {
    let root = super::caches::imported_dir();
    let failed = |what: &'static str, path: &Path, e| Error::from(cache::Error::io(what, path, e));
    crate::fs_util::create_private_dir_all(&root).map_err(|e| failed("cannot create", &root, e))?;
    let downloads = store().root().join(crate::paths::Bucket::Downloads.name());
    let _ = crate::fs_util::create_private_dir_all(&downloads);
    let staging = tempfile::tempdir_in(&downloads)
        .or_else(|_| tempfile::tempdir())
        .map_err(|e| cache::Error::io("cannot create a temporary directory for", file, e))?;
    let unpacked = cache::bundle::read(file, staging.path(), config.http_settings(true).max_download)?;
    let mut imported = Imported::default();
    for alg in ["sha256", "sha512"] {
        let from = staging.path().join(cache::blob_dir(alg));
        let Ok(entries) = std::fs::read_dir(&from) else { continue };
        let to = root.join(cache::blob_dir(alg));
        crate::fs_util::create_private_dir_all(&to).map_err(|e| failed("cannot create", &to, e))?;
        for entry in entries.flatten() {
            let dest = to.join(entry.file_name());
            if std::fs::symlink_metadata(&dest).is_ok_and(|m| m.is_file()) {
                // Imported again: kept as long as if new (`den cache prune` goes by this date).
                let _ = std::fs::File::options()
                    .append(true)
                    .open(&dest)
                    .and_then(|f| f.set_modified(std::time::SystemTime::now()));
                imported.already += 1;
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or_default();
            keep(&entry.path(), &dest).map_err(|e| failed("cannot write", &dest, e))?;
            imported.files += 1;
            imported.bytes += size;
        }
    }
    debug_assert_eq!(imported.files + imported.already, unpacked.blobs);
    Ok(imported)
}

/// Moves a verified blob into place (renamed, or copied when the staging directory is on
/// another file system), private to the user.
fn keep(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(from, std::fs::Permissions::from_mode(0o600))?;
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    let dir = to.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::fs::copy(from, tmp.path())?;
    tmp.persist(to).map_err(|e| e.error)?;
    Ok(())
}

/// Removes (or with `dry_run` only counts) the imported bytes kept longer than `age`:
/// what they were imported for is installed by now, and a bundle can be imported again.
/// A file that cannot be read or removed is left alone.
pub fn prune_imported(age: std::time::Duration, now: std::time::SystemTime, dry_run: bool) -> Imported {
    let root = super::caches::imported_dir();
    let mut pruned = Imported::default();
    for alg in ["sha256", "sha512"] {
        let Ok(entries) = std::fs::read_dir(root.join(cache::blob_dir(alg))) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            let old = meta.modified().is_ok_and(|m| now.duration_since(m).unwrap_or_default() > age);
            if !meta.is_file() || !old || (!dry_run && std::fs::remove_file(entry.path()).is_err()) {
                continue;
            }
            pruned.files += 1;
            pruned.bytes += meta.len();
        }
    }
    pruned
}
