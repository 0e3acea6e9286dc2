//! What a den.lock entry may pin, checked against den.toml with no network: den.lock is
//! read from the repository, so it may narrow what den.toml allows (one exact version, one
//! artifact per platform) but never widen it. An entry resolved for a request (same spec,
//! same source: see `tools::locked_for`) is honoured only when
//! - its version is one den.toml's spec accepts (an alias such as `lts`, or `latest`, is
//!   checked when den resolves, not here);
//! - its URL is one the tool's declared source gives for that version and platform, where
//!   that is known without the network: a den.toml `url` template, or a built-in
//!   definition whose every source is a URL template (terraform, kubectl, helm, zig,
//!   python). GitHub releases, npm and PyPI name their files in documents den would have
//!   to fetch, so those URLs are the lock's (its checksum still binds the bytes);
//! - when den.toml pins a `sha256`, its checksum is that one.
//!
//! `bin` entries are checked when the file is read (`format.rs`). Never resolves, never
//! touches the network or the disk.

use super::Mismatch;
use crate::catalog::{self, Platform, SourceKind};
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
    if let Some(expected) = template_urls(req, &locked.version, spec.as_ref(), platform)
        && !expected.contains(&artifact.url)
    {
        let expected = expected.into_iter().next().unwrap_or_else(|| "no URL".into());
        out.push(Mismatch::Url { tool: tool(), locked: artifact.url.clone(), expected });
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

/// The URLs the tool's declared source can give for `version` on `platform`, when they are
/// known offline: every source is a URL template, and none of a built-in definition renders
/// a `{tag}` den cannot rebuild from the bare version. Rendered from the locked version and, when the spec
/// names that version with a prefix (`v1.2.3`), from the spec's spelling too. `None` when
/// they are not known (the URL is then not checked here).
fn template_urls(
    req: &ToolRequest,
    version: &str,
    spec: Option<&VersionSpec>,
    platform: Platform,
) -> Option<Vec<String>> {
    let from_request = req.url.is_some() || req.source.is_some();
    let sources = if from_request {
        let source = catalog::source_from_request(
            &req.name,
            req.source.as_deref(),
            req.url.as_deref(),
            None,
            &req.bin,
        );
        vec![source.ok()?]
    } else {
        catalog::get(&req.name).ok()?.sources
    };
    let mut versions: Vec<Version> = Version::parse(version).into_iter().collect();
    if let Some(VersionSpec::Exact(v) | VersionSpec::Prefix(v)) = spec
        && v.bare() == version
    {
        versions.push(v.clone());
    }
    let mut urls = Vec::new();
    for source in &sources {
        if source.kind != SourceKind::Url {
            return None;
        }
        // A source without a build for this platform gives no URL for it.
        let Some(target) = source.target(platform) else { continue };
        let template = target.url?;
        // A den.toml `url` takes the spec's own spelling as its tag (it has no version list).
        if !from_request && source.tag.is_none() && template.as_str().contains("{tag}") {
            return None;
        }
        urls.extend(versions.iter().map(|v| template.render(&target.vars(v))));
    }
    Some(urls)
}
