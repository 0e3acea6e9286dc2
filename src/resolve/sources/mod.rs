//! The places versions and artifacts come from, each a small type answering two questions:
//! which versions exist, and which file is the artifact of a version for a platform.
//! Fetches go through [`Fetch`] (the cache and the mirrors); nothing here installs,
//! verifies or decides which source to try next (that is `resolver.rs`).

pub mod adoptium;
pub mod aqua;
pub mod assets;
pub mod dotnet;
pub mod github;
pub mod hexbuilds;
pub mod json;
pub mod npm;
pub mod npm_tree;
pub mod pep440;
pub mod pypi;
pub mod pypi_tree;
pub mod rustdist;
pub mod system;

use std::time::Duration;

use serde_json::Value;

use super::error::Error;
use super::mirror::Mirrors;
use crate::artifact::Format;
use crate::http::{self, Client};
use crate::version::Version;

/// How long a version list (release pages, indexes, package documents) is reused.
pub const LIST_TTL: Duration = Duration::from_secs(3600);
/// How long a per-version file (checksum list) is reused: they do not change.
pub const FILE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// Fetching through the response cache, with the `[mirrors]` rewrite applied.
#[derive(Clone)]
pub struct Fetch {
    pub client: Client,
    pub mirrors: Mirrors,
}

impl Fetch {
    /// A version list or index, cached for [`LIST_TTL`].
    pub fn list(&self, client: &Client, url: &str) -> Result<String, http::Error> {
        client.cached_get(&self.mirrors.apply(url), LIST_TTL)
    }

    /// A version list parsed as JSON.
    pub fn list_json(&self, client: &Client, url: &str) -> Result<Value, Error> {
        let text = self.list(client, url)?;
        serde_json::from_str(&text)
            .map_err(|e| Error::BadIndex { url: url.to_string(), reason: format!("bad JSON: {e}") })
    }

    /// A per-version file (checksums), cached for [`FILE_TTL`].
    pub fn file(&self, url: &str) -> Result<String, http::Error> {
        self.client.cached_get(&self.mirrors.apply(url), FILE_TTL)
    }
}

/// One listed version and the index entry it came from (for alias flags such as `lts`).
#[derive(Debug, Clone)]
pub struct Entry {
    pub version: Version,
    pub holder: Option<Value>,
}

impl Entry {
    pub fn plain(version: Version) -> Entry {
        Entry { version, holder: None }
    }
}

/// The word den.lock records for a format (`store::unpack::Format::from_word` reads it).
pub fn format_word(format: &Format) -> &'static str {
    match format {
        Format::Tar => "tar",
        Format::TarGz => "tar.gz",
        Format::TarXz => "tar.xz",
        Format::TarZst => "tar.zst",
        Format::TarBz2 => "tar.bz2",
        Format::Zip => "zip",
        Format::Wheel => "whl",
        Format::Gz { .. } => "gz",
        Format::Binary { .. } => "binary",
    }
}

/// `href` resolved against the URL of the document it appeared in.
pub fn join_url(base: &str, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") {
        return href.to_string();
    }
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
    if href.starts_with("//") {
        return format!("{}{}", &base[..scheme_end - 2], href);
    }
    if href.starts_with('/') {
        return format!("{}{href}", &base[..host_end]);
    }
    let path_base = base.split(['?', '#']).next().unwrap_or(base);
    let dir_end = path_base.rfind('/').filter(|&i| i >= host_end).map(|i| i + 1).unwrap_or(path_base.len());
    let mut out = path_base[..dir_end].to_string();
    if !out.ends_with('/') {
        out.push('/');
    }
    let mut rest = href;
    while let Some(up) = rest.strip_prefix("../") {
        rest = up;
        let trimmed = out.trim_end_matches('/');
        if let Some(i) = trimmed.rfind('/').filter(|&i| i >= host_end) {
            out.truncate(i + 1);
        }
    }
    out + rest.trim_start_matches("./")
}

/// The host of a URL (`nodejs.org`), how messages name a URL source.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_links() {
        let base = "https://idx.test.invalid/simple/ruff/";
        assert_eq!(join_url(base, "../../files/ruff.whl"), "https://idx.test.invalid/files/ruff.whl");
        assert_eq!(
            join_url(base, "/files/ruff.whl#sha256=ab"),
            "https://idx.test.invalid/files/ruff.whl#sha256=ab"
        );
        assert_eq!(join_url(base, "ruff.whl"), "https://idx.test.invalid/simple/ruff/ruff.whl");
        assert_eq!(join_url(base, "https://cdn.test.invalid/x.whl"), "https://cdn.test.invalid/x.whl");
        assert_eq!(join_url(base, "//cdn.test.invalid/x.whl"), "https://cdn.test.invalid/x.whl");
        assert_eq!(host_of("https://nodejs.org/dist/v{version}/x"), "nodejs.org");
    }
}
