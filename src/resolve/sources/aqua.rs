//! The aqua registry as one pinned artifact: its merged `registry.yaml` at a release tag,
//! whose sha256 den checks before reading a byte of it. Fetched through the answer cache
//! (and `[mirrors]`), so it is read offline after first use; the user config's `[aqua]`
//! names another release and its digest. Never reads a registry whose digest differs,
//! never runs anything it says.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::Fetch;
use crate::resolve::aqua::Registry;
use crate::resolve::error::Error;

/// The release of the registry den reads by default, and the sha256 of its `registry.yaml`.
pub const PINNED_VERSION: &str = "v4.554.0";
pub const PINNED_SHA256: &str = "40c72e0caa7e3aa18893e39aad5224fa68b8b4c969af82012618cc3cbc3af9aa";
/// Where a release's merged registry is (`{version}`: its tag).
pub const URL: &str = "https://raw.githubusercontent.com/aquaproj/aqua-registry/{version}/registry.yaml";
/// How long the cached copy is used before asking again (offline: always). A pinned file
/// does not change; a day bounds how long a wrong copy a mirror served stays refused.
const TTL: Duration = Duration::from_secs(24 * 3600);

/// Which registry release to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub version: String,
    pub sha256: String,
}

impl Pin {
    /// The user config's `[aqua]`, else den's pin.
    pub fn of(config: Option<&(String, String)>) -> Pin {
        match config {
            Some((version, sha256)) => Pin { version: version.clone(), sha256: sha256.clone() },
            None => Pin { version: PINNED_VERSION.into(), sha256: PINNED_SHA256.into() },
        }
    }

    pub fn url(&self) -> String {
        URL.replace("{version}", &self.version)
    }
}

/// The registry of `pin`, fetched (or cached) and checked.
pub fn load(fetch: &Fetch, pin: &Pin) -> Result<Arc<Registry>, Error> {
    let url = pin.url();
    let text = fetch.client.cached_get(&fetch.mirrors.apply(&url), TTL)?;
    let digest: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    if digest != pin.sha256 {
        return Err(Error::AquaRegistry {
            url,
            why: format!("its sha256 is {digest}, not the {} den pins for {}", pin.sha256, pin.version),
        });
    }
    Registry::parse(&text).map(Arc::new).map_err(|why| Error::AquaRegistry { url, why })
}
