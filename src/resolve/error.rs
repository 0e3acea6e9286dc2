//! The resolver's failures, each naming the tool (and version, platform, URL) it is about,
//! with a `help()` saying what the user can do.

use super::registry::Ecosystem;
use super::spec::SpecError;
use crate::catalog::{self, Platform};
use crate::store::http;

/// Why a tool request could not be turned into exact artifacts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Neither a built-in definition nor a den.toml `source`/`url`.
    #[error("den has no built-in definition of `{name}`")]
    UnknownTool { name: String, suggestions: Vec<String> },
    /// A definition (built-in or den.toml override) that does not hold together.
    #[error(transparent)]
    Catalog(catalog::Error),
    #[error("{source} (tool `{tool}`)")]
    BadSpec {
        tool: String,
        #[source]
        source: SpecError,
    },
    #[error("`{tool}` has no version alias `{alias}`")]
    UnknownAlias { tool: String, alias: String, known: Vec<String> },
    #[error(
        "no release of {tool} matches `{spec}` for {platform}{} — see `den ls-remote {tool}`",
        newest_note(newest)
    )]
    NoMatch { tool: String, spec: String, platform: Platform, newest: Vec<String> },
    /// The upstream answered 404 for a file of this exact version.
    #[error("{tool} {version} does not exist upstream ({url} was not found){}", newest_note(newest))]
    NoSuchVersion { tool: String, version: String, url: String, newest: Vec<String> },
    #[error("{tool} {version} has no build for {platform} ({why})")]
    NoArtifact { tool: String, version: String, platform: Platform, why: String },
    #[error("`{tool}` comes from a URL with no version list, so `{spec}` cannot be looked up")]
    NeedsExact { tool: String, spec: String },
    #[error("no {ecosystem} registry is configured")]
    NoRegistry { ecosystem: Ecosystem },
    #[error("`{value}` from {from} is not an http(s) URL")]
    BadRegistry { value: String, from: String },
    /// A version list or package document that is not shaped as expected.
    #[error("unexpected answer from {url}: {reason}")]
    BadIndex { url: String, reason: String },
    #[error("den has no builds for this machine ({os}-{arch})")]
    UnsupportedHost { os: String, arch: String },
    #[error(transparent)]
    Http(#[from] http::Error),
}

fn newest_note(newest: &[String]) -> String {
    if newest.is_empty() {
        " (it lists no versions)".into()
    } else {
        format!(" (newest: {})", newest.join(", "))
    }
}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            Error::UnknownTool { name, suggestions } => {
                let give = format!(
                    "give `{name}` a `source` (github:owner/repo, npm:<package>, pypi:<package>) or a `url` in den.toml"
                );
                Some(match suggestions.as_slice() {
                    [] => give,
                    list => format!(
                        "did you mean {}? Otherwise {give}",
                        list.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")
                    ),
                })
            }
            Error::Catalog(e) => e.help(),
            Error::BadSpec { source, .. } => source.help(),
            Error::UnknownAlias { known, .. } if known.is_empty() => {
                Some("this tool defines no aliases: write a version or a range".into())
            }
            Error::UnknownAlias { known, .. } => Some(format!("the aliases it knows: {}", known.join(", "))),
            Error::NoMatch { tool, .. } => {
                Some(format!("pick a listed version (`den ls-remote {tool}`) or widen the spec in den.toml"))
            }
            Error::NoSuchVersion { tool, .. } => {
                Some(format!("check the version against `den ls-remote {tool}` and fix it in den.toml"))
            }
            Error::NoArtifact { .. } => Some(
                "pick a version that has a build for this platform, or give the tool a `url` in den.toml"
                    .into(),
            ),
            Error::NeedsExact { .. } => Some("write the exact version (e.g. `1.2.3`) in den.toml".into()),
            Error::NoRegistry { ecosystem } => Some(ecosystem.settings().into()),
            Error::BadRegistry { .. } => {
                Some("write the registry as a full URL such as https://<host>/".into())
            }
            Error::BadIndex { .. } => Some(
                "the source or a mirror answered something else; check `[mirrors]` and `[sources]`".into(),
            ),
            Error::UnsupportedHost { .. } => Some("den supports linux and macOS on x86_64 and arm64".into()),
            Error::Http(e) => e.help(),
        }
    }
}
