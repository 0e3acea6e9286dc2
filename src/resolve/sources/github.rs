//! GitHub releases: the release list of a repository (all pages, drafts skipped) and the
//! asset of a release, chosen by the definition's template or by its name's os/arch words.
//! The API base comes from the config or `DEN_GITHUB_API`; a token, when set, is sent by
//! the client this module is given. Never downloads an artifact.

use serde::Deserialize;

use super::Fetch;
use crate::http::Client;
use crate::resolve::error::Error;

/// Releases per page (GitHub's maximum).
const PER_PAGE: usize = 100;
/// Pages read at most (10 000 releases).
const MAX_PAGES: usize = 100;

/// The default API base.
pub const DEFAULT_API: &str = "https://api.github.com";

/// A release as the API describes it (only what den reads).
#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    pub tag_name: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub assets: Vec<Asset>,
}

/// A release asset.
#[derive(Debug, Clone, Deserialize)]
pub struct Asset {
    pub name: String,
    pub browser_download_url: String,
    #[serde(default)]
    pub size: Option<u64>,
    /// `sha256:<hex>` for assets uploaded since mid-2025, else null.
    #[serde(default)]
    pub digest: Option<String>,
}

impl Release {
    /// The asset called `name`.
    pub fn asset(&self, name: &str) -> Option<&Asset> {
        self.assets.iter().find(|a| a.name == name)
    }
}

/// One repository's releases.
pub struct Github<'a> {
    pub fetch: &'a Fetch,
    /// The client for API calls (with the Accept and token headers).
    pub api_client: &'a Client,
    pub api: &'a str,
    pub repo: &'a str,
}

impl Github<'_> {
    /// Every non-draft release, newest first as the API orders them. Pages are read
    /// through the cache as `?per_page=100&page=N` until a short page, or until a page
    /// holds a release `enough` accepts (an exact version needs no older pages).
    pub fn releases(&self, enough: &dyn Fn(&Release) -> bool) -> Result<Vec<Release>, Error> {
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            let url = format!(
                "{}/repos/{}/releases?per_page={PER_PAGE}&page={page}",
                self.api.trim_end_matches('/'),
                self.repo
            );
            let text = self.fetch.list(self.api_client, &url)?;
            let batch: Vec<Release> = serde_json::from_str(&text).map_err(|e| Error::BadIndex {
                url: url.clone(),
                reason: format!("not a release list: {e}"),
            })?;
            let len = batch.len();
            let done = batch.iter().any(enough);
            out.extend(batch.into_iter().filter(|r| !r.draft));
            if len < PER_PAGE || done {
                break;
            }
        }
        Ok(out)
    }

    /// The release tagged `tag`.
    pub fn release(&self, tag: &str) -> Result<Option<Release>, Error> {
        Ok(self.releases(&|r| r.tag_name == tag)?.into_iter().find(|r| r.tag_name == tag))
    }
}
