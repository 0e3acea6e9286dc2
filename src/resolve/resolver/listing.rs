//! Listing a source's versions (GitHub release tags or asset names, JSON indexes, npm
//! package documents, PyPI project pages) and finding the registries npm and PyPI sources
//! need. Only reads; the choice of a version is the resolver's.

use super::*;

impl Resolver {
    /// The versions `source` lists for `platform` (an exact spec may stop paging early).
    pub(super) fn list(
        &self,
        tool: &str,
        source: &Source,
        platform: Platform,
        spec: Option<&VersionSpec>,
    ) -> Result<Vec<Entry>, Error> {
        let entries = self.list_all(tool, source, platform, spec)?;
        // An aqua package's `version_filter` keeps its repository's other tags out
        // (lychee's `lychee-lib-v…`).
        match &source.kind {
            SourceKind::Aqua { package } => self.aqua_filter(package, entries),
            _ => Ok(entries),
        }
    }

    fn list_all(
        &self,
        tool: &str,
        source: &Source,
        platform: Platform,
        spec: Option<&VersionSpec>,
    ) -> Result<Vec<Entry>, Error> {
        let exact = spec.filter(|s| matches!(s, VersionSpec::Exact(_)));
        match &source.versions {
            VersionList::GithubTags { repo } => {
                let enough = |r: &github::Release| {
                    exact.is_some_and(|s| {
                        source
                            .version_from_tag(&r.tag_name)
                            .is_some_and(|v| s.matches_with(&v, source.prereleases))
                    })
                };
                let releases = self.github(repo).releases(&enough)?;
                Ok(releases
                    .iter()
                    .filter_map(|r| {
                        let v = source.version_from_tag(&r.tag_name)?;
                        // A release flagged pre-release whose tag looks final (`nightly`
                        // builds, tags past a stable line) is not offered as a release.
                        (!r.prerelease || v.is_prerelease()).then(|| Entry::plain(v))
                    })
                    .collect())
            }
            VersionList::GithubAssets { repo, asset } => {
                let target = source.target(platform).ok_or_else(|| no_target(tool, source, platform))?;
                let vars =
                    catalog::Vars { os: target.os.into(), arch: target.arch.into(), ..Default::default() };
                let releases = self.github(repo).releases(&|_| false)?;
                Ok(releases
                    .iter()
                    .flat_map(|r| r.assets.iter())
                    .filter_map(|a| asset.capture_version(&a.name, &vars))
                    .filter_map(|v| Version::parse(&v).ok().map(Entry::plain))
                    .collect())
            }
            VersionList::Json { url, path } => crate::resolve::sources::json::versions(
                &self.fetch,
                source,
                &url.render(&Default::default()),
                path,
            ),
            VersionList::Npm => Ok(self.npm_package(source, platform)?.versions()),
            VersionList::Adoptium => {
                let target = source.target(platform).ok_or_else(|| no_target(tool, source, platform))?;
                let SourceKind::Adoptium { api } = &source.kind else {
                    return Err(Error::BadIndex {
                        url: String::new(),
                        reason: "not an Adoptium source".into(),
                    });
                };
                adoptium::Adoptium { fetch: &self.fetch, api }.versions(target.os, target.arch, spec)
            }
            VersionList::Dotnet => {
                let target = source.target(platform).ok_or_else(|| no_target(tool, source, platform))?;
                let SourceKind::Dotnet { base } = &source.kind else {
                    return Err(Error::BadIndex {
                        url: String::new(),
                        reason: "not a .NET metadata source".into(),
                    });
                };
                let rid = format!("{}-{}", target.os, target.arch);
                dotnet::Dotnet { fetch: &self.fetch, base }.versions(&rid, spec)
            }
            VersionList::RustDist => {
                let SourceKind::RustDist { base } = &source.kind else {
                    return Err(Error::BadIndex {
                        url: String::new(),
                        reason: "not a Rust dist source".into(),
                    });
                };
                rustdist::RustDist { fetch: &self.fetch, base }.versions(spec)
            }
            VersionList::HexBuilds => {
                let target = source.target(platform).ok_or_else(|| no_target(tool, source, platform))?;
                let SourceKind::HexBuilds { base } = &source.kind else {
                    return Err(Error::BadIndex {
                        url: String::new(),
                        reason: "not a Hex builds source".into(),
                    });
                };
                let base = base.replace("{arch}", target.arch);
                hexbuilds::HexBuilds { fetch: &self.fetch, base: &base }.versions()
            }
            VersionList::Pypi => {
                let project = self.pypi_project(source)?;
                Ok(project.versions(platform, self.host.libc_for(platform)))
            }
            VersionList::ExactOnly => match spec {
                Some(VersionSpec::Exact(v) | VersionSpec::Prefix(v)) => Ok(vec![Entry::plain(v.clone())]),
                other => Err(Error::NeedsExact {
                    tool: tool.to_string(),
                    spec: other.map(ToString::to_string).unwrap_or_else(|| "latest".into()),
                }),
            },
        }
    }

    pub(super) fn github<'a>(&'a self, repo: &'a str) -> Github<'a> {
        Github { fetch: &self.fetch, api_client: &self.api_client, api: &self.github_api, repo }
    }

    /// The npm package document of `source` for `platform` (`@esbuild/{os}-{arch}`).
    pub(super) fn npm_package(&self, source: &Source, platform: Platform) -> Result<npm::Package, Error> {
        let SourceKind::Npm { package } = &source.kind else {
            return Err(Error::BadIndex { url: String::new(), reason: "not an npm source".into() });
        };
        let name =
            self.npm_name(source, platform).ok_or_else(|| no_target(package.as_str(), source, platform))?;
        let registry =
            self.registry(&npm_key(&name), || registry::npm_registry(&self.sources, &self.discovery, &name))?;
        let client = self.fetch.client.with_header("Accept", npm::ACCEPT);
        npm::Package::fetch(&self.fetch, &client, &registry.url, &name)
            .map_err(|e| not_found(e, registry::Ecosystem::Npm, &registry, &name))
    }

    /// The npm package `source` names for `platform` (`@esbuild/linux-x64`).
    pub(super) fn npm_name(&self, source: &Source, platform: Platform) -> Option<String> {
        let SourceKind::Npm { package } = &source.kind else { return None };
        let target = source.target(platform)?;
        Some(package.render(&catalog::Vars {
            os: target.os.into(),
            arch: target.arch.into(),
            ..Default::default()
        }))
    }

    pub(super) fn pypi_project(&self, source: &Source) -> Result<pypi::Project, Error> {
        let SourceKind::Pypi { package } = &source.kind else {
            return Err(Error::BadIndex { url: String::new(), reason: "not a PyPI source".into() });
        };
        let index = self.registry("pypi", || registry::pypi_index(&self.sources, &self.discovery))?;
        let client = self.fetch.client.with_header("Accept", pypi::ACCEPT);
        pypi::Project::fetch(&self.fetch, &client, &index.url, package)
            .map_err(|e| not_found(e, registry::Ecosystem::Pypi, &index, package))
    }

    pub(super) fn registry(
        &self,
        key: &str,
        find: impl FnOnce() -> Result<registry::Found, Error>,
    ) -> Result<registry::Found, Error> {
        if let Some(found) = self.registries.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            return Ok(found.clone());
        }
        let warming = self.pending.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
        let found = match warming.and_then(|rx| rx.recv().ok()) {
            Some(found) => found?,
            None => find()?,
        };
        self.registries.lock().unwrap_or_else(|e| e.into_inner()).insert(key.to_string(), found.clone());
        Ok(found)
    }
}

/// A registry's 404 for a package, named with the registry and where it was configured
/// (a typo'd URL in `~/.npmrc` answers 404 for everything).
fn not_found(err: Error, ecosystem: registry::Ecosystem, registry: &registry::Found, package: &str) -> Error {
    match err {
        Error::Http(http::Error::NotFound { .. }) => Error::RegistryNotFound {
            ecosystem,
            registry: registry.url.clone(),
            from: registry.from.clone(),
            package: package.to_string(),
        },
        other => other,
    }
}

/// Which registry look-up a package shares: one per `@scope` (each may have its own
/// registry), one for every unscoped package.
pub(super) fn npm_key(package: &str) -> String {
    match package.strip_prefix('@').and_then(|p| p.split_once('/')) {
        Some((scope, _)) => format!("npm @{scope}"),
        None => "npm".into(),
    }
}
