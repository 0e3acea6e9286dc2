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

/// One dependency a version declares, as npm 7+ installs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    /// The range as written (`^1.2.0`, `>=2 <4`, `*`).
    pub range: String,
    /// An `optionalDependencies` entry: skipped, not refused, when it cannot be installed.
    pub optional: bool,
}

impl Package {
    /// The dependencies npm 7+ installs for `version`: `dependencies`, the peer dependencies
    /// not marked optional in `peerDependenciesMeta`, and `optionalDependencies` (marked).
    pub fn dependencies(&self, version: &str) -> Vec<Dependency> {
        let Some(entry) = self.doc["versions"].get(version) else { return Vec::new() };
        let mut out: Vec<Dependency> = Vec::new();
        let mut add = |field: &str, optional: bool, skip: &dyn Fn(&str) -> bool| {
            for (name, range) in entry[field].as_object().into_iter().flatten() {
                if skip(name) || out.iter().any(|d| &d.name == name) {
                    continue;
                }
                let range = range.as_str().unwrap_or("*").to_string();
                out.push(Dependency { name: name.clone(), range, optional });
            }
        };
        let optional_peer =
            |name: &str| entry["peerDependenciesMeta"][name]["optional"].as_bool() == Some(true);
        // An optional dependency is also listed in `dependencies`: it stays optional.
        add("optionalDependencies", true, &|_| false);
        add("dependencies", false, &|_| false);
        add("peerDependencies", false, &optional_peer);
        out
    }

    /// Whether `version` runs a script when installed (`preinstall`/`install`/`postinstall`,
    /// or a `binding.gyp` npm would build), as the registry's `hasInstallScript` says.
    pub fn has_install_script(&self, version: &str) -> bool {
        self.doc["versions"].get(version).is_some_and(|e| e["hasInstallScript"].as_bool() == Some(true))
    }

    /// Whether `version`'s `os`/`cpu` lists (npm's `!name` negations included) accept the
    /// platform named by npm's words (`linux`, `x64`).
    pub fn fits(&self, version: &str, os: &str, cpu: &str) -> bool {
        let Some(entry) = self.doc["versions"].get(version) else { return false };
        let accepts = |field: &str, word: &str| {
            let list: Vec<&str> =
                entry[field].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            if list.is_empty() {
                return true;
            }
            if list.iter().any(|w| w.strip_prefix('!') == Some(word)) {
                return false;
            }
            let positives: Vec<&&str> = list.iter().filter(|w| !w.starts_with('!')).collect();
            positives.is_empty() || positives.iter().any(|w| **w == word)
        };
        accepts("os", os) && accepts("cpu", cpu)
    }

    /// The version `tag` points at (`latest`), from `dist-tags`.
    pub fn tag(&self, tag: &str) -> Option<&str> {
        self.doc["dist-tags"][tag].as_str()
    }

    /// The command names and entry files (inside the package, without `package/`) of
    /// `version`'s `bin`; a string `bin` is named after the package (its scope dropped).
    pub fn commands(&self, name: &str, version: &str) -> Vec<(String, String)> {
        let Some(entry) = self.doc["versions"].get(version) else { return Vec::new() };
        let clean = |p: &str| p.trim_start_matches("./").to_string();
        match &entry["bin"] {
            Value::String(path) => {
                vec![(name.rsplit('/').next().unwrap_or(name).to_string(), clean(path))]
            }
            Value::Object(map) => {
                map.iter().filter_map(|(k, v)| Some((k.clone(), clean(v.as_str()?)))).collect()
            }
            _ => Vec::new(),
        }
    }
}
