//! The .NET release metadata: `releases-index.json` lists the channels (`9.0`, `8.0`),
//! each channel's `releases.json` its releases, and each release the SDKs it shipped
//! (`sdks`, else `sdk`) with one file per runtime identifier (`linux-x64`, `osx-arm64`):
//! its URL and sha512. den's versions of the `dotnet` tool are SDK versions (`9.0.100`).
//!
//! Read as hostile input: a file whose hash is not a sha512 or whose URL is not http(s)
//! is not offered. Only reads through [`Fetch`]; never downloads an artifact.

use serde_json::Value;

use super::{Entry, Fetch};
use crate::resolve::error::Error;
use crate::version::{Version, VersionSpec};

/// Channels read at most (every .NET Core and .NET channel since 1.0 is about 15).
const MAX_CHANNELS: usize = 40;

/// One release-metadata tree (the catalog's, or a `[mirrors]` rewrite of it).
pub struct Dotnet<'a> {
    pub fetch: &'a Fetch,
    /// The metadata base URL, without the trailing `/` (holding `releases-index.json`).
    pub base: &'a str,
}

/// The SDK archive of one version for one runtime identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub url: String,
    pub name: String,
    /// Lowercase hex.
    pub sha512: String,
}

impl Dotnet<'_> {
    /// The SDK versions with an archive for `rid`. A spec that names a channel (`8.0`,
    /// `8.0.100`, `~8.0`) reads that channel only; otherwise channels are read newest first
    /// until one has a version the spec accepts; with no spec, all of them.
    pub fn versions(&self, rid: &str, spec: Option<&VersionSpec>) -> Result<Vec<Entry>, Error> {
        let named = match spec {
            Some(VersionSpec::Exact(v) | VersionSpec::Prefix(v) | VersionSpec::Tilde(v)) => {
                match v.components() {
                    [major, minor, ..] => Some(format!("{major}.{minor}")),
                    _ => None,
                }
            }
            _ => None,
        };
        let mut entries = Vec::new();
        for (channel, url) in self.channels()? {
            if named.as_ref().is_some_and(|n| *n != channel) {
                continue;
            }
            let found: Vec<Entry> = sdks(&self.releases(&url)?)
                .filter(|sdk| file_of(sdk, rid).is_some())
                .filter_map(|sdk| Version::parse(sdk.get("version")?.as_str()?).ok())
                .map(Entry::plain)
                .collect();
            let enough = spec
                .filter(|s| !matches!(s, VersionSpec::Alias(_)))
                .is_some_and(|s| found.iter().any(|e| s.matches(&e.version)));
            entries.extend(found);
            if enough {
                break;
            }
        }
        Ok(entries)
    }

    /// The archive of SDK `version` for `rid`, when the metadata lists one.
    pub fn file(&self, version: &Version, rid: &str) -> Result<Option<File>, Error> {
        let channel = match version.components() {
            [major, minor, ..] => format!("{major}.{minor}"),
            _ => return Ok(None),
        };
        let Some((_, url)) = self.channels()?.into_iter().find(|(c, _)| *c == channel) else {
            return Ok(None);
        };
        let doc = self.releases(&url)?;
        let found = sdks(&doc)
            .find(|sdk| sdk.get("version").and_then(Value::as_str) == Some(version.as_str()))
            .and_then(|sdk| file_of(sdk, rid));
        Ok(found)
    }

    /// `(channel, releases.json URL)`, newest channel first.
    fn channels(&self) -> Result<Vec<(String, String)>, Error> {
        let url = format!("{}/releases-index.json", self.base);
        let doc = self.fetch.list_json(&self.fetch.client, &url)?;
        let list = doc
            .get("releases-index")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::BadIndex { url: url.clone(), reason: "no `releases-index`".into() })?;
        let mut channels: Vec<(Version, String, String)> = list
            .iter()
            .take(MAX_CHANNELS)
            .filter_map(|c| {
                let channel = c.get("channel-version")?.as_str()?;
                let version = Version::parse(channel).ok()?;
                // Each channel's file sits under the base, by the channel's name.
                Some((version, channel.to_string(), format!("{}/{channel}/releases.json", self.base)))
            })
            .collect();
        channels.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(channels.into_iter().map(|(_, c, u)| (c, u)).collect())
    }

    fn releases(&self, url: &str) -> Result<Value, Error> {
        self.fetch.list_json(&self.fetch.client, url)
    }
}

/// Every SDK every release of a channel's document lists (`sdks`, else `sdk`).
fn sdks(doc: &Value) -> impl Iterator<Item = &Value> {
    let releases = doc.get("releases").and_then(Value::as_array).into_iter().flatten();
    releases.flat_map(|r| match r.get("sdks").and_then(Value::as_array) {
        Some(list) => list.iter().collect::<Vec<_>>(),
        None => r.get("sdk").into_iter().collect(),
    })
}

/// The `.tar.gz` of `sdk` for `rid`, when it has a usable one.
fn file_of(sdk: &Value, rid: &str) -> Option<File> {
    sdk.get("files")?.as_array()?.iter().find_map(|f| {
        let field = |k: &str| f.get(k).and_then(Value::as_str);
        let name = field("name")?;
        if field("rid")? != rid || !name.ends_with(".tar.gz") {
            return None;
        }
        let url = field("url")?;
        let sha512 = field("hash")?.to_ascii_lowercase();
        let good_hash = sha512.len() == 128 && sha512.bytes().all(|b| b.is_ascii_hexdigit());
        let good_url = url.starts_with("https://") || url.starts_with("http://");
        let file = url.rsplit('/').next()?.to_string();
        (good_hash && good_url && !file.is_empty()).then(|| File { url: url.to_string(), name: file, sha512 })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_tar_gz_of_the_rid_with_a_sha512_is_chosen() {
        let sdk = json!({"version": "9.0.100", "files": [
            {"name": "dotnet-sdk-linux-x64.zip", "rid": "linux-x64", "url": "https://x.invalid/a.zip", "hash": "a".repeat(128)},
            {"name": "dotnet-sdk-linux-arm64.tar.gz", "rid": "linux-arm64", "url": "https://x.invalid/arm.tar.gz", "hash": "b".repeat(128)},
            {"name": "dotnet-sdk-linux-x64.tar.gz", "rid": "linux-x64", "url": "https://x.invalid/p/dotnet-sdk-9.0.100-linux-x64.tar.gz", "hash": "C".repeat(128)},
        ]});
        assert_eq!(
            file_of(&sdk, "linux-x64"),
            Some(File {
                url: "https://x.invalid/p/dotnet-sdk-9.0.100-linux-x64.tar.gz".into(),
                name: "dotnet-sdk-9.0.100-linux-x64.tar.gz".into(),
                sha512: "c".repeat(128),
            })
        );
        assert_eq!(file_of(&sdk, "osx-x64"), None);
        let bad = json!({"files": [
            {"name": "dotnet-sdk-linux-x64.tar.gz", "rid": "linux-x64", "url": "file:///etc/x.tar.gz", "hash": "a".repeat(128)},
            {"name": "dotnet-sdk-linux-x64.tar.gz", "rid": "linux-x64", "url": "https://x.invalid/x.tar.gz", "hash": "a".repeat(64)},
        ]});
        assert_eq!(file_of(&bad, "linux-x64"), None);
    }

    #[test]
    fn sdks_come_from_every_release() {
        let doc = json!({"releases": [
            {"sdks": [{"version": "8.0.404"}, {"version": "8.0.307"}]},
            {"sdk": {"version": "8.0.403"}},
        ]});
        let versions: Vec<&str> = sdks(&doc).filter_map(|s| s["version"].as_str()).collect();
        assert_eq!(versions, ["8.0.404", "8.0.307", "8.0.403"]);
    }
}
