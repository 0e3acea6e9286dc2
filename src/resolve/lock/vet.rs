//! What a den.lock entry may pin, checked against den.toml with no network: den.lock is
//! read from the repository, so it may narrow what den.toml allows (one exact version, one
//! artifact per platform) but never widen it. An entry resolved for a request (same spec,
//! same source: see `tools::locked_for`) is honoured only when
//! - its version is one den.toml's spec accepts (an alias such as `lts`, or `latest`, is
//!   checked when den resolves, not here);
//! - its URL is one the tool's declared source can give for that version and platform, as
//!   far as that is known without the network (a source with fallbacks accepts a URL of
//!   any of them):
//!   - a URL template (a den.toml `url`, or a built-in definition's): exactly the rendered
//!     URL;
//!   - `github:owner/repo`: a release asset of that repository, on the GitHub host den is
//!     configured for (`[sources] github_api` or DEN_GITHUB_API, its `api.` dropped; and
//!     the public GitHub when `[mirrors]` rewrites its URLs, as an API mirror names them):
//!     `<host>/<owner>/<repo>/releases/download/<tag>/<file>`, owner and repository
//!     compared without case as GitHub does (one leading host-name segment is allowed, the
//!     layout of a proxy that serves several hosts under their names);
//!   - `npm:<package>`: under the configured npm registry's base URL, in the package's
//!     own path (`<registry>/<package>/-/`). The registry is found as the resolver finds
//!     it, except that `npm config get registry` is never run here: its cached answer is
//!     used, and when there is none the npm URL is not checked;
//!   - `adoptium:<api>` (java): a release asset of `adoptium/temurin<major>-binaries` on the
//!     public GitHub (or under a `[mirrors]` rewrite of it); a den.toml's own Adoptium API
//!     is not checked;
//!   - `aqua:<package>`: exactly the file the pinned aqua registry's definition names for
//!     that version (its tag spelled as the version, with a `v`, as the spec, or as the
//!     locked release URL spells it) and platform: a release asset of the package's
//!     repository on the GitHub host above, or its `url` template's expansion. The registry
//!     is read from den's cache only (`sources::aqua::load` on an offline client, its
//!     digest checked); when it is not there the entry is refused, not taken unchecked
//!     (`den install` online fetches the registry before vetting, `tools::sync`);
//!   - `dotnet:<metadata>`: not checked, as the metadata names hosts of its own choosing;
//!   - `hexbuilds:<directory>` (erlang, elixir): exactly the build's archive in the build
//!     directory (`OTP-<v>.tar.gz`, `v<v>-otp-<major>.zip`);
//!   - `rustdist:<server>` (rust): not checked, as its manifests name dated paths; a
//!     toolchain component (`Step::Component`) must be one the built-in definition's
//!     dist source installs (`sources::rustdist`), its checksum binding its bytes;
//!   - `pypi:<package>`: not checked here. The index names files on another host than its
//!     own, which no configuration predicts; instead, before installing an entry den has not
//!     vouched for, `Resolver::vet_pypi_files` asks the index itself (its cached project
//!     pages) and requires every wheel's URL and checksum, the tool's own and each
//!     dependency wheel's, to be the index's for that file name (`tools::vet_pypi_files`).
//!
//!   URLs with `..`/`.` segments, encoded slashes or dots, backslashes, a query or a
//!   fragment never match a GitHub or npm rule: they can name another file than they seem to;
//! - when den.toml pins a `sha256`, its checksum is that one;
//! - a package installed into the tool (`Step::Package`, node's bundled npm) is one the
//!   tool's built-in definition bundles, at its place, from under that package's path in the
//!   configured npm registry (`<registry>/<package>/-/`, when the registry is known).
//!
//! `bin` entries are checked when the file is read (`format.rs`). Never resolves, never
//! touches the network and never runs a program; it reads den's config (and the npm
//! configuration files) only when an entry has a GitHub or npm source to check.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::Mismatch;
use crate::catalog::{self, Platform, Source, SourceKind};
use crate::config::{Config, Sources};
use crate::project::ToolRequest;
use crate::resolve::aqua::{self, Location, Registry};
use crate::resolve::mirror::Mirrors;
use crate::resolve::registry::{self, Discovery};
use crate::resolve::sources::{Fetch, github};
use crate::resolve::{Resolved, Version, VersionSpec};

/// Where `github:` and `npm:` sources live on this machine: den's `[sources]` and
/// `[mirrors]` config (handed in by the caller, which has read it already), its environment
/// and the npm configuration files (read the first time an entry needs them).
pub struct Upstreams {
    project: Option<PathBuf>,
    known: Known,
    /// The aqua registry release den.toml's `aqua:` sources are read from.
    aqua_pin: crate::resolve::sources::aqua::Pin,
    /// Its cached copy (read the first time an `aqua:` entry needs it; `None`: not cached).
    aqua: OnceLock<Option<Arc<Registry>>>,
    /// Where the cache is (an offline client: it never makes a request).
    http: crate::http::Settings,
    mirrors: Mirrors,
    /// Whether the checked entries may be downloaded (`false` for `tools::locate`, which
    /// only uses artifacts already in the store: their key is the checksum den verified
    /// when it installed them, so the costly aqua URL rule waits for an install).
    downloads: bool,
}

/// What of den's config the checks use.
struct Known {
    sources: Sources,
    /// The upstream prefixes `[mirrors]` rewrites, lowercase.
    mirrored: Vec<String>,
}

impl Known {
    fn of(config: &Config) -> Known {
        let mirrored = config.mirrors.keys().map(|k| k.to_ascii_lowercase()).collect();
        Known { sources: config.sources.clone(), mirrored }
    }
}

impl Upstreams {
    /// This machine's, with den's `config`, for the project at `project` (its `.npmrc`).
    pub fn with_config(config: &Config, project: Option<&Path>) -> Upstreams {
        Upstreams {
            project: project.map(Path::to_path_buf),
            known: Known::of(config),
            aqua_pin: crate::resolve::sources::aqua::Pin::of(config.aqua.as_ref()),
            aqua: OnceLock::new(),
            http: config.http_settings(true),
            mirrors: Mirrors::from_config(config),
            downloads: true,
        }
    }

    /// These upstreams for checks of a lock whose artifacts are only used when already in
    /// the store (nothing is downloaded on their word): the prompt and `den export` never
    /// parse the aqua registry.
    pub fn installed_only(self) -> Upstreams {
        Upstreams { downloads: false, ..self }
    }

    /// The pinned aqua registry from den's cache, its digest checked; `None` when den has
    /// not fetched it on this machine (never fetched here).
    fn aqua_registry(&self) -> Option<&Registry> {
        self.aqua
            .get_or_init(|| {
                let client = crate::http::Client::new(self.http.clone());
                let fetch = Fetch { client, mirrors: self.mirrors.clone() };
                crate::resolve::sources::aqua::load(&fetch, &self.aqua_pin).ok()
            })
            .as_deref()
    }

    fn known(&self) -> Option<&Known> {
        Some(&self.known)
    }

    fn sources(&self) -> Option<&Sources> {
        self.known().map(|k| &k.sources)
    }

    /// Whether `[mirrors]` rewrites URLs of `origin` (`scheme://host`): den then fetches
    /// from that host (through the mirror) even when its API is elsewhere.
    fn mirrors(&self, origin: &str) -> bool {
        self.known().is_some_and(|k| {
            k.mirrored
                .iter()
                .any(|m| m.trim_end_matches('/') == origin || m.starts_with(&format!("{origin}/")))
        })
    }

    /// The GitHub API base, as the resolver chooses it.
    fn github_api(&self) -> Option<String> {
        let from_env =
            || std::env::var(crate::env_vars::DEN_GITHUB_API).ok().filter(|v| !v.trim().is_empty());
        let api = self.sources()?.github_api.clone().or_else(from_env);
        Some(api.unwrap_or_else(|| github::DEFAULT_API.into()).trim().to_string())
    }

    /// The npm registry for `package`, as the resolver finds it but without running npm
    /// (its cached answer only); `None` when not known.
    fn npm_registry(&self, package: &str) -> Option<String> {
        let mut discovery = Discovery::system(self.project.as_deref());
        discovery.run = Box::new(registry::cached_output_only);
        registry::npm_registry(self.sources()?, &discovery, package).ok().map(|found| found.url)
    }
}

/// Every way the lock entry `locked` (for `platform`) asks for more than `req` allows.
pub fn vet(req: &ToolRequest, locked: &Resolved, platform: Platform, upstreams: &Upstreams) -> Vec<Mismatch> {
    let tool = || req.name.clone();
    let mut out = Vec::new();
    let spec = VersionSpec::parse(&req.version).ok();
    let version = Version::parse(&locked.version).ok();
    let accepted = match (&spec, &version) {
        (Some(VersionSpec::Latest | VersionSpec::Alias(_)), _) => true,
        (Some(spec), Some(v)) => spec.matches_with(v, crate::version::Prereleases::AsReleases),
        _ => false,
    };
    if !accepted {
        out.push(Mismatch::Version {
            tool: tool(),
            version: locked.version.clone(),
            spec: req.version.clone(),
        });
    }
    // `system` pins nothing to download: an entry that says so for a tool den.toml wants
    // from elsewhere, or that carries a URL, widens den.toml.
    let system = crate::project::parse::SYSTEM;
    let wants_system = req.source.as_deref() == Some(system);
    if (locked.source == system) != wants_system {
        let requested = super::request_source(req);
        out.push(Mismatch::Source { tool: tool(), locked: locked.source.clone(), requested });
    }
    if wants_system {
        if let Some(artifact) = locked.artifacts.values().next() {
            let expected = "nothing to download (a system tool)".to_string();
            out.push(Mismatch::Url { tool: tool(), locked: artifact.url.clone(), expected });
        }
        return out;
    }
    let Some(artifact) = locked.artifacts.get(&platform) else { return out };
    if let Some(rules) = url_rules(req, &locked.version, spec.as_ref(), platform, &artifact.url, upstreams)
        && !rules.iter().any(|rule| rule.accepts(&artifact.url))
    {
        let expected = rules.first().map(Rule::shown).unwrap_or_else(|| "no URL".into());
        out.push(Mismatch::Url { tool: tool(), locked: artifact.url.clone(), expected });
    }
    for step in &artifact.post_install {
        if let Some(problem) = bundled_problem(req, step, upstreams) {
            out.push(Mismatch::Url { tool: tool(), locked: problem.0, expected: problem.1 });
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

/// Why a `Step::Package` (a package installed into the tool, node's npm) is not one the
/// tool's definition bundles, as `(locked URL, expected)`: the package and its place must be
/// a bundle of the catalog's definition, and its URL under that package's path in the
/// configured npm registry (when the registry is known without running npm).
fn bundled_problem(
    req: &ToolRequest,
    step: &crate::resolve::Step,
    upstreams: &Upstreams,
) -> Option<(String, String)> {
    if let crate::resolve::Step::Component { name, url, .. } = step {
        let known = crate::resolve::sources::rustdist::REQUIRED
            .iter()
            .chain(crate::resolve::sources::rustdist::OPTIONAL)
            .any(|c| c == name);
        let dist = catalog::get(&req.name)
            .ok()
            .is_some_and(|tool| tool.sources.iter().any(|s| matches!(s.kind, SourceKind::RustDist { .. })));
        return (!known || !dist || req.source.is_some() || req.url.is_some()).then(|| {
            (url.clone(), format!("no component `{name}` (den.toml's `{}` installs none)", req.name))
        });
    }
    let crate::resolve::Step::Package { name, url, into, .. } = step else { return None };
    let bundles = catalog::get(&req.name).ok().is_some_and(|tool| {
        tool.sources.iter().any(|s| s.bundles.iter().any(|b| &b.package == name && &b.into == into))
    });
    // An npm application's dependency, in its own `node_modules` under its name.
    let dependency = req.source.as_deref().is_some_and(|s| s.starts_with("npm:"))
        && req.bin.is_empty()
        && into.strip_prefix("package/").is_some_and(|dir| in_node_modules(dir, name));
    // A Python application's dependency: a wheel into `lib/`.
    let wheel = req.source.as_deref().is_some_and(|s| s.starts_with("pypi:"))
        && req.bin.is_empty()
        && into == "lib"
        && url.ends_with(".whl");
    if wheel {
        return None;
    }
    if !bundles && !dependency {
        return Some((
            url.clone(),
            format!("no package `{name}` at `{into}` (den.toml's `{}` bundles none)", req.name),
        ));
    }
    let rule =
        Rule::Npm { prefix: format!("{}/{name}/-/", upstreams.npm_registry(name)?.trim_end_matches('/')) };
    (!rule.accepts(url)).then(|| (url.clone(), rule.shown()))
}

/// Whether `dir` is `node_modules/<name>`, maybe nested in other packages' `node_modules`.
fn in_node_modules(dir: &str, name: &str) -> bool {
    let Some(parent) = dir.strip_suffix(&format!("node_modules/{name}")) else { return false };
    parent.is_empty() || (parent.starts_with("node_modules/") && parent.ends_with('/'))
}

/// What a URL of one source must be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// Exactly this (a rendered URL template).
    Exact(String),
    /// A release asset of `owner/repo` on one of `hosts` (`scheme://authority`, lowercase);
    /// when `file` is `(tag, asset)`, that asset of that release only.
    Github { hosts: Vec<String>, owner: String, repo: String, file: Option<(String, String)> },
    /// Nothing: why no URL is known (shown as what was expected).
    Unknown(String),
    /// Under `prefix` (`<registry>/<package>/-/`).
    Npm { prefix: String },
}

impl Rule {
    fn accepts(&self, url: &str) -> bool {
        match self {
            Rule::Exact(exact) => exact == url,
            Rule::Unknown(_) => false,
            Rule::Github { hosts, owner, repo, file } => {
                let Some((origin, path)) = split_url(url) else { return false };
                if !plain_path(path) || !hosts.contains(&origin.to_ascii_lowercase()) {
                    return false;
                }
                let segments: Vec<&str> = path.split('/').skip(1).collect();
                let release_of_repo = |s: &[&str]| {
                    s.len() >= 6
                        && s[0].eq_ignore_ascii_case(owner)
                        && s[1].eq_ignore_ascii_case(repo)
                        && s[2] == "releases"
                        && s[3] == "download"
                        && s[4..].iter().all(|part| !part.is_empty())
                        && file.as_ref().is_none_or(|(tag, asset)| s[4..] == [tag.as_str(), asset.as_str()])
                };
                let host_like = |s: &str| {
                    !s.is_empty()
                        && s.contains('.')
                        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
                };
                release_of_repo(&segments)
                    || (segments.first().is_some_and(|s| host_like(s)) && release_of_repo(&segments[1..]))
            }
            Rule::Npm { prefix } => {
                url.len() > prefix.len()
                    && url.is_char_boundary(prefix.len())
                    && url[..prefix.len()].eq_ignore_ascii_case(prefix)
                    && split_url(url).is_some_and(|(_, path)| plain_path(path))
            }
        }
    }

    /// The rule as a message shows it.
    fn shown(&self) -> String {
        match self {
            Rule::Exact(url) => url.clone(),
            Rule::Github { hosts, owner, repo, file } => {
                let host = hosts.first().map_or("", String::as_str);
                match file {
                    Some((tag, asset)) => format!("{host}/{owner}/{repo}/releases/download/{tag}/{asset}"),
                    None => format!("{host}/{owner}/{repo}/releases/download/…"),
                }
            }
            Rule::Unknown(why) => why.clone(),
            Rule::Npm { prefix } => format!("{prefix}…"),
        }
    }
}

/// `scheme://authority` and the path (from its `/`) of an http(s) URL.
fn split_url(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let at = rest.find('/')?;
    let cut = url.len() - rest.len() + at;
    Some((&url[..cut], &url[cut..]))
}

/// Whether a URL path names the file it seems to: no dot segments, encoded slash, dot or
/// backslash, no backslash, query or fragment, no empty segment.
fn plain_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !path.contains(['?', '#', '\\'])
        && !["%2f", "%2e", "%5c"].iter().any(|bad| lower.contains(bad))
        && path.split('/').skip(1).all(|s| !s.is_empty() && s != "." && s != "..")
}

/// The download origins of the GitHub whose API is `api`: its own, and without a leading
/// `api.` (`https://api.<host>` serves downloads from `https://<host>`; GitHub Enterprise
/// serves both from one host).
fn github_hosts(api: &str) -> Option<Vec<String>> {
    let api = api.to_ascii_lowercase();
    let origin = split_url(&api).map_or(api.as_str(), |(origin, _)| origin);
    let (scheme, authority) = origin.split_once("://")?;
    let mut hosts = vec![origin.to_string()];
    if let Some(bare) = authority.strip_prefix("api.") {
        hosts.insert(0, format!("{scheme}://{bare}"));
    }
    Some(hosts)
}

/// What the tool's declared sources allow its URL on `platform` to be, for `version`,
/// when that is known offline. Templates are rendered from the locked version and, when
/// the spec names that version with a prefix (`v1.2.3`), from the spec's spelling too.
/// `None` when some source's URL is not known (the URL is then not checked here).
fn url_rules(
    req: &ToolRequest,
    version: &str,
    spec: Option<&VersionSpec>,
    platform: Platform,
    url: &str,
    upstreams: &Upstreams,
) -> Option<Vec<Rule>> {
    let from_request = req.url.is_some() || req.source.is_some();
    let sources = catalog::sources_of(&req.name, req.source.as_deref(), req.url.as_deref(), &req.bin)?;
    let mut versions: Vec<Version> = Version::parse(version).into_iter().collect();
    if let Some(VersionSpec::Exact(v) | VersionSpec::Prefix(v)) = spec
        && v.bare() == version
    {
        versions.push(v.clone());
    }
    let mut rules = Vec::new();
    for source in &sources {
        // A source without a build for this platform gives no URL for it.
        if source.target(platform).is_none() {
            continue;
        }
        rules.extend(source_rules(source, from_request, &versions, platform, url, upstreams)?);
    }
    Some(rules)
}

/// The origins GitHub release assets are downloaded from, as the resolver is configured:
/// the API's GitHub, and the public one when `[mirrors]` rewrites it (an API mirror then
/// names public download URLs).
fn release_hosts(upstreams: &Upstreams) -> Option<Vec<String>> {
    let mut hosts = github_hosts(&upstreams.github_api()?)?;
    let public = github_hosts(github::DEFAULT_API)?.remove(0);
    if !hosts.contains(&public) && upstreams.mirrors(&public) {
        hosts.push(public);
    }
    Some(hosts)
}

/// The tags a release of `versions` may have: the release tag segment of the locked `url`
/// when it names one of them (`cli-v1.2.3`; first, so a refusal shows that release), each
/// with a `v` (the common spelling, shown otherwise), and as spelled.
fn tags(versions: &[Version], url: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    let in_url = split_url(url)
        .and_then(|(_, path)| path.split_once("/releases/download/"))
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(tag, _)| tag.to_string());
    for v in versions {
        let named = in_url.clone().filter(|t| Version::parse(t).is_ok_and(|t| t.bare() == v.bare()));
        let spelled = [format!("v{}", v.bare()), v.as_str().to_string(), v.bare().to_string()];
        for tag in named.into_iter().chain(spelled) {
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
    }
    tags
}

/// What the aqua `registry`'s definition of `package` names for each of `tags` on
/// `platform`: that release asset of its repository on `hosts`, or its URL.
fn aqua_rules(
    registry: &Registry,
    package: &str,
    tags: &[String],
    platform: Platform,
    hosts: &[String],
) -> Vec<Rule> {
    let Some(found) = registry.get(package) else { return Vec::new() };
    tags.iter()
        .filter_map(|tag| aqua::render::render(found, tag, platform).ok().map(|r| (tag, r)))
        .filter_map(|(tag, rendered)| match rendered.artifact {
            Location::Url(url) => Some(Rule::Exact(url)),
            Location::Release { repo, asset } => {
                let (owner, repo) = repo.split_once('/')?;
                Some(Rule::Github {
                    hosts: hosts.to_vec(),
                    owner: owner.into(),
                    repo: repo.into(),
                    file: Some((tag.clone(), asset)),
                })
            }
        })
        .collect()
}

/// The rules of one source with a build for `platform`; `None` when not known offline.
fn source_rules(
    source: &Source,
    from_request: bool,
    versions: &[Version],
    platform: Platform,
    url: &str,
    upstreams: &Upstreams,
) -> Option<Vec<Rule>> {
    let target = source.target(platform)?;
    match &source.kind {
        SourceKind::Url => {
            let template = target.url?;
            // A den.toml `url` takes the spec's own spelling as its tag (it has no version list).
            if !from_request && source.tag.is_none() && template.as_str().contains("{tag}") {
                return None;
            }
            Some(versions.iter().map(|v| Rule::Exact(template.render(&target.vars(v)))).collect())
        }
        SourceKind::Github { repo } => {
            let (owner, repo) = repo.split_once('/')?;
            let hosts = release_hosts(upstreams)?;
            Some(vec![Rule::Github { hosts, owner: owner.into(), repo: repo.into(), file: None }])
        }
        SourceKind::Aqua { .. } if !upstreams.downloads => None,
        SourceKind::Aqua { package } => {
            let Some(registry) = upstreams.aqua_registry() else {
                return Some(vec![Rule::Unknown(format!(
                    "a file the aqua registry {} names, which den has not read on this machine",
                    upstreams.aqua_pin.version
                ))]);
            };
            Some(aqua_rules(registry, package, &tags(versions, url), platform, &release_hosts(upstreams)?))
        }
        SourceKind::Npm { package } => {
            let name = package.render(&catalog::Vars {
                os: target.os.into(),
                arch: target.arch.into(),
                ..Default::default()
            });
            let registry = upstreams.npm_registry(&name)?;
            Some(vec![Rule::Npm { prefix: format!("{}/{name}/-/", registry.trim_end_matches('/')) }])
        }
        SourceKind::Pypi { .. } => None,
        // Temurin's builds are release assets of `adoptium/temurin<major>-binaries` on the
        // public GitHub, whatever mirror serves them; another Adoptium-API server a den.toml
        // names may link anywhere, so its URLs stand (the checksum still binds the bytes).
        SourceKind::Adoptium { .. } if from_request => None,
        // The metadata names download hosts of its own choosing (and changes them).
        SourceKind::Dotnet { .. } => None,
        // The manifests name dated paths (`dist/2024-11-28/`) no offline rule predicts.
        SourceKind::RustDist { .. } => None,
        // The build's archive in the build directory (its `{arch}` rendered), beside
        // `builds.txt`: `OTP-<v>.tar.gz`, or Elixir's `v<v>-otp-<major>.zip`.
        SourceKind::HexBuilds { base } => {
            let base = base.replace("{arch}", target.arch);
            let file = |v: &Version| match v.as_str().split_once("+otp-") {
                Some((elixir, major)) => format!("v{elixir}-otp-{major}.zip"),
                None => format!("OTP-{}.tar.gz", v.as_str()),
            };
            Some(versions.iter().map(|v| Rule::Exact(format!("{base}/{}", file(v)))).collect())
        }
        SourceKind::Adoptium { .. } => {
            let mut majors: Vec<u64> =
                versions.iter().filter_map(|v| v.components().first().copied()).collect();
            majors.dedup();
            let hosts = github_hosts(github::DEFAULT_API)?;
            let rule = |major: u64| Rule::Github {
                hosts: hosts.clone(),
                owner: "adoptium".into(),
                repo: format!("temurin{major}-binaries"),
                file: None,
            };
            Some(majors.into_iter().map(rule).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn github(api: &str) -> Rule {
        Rule::Github {
            hosts: github_hosts(api).unwrap(),
            owner: "Cli".into(),
            repo: "cli".into(),
            file: None,
        }
    }

    #[test]
    fn github_release_assets_of_the_declared_repository_only() {
        let rule = github("https://api.gh.example");
        assert!(
            rule.accepts("https://gh.example/cli/cli/releases/download/v2.0.0/gh_2.0.0_linux_amd64.tar.gz")
        );
        assert!(rule.accepts("https://GH.example/CLI/Cli/releases/download/v2.0.0/gh.tar.gz"));
        assert!(rule.accepts("https://api.gh.example/cli/cli/releases/download/v2/gh.tar.gz"));
        for evil in [
            "https://gh.example/evil/cli/releases/download/v2.0.0/gh.tar.gz",
            "https://gh.example/cli/cli-fork/releases/download/v2.0.0/gh.tar.gz",
            "https://evil.example/cli/cli/releases/download/v2.0.0/gh.tar.gz",
            "http://gh.example/cli/cli/releases/download/v2.0.0/gh.tar.gz",
            "https://gh.example.evil/cli/cli/releases/download/v2.0.0/gh.tar.gz",
            "https://gh.example/cli/cli/releases/download/v2/../../../evil/x/releases/download/v1/a",
            "https://gh.example/evil/x/releases/download/t%2F..%2F..%2Fcli/cli/releases/download/v1/a",
            "https://gh.example/evil/repo/releases/download/cli/cli/releases/download/v1/a",
            "https://gh.example/cli/cli/releases/download/v2.0.0/",
            "https://gh.example/cli/cli/archive/v2.0.0.tar.gz",
            "https://gh.example/cli/cli/releases/download/v2/gh.tar.gz?x=/evil",
        ] {
            assert!(!rule.accepts(evil), "{evil}");
        }
        // GitHub Enterprise serves the API under /api/v3 of the same host.
        let enterprise = github("https://ghe.corp.example/api/v3/");
        assert!(enterprise.accepts("https://ghe.corp.example/cli/cli/releases/download/v2/gh.tar.gz"));
        // A proxy that serves hosts under their names.
        let proxy = github("http://127.0.0.1:4000");
        assert!(proxy.accepts("http://127.0.0.1:4000/github.com/cli/cli/releases/download/v2/gh.tar.gz"));
        assert!(!proxy.accepts("http://127.0.0.1:4000/a/b/cli/cli/releases/download/v2/gh.tar.gz"));
        assert_eq!(rule.shown(), "https://gh.example/Cli/cli/releases/download/…");
    }

    /// den.toml's `aqua:rhysd/actionlint` at `1.7`, locked at 1.7.4 on linux/x64 to `url`,
    /// vetted with the fixture registry in den's cache (or, `None`, not there).
    fn vet_aqua(url: &str, cached: Option<Registry>) -> Vec<Mismatch> {
        let req = crate::project::ToolRequest {
            source: Some("aqua:rhysd/actionlint".into()),
            name: "actionlint".into(),
            version: "1.7".into(),
            url: None,
            sha256: None,
            bin: vec![],
            at: crate::project::Location { file: "den.toml".into(), line: 1 },
        };
        let linux: Platform = "linux-x64".parse().unwrap();
        let artifact = crate::resolve::Artifact {
            url: url.into(),
            checksum: "sha256:00".into(),
            size: None,
            format: "tar.gz".into(),
            bin: vec!["actionlint".into()],
            post_install: vec![],
            served_by: "aqua:rhysd/actionlint (aqua registry v9.9.9)".into(),
        };
        let locked = Resolved {
            name: "actionlint".into(),
            spec: "1.7".into(),
            source: "aqua:rhysd/actionlint".into(),
            version: "1.7.4".into(),
            artifacts: [(linux, artifact)].into(),
        };
        let mut config = crate::config::Config::default();
        config.sources.github_api = Some("https://api.gh.example".into());
        let upstreams = Upstreams::with_config(&config, None);
        assert!(upstreams.aqua.set(cached.map(Arc::new)).is_ok());
        vet(&req, &locked, linux, &upstreams)
    }

    #[test]
    fn an_aqua_tool_downloads_exactly_what_the_pinned_registry_names() {
        let registry =
            || Registry::parse(include_str!("../../../tests/fixtures/aqua/registry.yaml")).unwrap();
        let release = "https://gh.example/rhysd/actionlint/releases/download";
        let right = format!("{release}/v1.7.4/actionlint_1.7.4_linux_amd64.tar.gz");
        assert_eq!(vet_aqua(&right, Some(registry())), []);
        for evil in [
            // Another asset of the same release, another release, another repository,
            // another host, another platform's build.
            format!("{release}/v1.7.4/actionlint_1.7.4_linux_amd64_evil.tar.gz"),
            format!("{release}/v1.6.27/actionlint_1.7.4_linux_amd64.tar.gz"),
            "https://gh.example/evil/actionlint/releases/download/v1.7.4/actionlint_1.7.4_linux_amd64.tar.gz"
                .into(),
            "https://evil.example/rhysd/actionlint/releases/download/v1.7.4/actionlint_1.7.4_linux_amd64.tar.gz"
                .into(),
            format!("{release}/v1.7.4/actionlint_1.7.4_darwin_arm64.tar.gz"),
            format!("{release}/v1.7.4/actionlint_1.7.4_linux_amd64.tar.gz?x"),
        ] {
            let found = vet_aqua(&evil, Some(registry()));
            assert!(
                matches!(&found[..], [Mismatch::Url { expected, .. }] if *expected == right),
                "{evil}: {found:?}"
            );
        }
        // Not cached: refused, never taken unchecked.
        let found = vet_aqua(&right, None);
        assert!(
            matches!(&found[..], [Mismatch::Url { expected, .. }] if expected.contains("has not read")),
            "{found:?}"
        );
    }

    #[test]
    fn npm_tarballs_under_the_registry_in_the_package_path() {
        let rule = Rule::Npm { prefix: "https://registry.example/npm/@scope/pkg/-/".into() };
        assert!(rule.accepts("https://registry.example/npm/@scope/pkg/-/pkg-1.0.0.tgz"));
        for evil in [
            "https://registry.example/npm/@scope/other/-/other-1.0.0.tgz",
            "https://registry.example/npm/@scope/pkg/-/../../evil/-/evil-1.0.0.tgz",
            "https://evil.example/npm/@scope/pkg/-/pkg-1.0.0.tgz",
            "https://registry.example/npm/@scope/pkg/-/",
        ] {
            assert!(!rule.accepts(evil), "{evil}");
        }
    }

    #[test]
    fn an_npm_application_dependency_goes_in_node_modules_under_its_name() {
        assert!(in_node_modules("node_modules/yargs", "yargs"));
        assert!(in_node_modules("node_modules/@s/a/node_modules/@t/b", "@t/b"));
        assert!(in_node_modules("node_modules/a/node_modules/b", "b"));
        for (dir, name) in [
            ("node_modules/other", "yargs"),
            ("bin/yargs", "yargs"),
            ("lib/node_modules/yargs", "yargs"),
            ("xnode_modules/yargs", "yargs"),
            ("node_modules/a/xnode_modules/b", "b"),
        ] {
            assert!(!in_node_modules(dir, name), "{dir}");
        }
    }

    #[test]
    fn a_python_application_takes_wheels_into_lib_only() {
        let req = |source: &str| crate::project::ToolRequest {
            source: Some(source.into()),
            name: "black".into(),
            version: "24".into(),
            url: None,
            sha256: None,
            bin: vec![],
            at: crate::project::Location { file: "den.toml".into(), line: 1 },
        };
        let step = |into: &str, url: &str| crate::resolve::Step::Package {
            name: "click".into(),
            url: url.into(),
            checksum: "sha256:00".into(),
            into: into.into(),
        };
        let upstreams = Upstreams::with_config(&crate::config::Config::default(), None);
        let wheel = "https://files.example/click-8.1.7-py3-none-any.whl";
        assert!(bundled_problem(&req("pypi:black"), &step("lib", wheel), &upstreams).is_none());
        assert!(bundled_problem(&req("pypi:black"), &step("bin", wheel), &upstreams).is_some());
        assert!(
            bundled_problem(&req("pypi:black"), &step("lib", "https://files.example/click.tgz"), &upstreams)
                .is_some()
        );
        assert!(bundled_problem(&req("github:psf/black"), &step("lib", wheel), &upstreams).is_some());
    }
}
