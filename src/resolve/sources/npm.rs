//! npm packages: the package document (versions and, per version, `dist.tarball`,
//! `dist.integrity`, `bin`) from the configured registry. Scoped names are escaped as the
//! registry expects (`@scope%2fname`). The registry base is given; never named here.

use serde_json::Value;

use super::{Entry, Fetch};
use crate::http::Client;
use crate::resolve::error::Error;
use crate::version::Version;

/// The Accept header asking for the abbreviated ("corgi") document, much smaller.
pub const ACCEPT: &str = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*";

/// One package's document.
pub struct Package {
    pub doc: Value,
}

/// What the document says about one version.
pub struct Dist {
    pub tarball: String,
    pub integrity: Option<String>,
    /// `bin` of the version's package.json, as paths inside the tarball (`package/...`).
    pub bins: Vec<String>,
}

impl Package {
    /// Fetches the document of `name` from `registry` (cached).
    pub fn fetch(fetch: &Fetch, client: &Client, registry: &str, name: &str) -> Result<Package, Error> {
        let url = format!("{}/{}", registry.trim_end_matches('/'), name.replacen('/', "%2f", 1));
        let doc = fetch.list_json(client, &url)?;
        if !doc.get("versions").is_some_and(Value::is_object) {
            return Err(Error::BadIndex { url, reason: "no `versions` object".into() });
        }
        Ok(Package { doc })
    }

    /// Every published version.
    pub fn versions(&self) -> Vec<Entry> {
        let map = self.doc["versions"].as_object().into_iter().flatten();
        map.filter_map(|(k, _)| Version::parse(k).ok().map(Entry::plain)).collect()
    }

    /// The tarball of `version` (written as the document writes it).
    pub fn dist(&self, version: &str) -> Option<Dist> {
        let entry = self.doc["versions"].get(version)?;
        let tarball = entry["dist"]["tarball"].as_str()?.to_string();
        let integrity = entry["dist"]["integrity"].as_str().map(str::to_string);
        let bins = match &entry["bin"] {
            Value::String(path) => vec![package_path(path)],
            Value::Object(map) => map.values().filter_map(Value::as_str).map(package_path).collect(),
            _ => Vec::new(),
        };
        Some(Dist { tarball, integrity, bins })
    }
}

impl Package {
    /// `engines.node` of `version`, when it says.
    pub fn engines_node(&self, version: &str) -> Option<&str> {
        self.doc["versions"].get(version)?["engines"]["node"].as_str()
    }
}

fn package_path(path: &str) -> String {
    format!("package/{}", path.trim_start_matches("./"))
}
