//! The TOML shape of a tool definition (also what a den.toml `source`/`url` override is
//! turned into), and its conversion to the typed model with every rule checked. Registry
//! hosts never appear: npm and PyPI sources are written `npm:<package>` / `pypi:<package>`.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Deserialize;

use super::model::{Alias, Bundle, Checksum, Override, PostInstall, Source, SourceKind, Tool, VersionList};
use super::template::{JsonPath, Template};
use crate::artifact::Format;
use crate::artifact::{Arch, Os, Platform};
use crate::version::Prereleases;

/// A whole catalog file: the upstream source's fields at the top, fallbacks after.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTool {
    description: String,
    #[serde(default)]
    aliases: BTreeMap<String, RawAlias>,
    /// Long-term-support lines, codename → major (node's `[lts]`).
    #[serde(default)]
    lts: BTreeMap<String, u64>,
    /// A runtime's home: variables set wherever the tool is (`JAVA_HOME = "{root}"`).
    #[serde(default)]
    env: BTreeMap<String, String>,
    /// Writable directories on PATH after the tool's binaries (`["{home}/{version}/bin"]`).
    #[serde(default)]
    path: Vec<String>,
    #[serde(flatten)]
    source: RawSource,
    #[serde(default)]
    fallback: Vec<RawSource>,
}

/// One source. Every field is optional; which ones are required depends on `source`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    source: Option<String>,
    url: Option<String>,
    sha256: Option<String>,
    versions: Option<RawVersions>,
    tag: Option<String>,
    asset: Option<String>,
    format: Option<String>,
    #[serde(default)]
    bin: Vec<String>,
    checksum: Option<RawChecksum>,
    os: Option<BTreeMap<String, String>>,
    arch: Option<BTreeMap<String, String>>,
    #[serde(default)]
    platform: BTreeMap<String, RawOverride>,
    #[serde(default)]
    prereleases_as_releases: bool,
    #[serde(default)]
    post_install: Vec<RawPostInstall>,
    #[serde(default)]
    bundle: Vec<RawBundle>,
}

/// An npm package installed into the tool's directory (node's npm and corepack).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBundle {
    package: String,
    into: String,
    links: BTreeMap<String, String>,
    lines: BTreeMap<String, String>,
    newer: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersions {
    github: Option<String>,
    asset: Option<String>,
    json: Option<String>,
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawChecksum {
    Word(String),
    Table(RawChecksumTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecksumTable {
    url: Option<String>,
    asset: Option<String>,
    json: Option<String>,
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawAlias {
    Spec(String),
    Flag { flag: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    os: Option<String>,
    arch: Option<String>,
    asset: Option<String>,
    url: Option<String>,
    bin: Option<Vec<String>>,
    format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawPostInstall {
    Chmod(String),
    Rename { from: String, to: String },
    Symlink { link: String, target: String },
    SymlinksFromJson { file: String, base: String },
    OtpInstall(String),
}

fn template(text: &str) -> Result<Template, String> {
    Template::new(text)
}

fn templates(list: &[String]) -> Result<Vec<Template>, String> {
    list.iter().map(|t| template(t)).collect()
}

fn format_word(word: Option<String>) -> Result<Option<String>, String> {
    match word {
        Some(w) if !Format::WORDS.contains(&w.as_str()) => {
            Err(format!("unknown format `{w}` (known: {})", Format::WORDS.join(", ")))
        }
        other => Ok(other),
    }
}

impl RawTool {
    pub(super) fn into_tool(self, name: &str) -> Result<Tool, String> {
        let mut sources = vec![self.source.into_source().map_err(|e| format!("source: {e}"))?];
        for (i, raw) in self.fallback.into_iter().enumerate() {
            sources.push(raw.into_source().map_err(|e| format!("fallback {}: {e}", i + 1))?);
        }
        let mut aliases = IndexMap::new();
        for (alias, raw) in self.aliases {
            let alias_value = match raw {
                RawAlias::Spec(spec) => Alias::Spec(spec),
                RawAlias::Flag { flag } => {
                    if !matches!(sources[0].versions, VersionList::Json { .. } | VersionList::Adoptium) {
                        return Err(format!(
                            "alias `{alias}` reads a flag, but versions are not a JSON index"
                        ));
                    }
                    Alias::Flag(flag)
                }
            };
            aliases.insert(alias, alias_value);
        }
        if let Some(bad) =
            self.lts.keys().find(|k| k.is_empty() || !k.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(format!("lts codename `{bad}` is not a lowercase word"));
        }
        let env =
            self.env.iter().map(|(k, v)| super::home::HomeVar::new(k, v)).collect::<Result<Vec<_>, _>>()?;
        let mut path = Vec::new();
        for entry in &self.path {
            let value = super::home::HomeValue::new(entry)?;
            value.check_path_entry()?;
            path.push(value);
        }
        Ok(Tool {
            name: name.to_string(),
            description: self.description,
            sources,
            aliases,
            lts: self.lts,
            env,
            path,
        })
    }
}

impl RawSource {
    /// The fields a den.toml tool table can set.
    pub(super) fn from_request(
        source: Option<&str>,
        url: Option<&str>,
        sha256: Option<&str>,
        bin: Vec<String>,
    ) -> Self {
        RawSource {
            source: source.map(str::to_string),
            url: url.map(str::to_string),
            sha256: sha256.map(str::to_string),
            bin,
            ..Default::default()
        }
    }

    /// Checks and converts one source.
    pub(super) fn into_source(self) -> Result<Source, String> {
        let kind = match self.source.as_deref() {
            None if self.url.is_some() => SourceKind::Url,
            None => return Err("needs `source` (github:, npm:, pypi:) or `url`".into()),
            Some(text) => match text.split_once(':') {
                Some(("github", repo)) if repo.split('/').count() == 2 && !repo.contains(['{', ' ']) => {
                    SourceKind::Github { repo: repo.to_string() }
                }
                Some(("aqua", package))
                    if package.split('/').count() >= 2
                        && package.split('/').all(|p| !p.is_empty() && p != "..")
                        && !package.contains(['{', ' ', '\\']) =>
                {
                    SourceKind::Aqua { package: package.to_string() }
                }
                Some(("npm", package)) if !package.is_empty() => {
                    SourceKind::Npm { package: template(package)? }
                }
                Some(("pypi", package)) if !package.is_empty() => {
                    SourceKind::Pypi { package: package.to_string() }
                }
                Some(("adoptium", api)) if api.starts_with("https://") || api.starts_with("http://") => {
                    SourceKind::Adoptium { api: api.trim_end_matches('/').to_string() }
                }
                Some(("dotnet", base)) if base.starts_with("https://") || base.starts_with("http://") => {
                    SourceKind::Dotnet { base: base.trim_end_matches('/').to_string() }
                }
                Some(("rustdist", base)) if base.starts_with("https://") || base.starts_with("http://") => {
                    SourceKind::RustDist { base: base.trim_end_matches('/').to_string() }
                }
                Some(("hexbuilds", base)) if base.starts_with("https://") || base.starts_with("http://") => {
                    SourceKind::HexBuilds { base: base.trim_end_matches('/').to_string() }
                }
                _ => {
                    return Err(format!(
                        "`{text}` is not `github:owner/repo`, `aqua:owner/name`, `npm:<package>`, `pypi:<package>`, `adoptium:<api url>`, `dotnet:<metadata url>`, `rustdist:<dist server url>` or `hexbuilds:<build directory url>`"
                    ));
                }
            },
        };
        let versions = match (self.versions, &kind) {
            (Some(v), _) => match (v.github, v.asset, v.json, v.path) {
                (Some(repo), None, None, None) => VersionList::GithubTags { repo },
                (Some(repo), Some(asset), None, None) => VersionList::GithubAssets { repo, asset: template(&asset)? },
                (None, None, Some(url), Some(path)) => VersionList::Json { url: template(&url)?, path: JsonPath::new(&path)? },
                _ => return Err("`versions` is `{ github = .. }`, `{ github = .., asset = .. }` or `{ json = .., path = .. }`".into()),
            },
            (None, SourceKind::Github { repo }) => VersionList::GithubTags { repo: repo.clone() },
            // The registry names the repository; `Resolver::tool` puts it here.
            (None, SourceKind::Aqua { package }) => {
                VersionList::GithubTags { repo: package.split('/').take(2).collect::<Vec<_>>().join("/") }
            }
            (None, SourceKind::Npm { .. }) => VersionList::Npm,
            (None, SourceKind::Pypi { .. }) => VersionList::Pypi,
            (None, SourceKind::Adoptium { .. }) => VersionList::Adoptium,
            (None, SourceKind::Dotnet { .. }) => VersionList::Dotnet,
            (None, SourceKind::RustDist { .. }) => VersionList::RustDist,
            (None, SourceKind::HexBuilds { .. }) => VersionList::HexBuilds,
            (None, SourceKind::Url) => VersionList::ExactOnly,
        };
        let checksum = match (self.checksum, self.sha256, &kind) {
            (Some(_), Some(_), _) => return Err("give either `checksum` or `sha256`".into()),
            (None, Some(hex), _) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Checksum::Sha256(hex.to_ascii_lowercase())
            }
            (None, Some(hex), _) => return Err(format!("`sha256 = \"{hex}\"` is not 64 hexadecimal digits")),
            (Some(RawChecksum::Word(w)), None, _) if w == "none" => Checksum::None,
            (Some(RawChecksum::Word(w)), None, _) => {
                return Err(format!("checksum `{w}`: write `\"none\"` or a table"));
            }
            (Some(RawChecksum::Table(t)), None, _) => match (t.url, t.asset, t.json, t.path) {
                (Some(url), None, None, None) => Checksum::Url(template(&url)?),
                (None, Some(asset), None, None) if matches!(kind, SourceKind::Github { .. }) => {
                    Checksum::Asset(template(&asset)?)
                }
                (None, None, Some(url), Some(path)) => {
                    Checksum::Json { url: template(&url)?, path: JsonPath::new(&path)? }
                }
                _ => return Err(
                    "`checksum` is `{ url = .. }`, `{ asset = .. }` (GitHub) or `{ json = .., path = .. }`"
                        .into(),
                ),
            },
            (None, None, SourceKind::Github { .. }) => Checksum::Auto,
            (
                None,
                None,
                SourceKind::Npm { .. }
                | SourceKind::Pypi { .. }
                | SourceKind::Adoptium { .. }
                | SourceKind::Dotnet { .. }
                | SourceKind::RustDist { .. }
                | SourceKind::HexBuilds { .. },
            ) => Checksum::Registry,
            (None, None, SourceKind::Url) => Checksum::None,
            // The registry's checksum file, read with the definition (`resolve::aqua`).
            (None, None, SourceKind::Aqua { .. }) => Checksum::None,
        };
        if matches!(kind, SourceKind::Url) && self.url.is_none() {
            return Err("a url source needs `url`".into());
        }
        let os = spellings(self.os, |k| match k {
            "linux" => Some(Os::Linux),
            "darwin" => Some(Os::Darwin),
            _ => None,
        })?
        .unwrap_or_else(|| {
            [Os::Linux, Os::Darwin].map(|o| (o, o.as_str().to_string())).into_iter().collect()
        });
        let arch = spellings(self.arch, |k| match k {
            "x64" => Some(Arch::X64),
            "arm64" => Some(Arch::Arm64),
            _ => None,
        })?
        .unwrap_or_else(|| {
            [Arch::X64, Arch::Arm64].map(|a| (a, a.as_str().to_string())).into_iter().collect()
        });
        let mut overrides = IndexMap::new();
        for (key, o) in self.platform {
            let platform: Platform = key.parse()?;
            overrides.insert(
                platform,
                Override {
                    os: o.os,
                    arch: o.arch,
                    asset: o.asset.as_deref().map(template).transpose()?,
                    url: o.url.as_deref().map(template).transpose()?,
                    bin: o.bin.as_deref().map(templates).transpose()?,
                    format: format_word(o.format)?,
                },
            );
        }
        let post_install = self.post_install.into_iter().map(post_install).collect::<Result<_, _>>()?;
        if !self.bundle.is_empty() && !matches!(kind, SourceKind::Npm { .. }) {
            return Err("`bundle` needs an npm source (bundled packages come from its registry)".into());
        }
        let bundles = self.bundle.into_iter().map(bundle).collect::<Result<_, _>>()?;
        Ok(Source {
            kind,
            versions,
            tag: self.tag.as_deref().map(template).transpose()?,
            asset: self.asset.as_deref().map(template).transpose()?,
            url: self.url.as_deref().map(template).transpose()?,
            format: format_word(self.format)?,
            bin: templates(&self.bin)?,
            checksum,
            os,
            arch,
            overrides,
            prereleases: if self.prereleases_as_releases {
                Prereleases::AsReleases
            } else {
                Prereleases::OnlyWhenNamed
            },
            post_install,
            bundles,
        })
    }
}

fn bundle(raw: RawBundle) -> Result<Bundle, String> {
    let spec = |s: &str| {
        crate::version::VersionSpec::parse(s).map_err(|e| format!("bundle `{}`: {e}", raw.package))?;
        Ok::<_, String>(s.to_string())
    };
    let mut lines = BTreeMap::new();
    for (major, s) in &raw.lines {
        let major: u64 =
            major.parse().map_err(|_| format!("bundle `{}`: `{major}` is not a major", raw.package))?;
        lines.insert(major, spec(s)?);
    }
    let newer = raw.newer.as_deref().map(spec).transpose()?;
    Ok(Bundle {
        package: raw.package.clone(),
        into: raw.into,
        links: raw.links.into_iter().collect(),
        lines,
        newer,
    })
}

fn spellings<K: std::hash::Hash + Eq>(
    map: Option<BTreeMap<String, String>>,
    key: impl Fn(&str) -> Option<K>,
) -> Result<Option<IndexMap<K, String>>, String> {
    let Some(map) = map else { return Ok(None) };
    let mut out = IndexMap::new();
    for (k, v) in map {
        out.insert(key(&k).ok_or_else(|| format!("`{k}` is not an os or arch den knows"))?, v);
    }
    Ok(Some(out))
}

fn post_install(raw: RawPostInstall) -> Result<PostInstall, String> {
    Ok(match raw {
        RawPostInstall::Chmod(path) => PostInstall::Chmod(template(&path)?),
        RawPostInstall::Rename { from, to } => {
            PostInstall::Rename { from: template(&from)?, to: template(&to)? }
        }
        RawPostInstall::Symlink { link, target } => {
            PostInstall::Symlink { link: template(&link)?, target: template(&target)? }
        }
        RawPostInstall::SymlinksFromJson { file, base } => {
            PostInstall::SymlinksFromJson { file: template(&file)?, base: template(&base)? }
        }
        RawPostInstall::OtpInstall(dir) => PostInstall::OtpInstall(template(&dir)?),
    })
}
