//! The team cache: places to fetch an artifact from before its upstream, and to push
//! artifacts to, built on what teams already run. A directory (`file:///srv/den` or a
//! plain path) laid out so that any static HTTP server or bucket serves it (`https://…`),
//! or an OCI registry (`oci://host[:port]/repository`, the distribution API, see `oci`).
//!
//! A cache can never inject anything: every byte it serves is checked against the checksum
//! den.lock pins (the caller hands it in), and what fails is refused with a warning naming
//! the cache, and the next cache or the upstream is tried. Nothing about a cache is ever
//! recorded in den.lock. A cache never names a tool: an install asks for the checksum its
//! own lock entry or resolution pins, and the index files of a directory cache (its
//! den.lock entries, written for people) are never read. This module speaks the protocols only: it knows no den.lock, no
//! store and no tool definitions (the callers give each artifact's identity, `Want`).

pub mod bundle;
mod dir;
mod error;
mod layout;
pub mod oci;
mod remote;

use std::path::Path;

pub use error::Error;
pub use remote::{Remote, Scheme};

use crate::http::{Checksum, Client, Downloaded, Progress, Settings};
use crate::ui;

/// `v1/blobs/<algorithm>` of the layout: where a directory cache or a bundle keeps the
/// blobs of that algorithm (`sha256`, `sha512`), each named by its hex digest.
pub fn blob_dir(algorithm: &str) -> String {
    format!("{}/blobs/{algorithm}", layout::ROOT)
}

/// One artifact as a cache knows it: the tool, version and platform it is for (an OCI
/// manifest's tag), the checksum den.lock pins (the authority), its size and upstream URL.
#[derive(Debug, Clone)]
pub struct Want<'a> {
    pub tool: &'a str,
    pub version: &'a str,
    pub platform: &'a str,
    pub checksum: &'a Checksum,
    pub size: Option<u64>,
    /// The upstream URL (for the annotations of a pushed manifest).
    pub url: &'a str,
    /// A package installed into the tool (den.lock's `Step::Package`, node's npm), by name:
    /// then `url` and `checksum` are the package's, and it is addressed by its checksum
    /// alone (the same tarball bundled into several tools or platforms is one blob, with no
    /// index of its own: the tool's den.lock entry names it).
    pub package: Option<&'a str>,
}

impl Want<'_> {
    /// `jq 1.7.1`, `node 22.11.0 (npm)`, safe to print (den.lock's names, escaped).
    pub fn label(&self) -> String {
        let label = match self.package {
            Some(package) => format!("{} {} ({package})", self.tool, self.version),
            None => format!("{} {}", self.tool, self.version),
        };
        ui::escaped(&label)
    }

    /// The OCI tag of its manifest: `<tool>-<version>-<platform>`, or for a package its
    /// checksum (`layout::content_tag`).
    fn tag(&self) -> String {
        match self.package {
            Some(_) => layout::content_tag(self.checksum),
            None => layout::tag(self.tool, self.version, self.platform),
        }
    }
}

/// The caches an install tries, in order, each with the client that reaches it.
#[derive(Default)]
pub struct Caches {
    list: Vec<Opened>,
}

struct Opened {
    remote: Remote,
    /// How messages name it: `the cache <address>`, or `den's imported bundles`.
    shown: String,
    client: Client,
    /// The OCI registry's session (its token), made on first use.
    registry: std::sync::OnceLock<Result<oci::Registry, String>>,
    /// Set once the cache could not be reached or opened: the rest of this install skips
    /// it (one warning, not one per tool and its retries).
    down: std::sync::atomic::AtomicBool,
}

impl Caches {
    /// The caches `remotes` names, reached with `settings` (plain http allowed where a
    /// remote says `insecure`). Offline (`settings.offline`), none is used unless
    /// `offline_ok`: then each is reached as though online (the user said it is near).
    pub fn new(remotes: Vec<Remote>, settings: &Settings, offline_ok: bool) -> Caches {
        if settings.offline && !offline_ok {
            return Caches::default();
        }
        let list = remotes
            .into_iter()
            .map(|remote| {
                Opened::new(format!("the cache {}", ui::escaped(&remote.to_string())), remote, settings)
            })
            .collect();
        Caches { list }
    }

    /// These caches after the directory `root` on this machine, den's own store of bytes
    /// from imported bundles (`den cache import`), used offline too: like any cache it
    /// serves only the bytes of the checksum it is handed, so it supplies nothing den did
    /// not already expect. The caller decides whose checksums may reach it.
    pub fn with_imported(mut self, root: &Path, settings: &Settings) -> Caches {
        if root.is_dir()
            && let Ok(remote) = Remote::parse(&root.display().to_string(), None)
        {
            self.list.insert(0, Opened::new("den's imported bundles".into(), remote, settings));
        }
        self
    }

    /// Whether there is no cache to try.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Fetches `want` into `dest` from the first cache that has it and serves exactly the
    /// bytes den.lock pins; `None` when none did (a miss is silent; a failure or a mismatch
    /// is a warning naming the cache). Says on stderr which cache served.
    pub fn fetch(&self, want: &Want, dest: &Path, progress: &dyn Progress) -> Option<Downloaded> {
        for opened in &self.list {
            if opened.down.load(std::sync::atomic::Ordering::Relaxed) {
                continue;
            }
            let shown = &opened.shown;
            match opened.fetch(want, dest, progress) {
                Ok(Some(done)) => {
                    ui::note(&format!("{} from {shown}", want.label()));
                    return Some(done);
                }
                Ok(None) => {}
                Err(e) if e.is_mismatch() => ui::warn(&format!(
                    "{shown} served {} with other bytes than den.lock pins ({e}); refused them, trying the \
                     next source",
                    want.label(),
                )),
                Err(e) => {
                    if e.is_unreachable() {
                        opened.down.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    ui::warn(&format!("{shown} failed for {}: {e}; trying the next source", want.label()))
                }
            }
            let _ = std::fs::remove_file(dest);
        }
        None
    }
}

impl Opened {
    fn new(shown: String, remote: Remote, settings: &Settings) -> Opened {
        let client = Client::new(remote.settings(settings));
        Opened { remote, shown, client, registry: std::sync::OnceLock::new(), down: Default::default() }
    }

    fn fetch(&self, want: &Want, dest: &Path, progress: &dyn Progress) -> Result<Option<Downloaded>, Error> {
        match self.remote.scheme() {
            Scheme::Dir(root) => dir::read_local(root, want, dest, progress),
            Scheme::Http(base) => dir::read_http(&self.client, base, want, dest, progress),
            Scheme::Oci { .. } => {
                let registry = self.registry.get_or_init(|| {
                    oci::Registry::open(&self.remote, &self.client, false).map_err(|e| e.to_string())
                });
                match registry {
                    Ok(registry) => registry.fetch(want, dest, progress),
                    Err(reason) => {
                        Err(Error::Unusable { cache: self.remote.to_string(), reason: reason.clone() })
                    }
                }
            }
        }
    }
}

/// What a push did with one artifact: bytes uploaded, bytes the target already had.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pushed {
    pub sent: u64,
    pub skipped: u64,
}

/// A place `den cache push` writes to.
pub enum Target {
    Dir(std::path::PathBuf),
    Oci(Box<oci::Registry>),
}

impl Target {
    /// Opens `remote` for pushing (an OCI registry is asked for push rights).
    pub fn open(remote: &Remote, settings: &Settings) -> Result<Target, Error> {
        match remote.scheme() {
            Scheme::Dir(root) => Ok(Target::Dir(root.clone())),
            Scheme::Http(_) => Err(Error::ReadOnly { cache: remote.to_string() }),
            Scheme::Oci { .. } => {
                let client = Client::new(remote.settings(settings));
                Ok(Target::Oci(Box::new(oci::Registry::open(remote, &client, true)?)))
            }
        }
    }

    /// Puts `want` there unless it is there already; `file` gives the artifact's bytes
    /// (verified by the caller) and is called only when they must be uploaded. `index` is
    /// the artifact's den.lock entry, kept beside it in a directory cache (none for a
    /// package, which its tool's entry names).
    pub fn push(
        &self,
        want: &Want,
        index: Option<&str>,
        file: &mut dyn FnMut() -> Result<std::path::PathBuf, Error>,
    ) -> Result<Pushed, Error> {
        match self {
            Target::Dir(root) => dir::write(root, want, index, file),
            Target::Oci(registry) => registry.push(want, file),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::NoProgress;
    use std::sync::atomic::Ordering;

    #[test]
    fn an_unreachable_cache_is_skipped_for_the_rest_of_the_install() {
        let tmp = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let remotes = vec![Remote::parse(&format!("http://127.0.0.1:{port}/cache"), None).unwrap()];
        let mut settings = Settings::from_lookup(false, &|_| None, tmp.path().to_path_buf());
        settings.attempts = 1;
        let caches = Caches::new(remotes.clone(), &settings, false);
        let sum: Checksum = format!("sha256:{}", "a".repeat(64)).parse().unwrap();
        let want = Want {
            tool: "t",
            version: "1",
            platform: "p",
            checksum: &sum,
            size: None,
            url: "u",
            package: None,
        };
        assert!(caches.fetch(&want, &tmp.path().join("d"), &NoProgress).is_none());
        assert!(caches.list[0].down.load(Ordering::Relaxed), "a refused connection marks the cache down");

        // Offline, a cache is opened only when the user config allows it.
        settings.offline = true;
        assert!(Caches::new(remotes.clone(), &settings, false).is_empty());
        assert!(!Caches::new(remotes, &settings, true).is_empty());
    }
}
