//! The Adoptium API (v3): Eclipse Temurin's general-availability JDKs, listed per feature
//! version (`/v3/info/available_releases`, then `/v3/assets/feature_releases/<n>/ga`
//! filtered to one os, arch, `image_type=jdk`, HotSpot, paged 20 at a time), each release
//! with its top directory (`release_name`: `jdk-21.0.5+11`, `jdk8u432-b06`) and, per
//! binary, the download link, size and sha256. Versions are written
//! `<major>.<minor>.<security>[.<patch>]+<build>` (`21.0.5+11`, `8.0.432+6`), what
//! `version_data` says, so `21` and `21.0.5` pick the newest build.
//!
//! Read as hostile input: a release whose top directory could leave the tool's directory,
//! or whose checksum is not a sha256, is not offered. Only reads through [`Fetch`]; never
//! downloads an artifact.

use serde_json::Value;

use super::{Entry, Fetch};
use crate::http;
use crate::resolve::error::Error;
use crate::version::{Version, VersionSpec};

/// Releases per page: the API's largest page.
const PAGE_SIZE: usize = 20;
/// Pages read per feature version at most (400 releases; Temurin 8 has about 60).
const MAX_PAGES: usize = 20;

/// One Adoptium API server (the catalog's, or one a den.toml names).
pub struct Adoptium<'a> {
    pub fetch: &'a Fetch,
    /// The base URL, without the trailing `/` (`https://api.adoptium.net`).
    pub api: &'a str,
}

/// The file of one release for one platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub link: String,
    pub name: String,
    pub size: Option<u64>,
    /// Lowercase hex.
    pub sha256: String,
    /// The archive's top directory (`jdk-21.0.5+11`).
    pub release_name: String,
}

impl Adoptium<'_> {
    /// The versions of the JDKs built for `os`/`arch`, each holding its release with an
    /// `lts` flag (`version_data.optional` is `LTS`) for the catalog's `lts` alias. A spec
    /// that names a major (`21`, `21.0.5`, `^17`) reads that feature version only;
    /// otherwise feature versions are read newest first until one has a version the spec
    /// accepts (an older one could not win), for an alias (`lts`) until one is LTS; with
    /// no spec (`den ls-remote`), all of them.
    pub fn versions(&self, os: &str, arch: &str, spec: Option<&VersionSpec>) -> Result<Vec<Entry>, Error> {
        let named = match spec {
            Some(
                VersionSpec::Exact(v)
                | VersionSpec::Prefix(v)
                | VersionSpec::Caret(v)
                | VersionSpec::Tilde(v),
            ) => v.components().first().copied(),
            _ => None,
        };
        let features = match named {
            Some(major) => vec![major],
            None => self.features()?,
        };
        let mut entries = Vec::new();
        for feature in features {
            let found: Vec<Entry> = self
                .releases(feature, os, arch)?
                .into_iter()
                .filter_map(|mut release| {
                    let version = version_of(&release)?;
                    let lts = release["version_data"]["optional"].as_str() == Some("LTS");
                    release["lts"] = Value::Bool(lts);
                    Some(Entry { version, holder: Some(release) })
                })
                .collect();
            let enough = match spec {
                None => false,
                Some(VersionSpec::Alias(_)) => {
                    found.iter().any(|e| e.holder.as_ref().is_some_and(|h| h["lts"] == true))
                }
                Some(s) => found.iter().any(|e| s.matches(&e.version)),
            };
            entries.extend(found);
            if enough {
                break;
            }
        }
        Ok(entries)
    }

    /// The JDK of `version` for `os`/`arch`, when the API lists one.
    pub fn asset(&self, version: &Version, os: &str, arch: &str) -> Result<Option<Asset>, Error> {
        let Some(&feature) = version.components().first() else { return Ok(None) };
        let releases = self.releases(feature, os, arch)?;
        let release = releases.iter().find(|r| version_of(r).is_some_and(|v| v.bare() == version.bare()));
        Ok(release.and_then(|r| asset_of(r, os, arch)))
    }

    /// The feature versions with releases, newest first.
    fn features(&self) -> Result<Vec<u64>, Error> {
        let url = format!("{}/v3/info/available_releases", self.api);
        let doc = self.fetch.list_json(&self.fetch.client, &url)?;
        let mut features: Vec<u64> = doc
            .get("available_releases")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::BadIndex { url: url.clone(), reason: "no `available_releases`".into() })?
            .iter()
            .filter_map(Value::as_u64)
            .collect();
        features.sort_unstable_by(|a, b| b.cmp(a));
        features.dedup();
        Ok(features)
    }

    /// Every GA release of `feature` with a JDK for `os`/`arch`, newest first. The API
    /// answers 404 past the last page (and for a feature version it has no build of).
    fn releases(&self, feature: u64, os: &str, arch: &str) -> Result<Vec<Value>, Error> {
        let mut all = Vec::new();
        for page in 0..MAX_PAGES {
            let url = format!(
                "{}/v3/assets/feature_releases/{feature}/ga?architecture={arch}&heap_size=normal&image_type=jdk\
                 &jvm_impl=hotspot&os={os}&page={page}&page_size={PAGE_SIZE}&project=jdk&sort_order=DESC&vendor=eclipse",
                self.api
            );
            let doc = match self.fetch.list_json(&self.fetch.client, &url) {
                Ok(doc) => doc,
                Err(Error::Http(http::Error::NotFound { .. })) => break,
                Err(e) => return Err(e),
            };
            let list = doc.as_array().ok_or_else(|| Error::BadIndex {
                url: url.clone(),
                reason: "not a list of releases".into(),
            })?;
            all.extend(list.iter().cloned());
            if list.len() < PAGE_SIZE {
                break;
            }
        }
        Ok(all)
    }
}

/// `21.0.5+11` from a release's `version_data` (`8.0.432+6`; `11.0.16.1+1` with a patch).
fn version_of(release: &Value) -> Option<Version> {
    if release.get("release_type").and_then(Value::as_str).is_some_and(|t| t != "ga") {
        return None;
    }
    let data = release.get("version_data")?;
    let num = |key: &str| data.get(key).and_then(Value::as_u64);
    let (major, minor, security, build) = (num("major")?, num("minor")?, num("security")?, num("build")?);
    let patch = num("patch").filter(|p| *p > 0).map(|p| format!(".{p}")).unwrap_or_default();
    Version::parse(&format!("{major}.{minor}.{security}{patch}+{build}")).ok()
}

/// The JDK binary of `release` for `os`/`arch`, when it has a usable one.
fn asset_of(release: &Value, os: &str, arch: &str) -> Option<Asset> {
    let release_name = release.get("release_name")?.as_str()?;
    if !plain_dir_name(release_name) {
        return None;
    }
    let field = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    release.get("binaries")?.as_array()?.iter().find_map(|binary| {
        let fits = [("os", os), ("architecture", arch), ("image_type", "jdk"), ("jvm_impl", "hotspot")]
            .iter()
            .all(|(key, want)| field(binary, key).as_deref() == Some(*want));
        let package = binary.get("package").filter(|_| fits)?;
        let sha256 = field(package, "checksum")?.to_ascii_lowercase();
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let link = field(package, "link")?;
        let name = field(package, "name").filter(|n| plain_dir_name(n))?;
        if !(link.starts_with("https://") || link.starts_with("http://")) {
            return None;
        }
        let size = package.get("size").and_then(Value::as_u64);
        Some(Asset { link, name, size, sha256, release_name: release_name.to_string() })
    })
}

/// A single path component den may put under the tool's directory.
fn plain_dir_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && name.len() <= 200
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn release(name: &str, data: Value, link: &str, checksum: &str) -> Value {
        json!({
            "release_name": name, "release_type": "ga", "vendor": "eclipse", "version_data": data,
            "binaries": [
                {"os": "linux", "architecture": "aarch64", "image_type": "jdk", "jvm_impl": "hotspot",
                 "package": {"checksum": "b".repeat(64), "link": "https://x.invalid/arm.tar.gz", "name": "arm.tar.gz", "size": 3}},
                {"os": "linux", "architecture": "x64", "image_type": "jre", "jvm_impl": "hotspot",
                 "package": {"checksum": "c".repeat(64), "link": "https://x.invalid/jre.tar.gz", "name": "jre.tar.gz", "size": 2}},
                {"os": "linux", "architecture": "x64", "image_type": "jdk", "jvm_impl": "hotspot",
                 "package": {"checksum": checksum, "link": link, "name": "jdk.tar.gz", "size": 7}},
            ]
        })
    }

    #[test]
    fn versions_come_from_version_data() {
        let v = |data: Value| {
            version_of(&json!({"release_type": "ga", "version_data": data})).map(|v| v.as_str().to_string())
        };
        assert_eq!(
            v(json!({"major": 21, "minor": 0, "security": 5, "build": 11, "semver": "21.0.5+11.0.LTS"}))
                .as_deref(),
            Some("21.0.5+11")
        );
        assert_eq!(
            v(json!({"major": 8, "minor": 0, "security": 432, "build": 6})).as_deref(),
            Some("8.0.432+6")
        );
        assert_eq!(
            v(json!({"major": 11, "minor": 0, "security": 16, "patch": 1, "build": 1})).as_deref(),
            Some("11.0.16.1+1")
        );
        assert_eq!(v(json!({"major": 21, "minor": 0})), None);
        assert_eq!(
            version_of(
                &json!({"release_type": "ea", "version_data": {"major": 24, "minor": 0, "security": 0, "build": 3}})
            ),
            None
        );
    }

    #[test]
    fn the_jdk_of_the_platform_is_chosen_and_hostile_fields_refused() {
        let data = json!({"major": 21, "minor": 0, "security": 5, "build": 11});
        let good = release("jdk-21.0.5+11", data.clone(), "https://x.invalid/jdk.tar.gz", &"A".repeat(64));
        let asset = asset_of(&good, "linux", "x64").unwrap();
        assert_eq!(
            asset,
            Asset {
                link: "https://x.invalid/jdk.tar.gz".into(),
                name: "jdk.tar.gz".into(),
                size: Some(7),
                sha256: "a".repeat(64),
                release_name: "jdk-21.0.5+11".into(),
            }
        );
        assert_eq!(asset_of(&good, "mac", "x64"), None);
        for (name, link, sum) in [
            ("..", "https://x.invalid/jdk.tar.gz", "a".repeat(64)),
            ("a/b", "https://x.invalid/jdk.tar.gz", "a".repeat(64)),
            ("jdk-21", "file:///etc/passwd", "a".repeat(64)),
            ("jdk-21", "https://x.invalid/jdk.tar.gz", "z".repeat(64)),
            ("jdk-21", "https://x.invalid/jdk.tar.gz", "a".repeat(63)),
        ] {
            assert_eq!(
                asset_of(&release(name, data.clone(), link, &sum), "linux", "x64"),
                None,
                "{name} {link}"
            );
        }
    }
}
