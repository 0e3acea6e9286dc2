//! What a den.lock entry may pin, checked against den.toml with no network: den.lock is
//! read from the repository, so it may narrow what den.toml allows (one exact version, one
//! artifact per platform) but never widen it. An entry resolved for a request (same spec,
//! same source: see `tools::locked_for`) is honoured only when
//! - its version is one den.toml's spec accepts (an alias such as `lts`, or `latest`, is
//!   checked when den resolves, not here);
//! - for a `url` tool, its URL is the one den.toml's template gives for that version and
//!   platform;
//! - when den.toml pins a `sha256`, its checksum is that one.
//!
//! `bin` entries are checked when the file is read (`format.rs`). Never resolves, never
//! touches the network or the disk.

use super::Mismatch;
use crate::catalog::{self, Platform};
use crate::project::ToolRequest;
use crate::resolve::{Resolved, Version, VersionSpec};

/// Every way the lock entry `locked` (for `platform`) asks for more than `req` allows.
pub fn vet(req: &ToolRequest, locked: &Resolved, platform: Platform) -> Vec<Mismatch> {
    let tool = || req.name.clone();
    let mut out = Vec::new();
    let spec = VersionSpec::parse(&req.version).ok();
    let version = Version::parse(&locked.version).ok();
    let accepted = match (&spec, &version) {
        (Some(VersionSpec::Latest | VersionSpec::Alias(_)), _) => true,
        (Some(spec), Some(v)) => spec.matches_with(v, crate::resolve::Prereleases::AsReleases),
        _ => false,
    };
    if !accepted {
        out.push(Mismatch::Version {
            tool: tool(),
            version: locked.version.clone(),
            spec: req.version.clone(),
        });
    }
    let Some(artifact) = locked.artifacts.get(&platform) else { return out };
    if req.url.is_some() {
        let expected = template_urls(req, &locked.version, spec.as_ref(), platform);
        if !expected.contains(&artifact.url) {
            let expected = expected.into_iter().next().unwrap_or_else(|| "no URL".into());
            out.push(Mismatch::Url { tool: tool(), locked: artifact.url.clone(), expected });
        }
    }
    if let Some(sha) = &req.sha256
        && !super::same_sha256(&artifact.checksum, sha)
    {
        out.push(Mismatch::Checksum {
            tool: tool(),
            locked: artifact.checksum.clone(),
            requested: sha.clone(),
        });
    }
    out
}

/// The URLs den.toml's `url` template gives for `version` on `platform`: rendered from the
/// locked version and, when the spec names that version with a prefix (`v1.2.3`), from
/// the spec's spelling too (a `{tag}` keeps the prefix). Empty when there is none.
fn template_urls(
    req: &ToolRequest,
    version: &str,
    spec: Option<&VersionSpec>,
    platform: Platform,
) -> Vec<String> {
    let Ok(source) =
        catalog::source_from_request(&req.name, req.source.as_deref(), req.url.as_deref(), None, &req.bin)
    else {
        return Vec::new();
    };
    let Some(target) = source.target(platform) else { return Vec::new() };
    let mut versions: Vec<Version> = Version::parse(version).into_iter().collect();
    if let Some(VersionSpec::Exact(v) | VersionSpec::Prefix(v)) = spec
        && v.bare() == version
    {
        versions.push(v.clone());
    }
    versions.iter().filter_map(|v| target.url(&target.vars(v))).collect()
}
