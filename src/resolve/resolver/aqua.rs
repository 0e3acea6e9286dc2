//! `source = "aqua:<package>"`: the pinned aqua registry (`sources::aqua`) read once per
//! resolver; the package's repository lists the versions; for the chosen release and a
//! platform, the package's definition (`resolve::aqua::render`) becomes a plain GitHub or
//! URL source for that one file, resolved as any other, and the registry's checksum file
//! then gives its digest. den.lock's `served_by` names the registry release that resolved it.

use std::sync::Arc;

use super::*;
use crate::catalog::{Checksum, Template};
use crate::resolve::aqua::{self, Location, Registry, Rendered};
use crate::resolve::sources::aqua::load;

impl Resolver {
    /// The registry, fetched (or read from the cache) and checked once per resolver.
    pub fn aqua_registry(&self) -> Result<Arc<Registry>, Error> {
        let mut slot = self.aqua.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(registry) = &*slot {
            return Ok(registry.clone());
        }
        let registry = load(&self.fetch, &self.aqua_pin)?;
        *slot = Some(registry.clone());
        Ok(registry)
    }

    /// The package `name` of the registry.
    pub(super) fn aqua_package(&self, name: &str) -> Result<aqua::Package, Error> {
        let registry = self.aqua_registry()?;
        registry.get(name).cloned().ok_or_else(|| Error::Aqua {
            why: format!(
                "the aqua registry ({}) has no package `{name}`; `den search` lists what den installs by name",
                self.aqua_pin.version
            ),
        })
    }

    /// A [`Tool`]'s aqua source with the package's repository as its version list.
    pub(super) fn aqua_source(&self, mut source: Source) -> Result<Source, Error> {
        let SourceKind::Aqua { package } = &source.kind else { return Ok(source) };
        let found = self.aqua_package(package)?;
        let repo = found.repo().ok_or_else(|| Error::Aqua {
            why: format!("the aqua registry's package `{package}` names no repository to list versions from"),
        })?;
        source.versions = VersionList::GithubTags { repo };
        Ok(source)
    }

    /// The listed versions the package's `version_filter` keeps; a filter den cannot read
    /// keeps them all (the definition of each version still decides what it installs).
    pub(super) fn aqua_filter(&self, package: &str, entries: Vec<Entry>) -> Result<Vec<Entry>, Error> {
        let found = self.aqua_package(package)?;
        let Some(filter) = found.version_filter.as_deref() else { return Ok(entries) };
        Ok(entries
            .into_iter()
            .filter(|e| aqua::package::holds(filter, e.version.as_str()).unwrap_or(true))
            .collect())
    }

    pub(super) fn aqua_artifact(
        &self,
        tool: &Tool,
        source: &Source,
        package: &str,
        chosen: &Chosen,
        platform: Platform,
        req: &ToolRequest,
    ) -> Result<Artifact, Error> {
        let found = self.aqua_package(package)?;
        let tag = chosen.version.as_str();
        let rendered = aqua::render::render(&found, tag, platform).map_err(|why| Error::NoArtifact {
            tool: tool.name.clone(),
            version: chosen.version.bare().to_string(),
            platform,
            why,
        })?;
        let concrete = concrete(source, &rendered).map_err(|why| Error::NoArtifact {
            tool: tool.name.clone(),
            version: chosen.version.bare().to_string(),
            platform,
            why,
        })?;
        let mut artifact = self.artifact(tool, &concrete, chosen, platform, req)?;
        if let Some(checksum) = &rendered.checksum {
            artifact.checksum = self.aqua_checksum(checksum, tag, &rendered.file_name)?;
        }
        artifact.served_by = format!("aqua:{package} (aqua registry {})", self.aqua_pin.version);
        Ok(artifact)
    }

    /// `sha256:<hex>` or `sha512:<hex>` of `file_name`, from the registry's checksum file.
    fn aqua_checksum(&self, checksum: &aqua::Checksum, tag: &str, file_name: &str) -> Result<String, Error> {
        let url = match &checksum.file {
            Location::Url(url) => url.clone(),
            Location::Release { repo, asset } => self
                .github(repo)
                .release(tag)?
                .and_then(|r| r.asset(asset).map(|a| a.browser_download_url.clone()))
                .ok_or_else(|| Error::Aqua {
                    why: format!("release `{tag}` of github:{repo} has no checksum file `{asset}`"),
                })?,
        };
        let text = self.fetch.file(&url)?;
        let len = if checksum.algorithm == "sha512" { 128 } else { 64 };
        let hex = aqua::digest::find(&text, file_name, len).ok_or_else(|| Error::Aqua {
            why: format!("`{file_name}` is not listed in its checksum file {url}"),
        })?;
        Ok(format!("{}:{hex}", checksum.algorithm))
    }
}

/// The one file of `rendered` as a plain source (its names are literal, not templates).
fn concrete(source: &Source, rendered: &Rendered) -> Result<Source, String> {
    let literal = |text: &str| Template::new(text).map_err(|e| format!("the registry names `{text}`: {e}"));
    let mut out = source.clone();
    match &rendered.artifact {
        Location::Release { repo, asset } => {
            out.kind = SourceKind::Github { repo: repo.clone() };
            out.asset = Some(literal(asset)?);
            out.url = None;
        }
        Location::Url(url) => {
            out.kind = SourceKind::Url;
            out.url = Some(literal(url)?);
            out.asset = None;
        }
    }
    out.tag = None;
    out.overrides = Default::default();
    out.checksum = Checksum::None;
    out.format = Some(match rendered.format.as_str() {
        "raw" => "binary".to_string(),
        word if crate::artifact::Format::WORDS.contains(&word) => word.to_string(),
        other => return Err(format!("its format `{other}` is not one den unpacks")),
    });
    out.bin = if rendered.format == "raw" {
        rendered.files.first().map(|(name, _)| literal(name)).transpose()?.into_iter().collect()
    } else {
        rendered.files.iter().map(|(_, src)| literal(src)).collect::<Result<_, _>>()?
    };
    Ok(out)
}
