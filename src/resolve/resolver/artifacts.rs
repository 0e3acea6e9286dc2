//! The artifact of a chosen version for one platform: the file (release asset, URL
//! template, npm tarball, wheel), its checksum as the definition says to find it, its
//! format, binaries and post-install steps rendered for this version and platform.

use super::*;
use crate::artifact::Format;
use crate::artifact::Step;
use crate::catalog::{Checksum, PostInstall, Target, Vars};
use crate::resolve::checksums::find_sha256;
use crate::resolve::sources::json::{self, JsonChecksum};
use crate::resolve::sources::{assets, format_word};

/// The file chosen before its checksum is known.
struct File {
    url: String,
    name: String,
    size: Option<u64>,
    /// A checksum the source itself gives (GitHub `digest`, npm integrity, PyPI sha256).
    given: Option<String>,
    /// Binaries the source itself names (npm package.json `bin`).
    bins: Vec<String>,
    release: Option<github::Release>,
}

impl Resolver {
    pub(super) fn artifact(
        &self,
        tool: &Tool,
        source: &Source,
        chosen: &Chosen,
        platform: Platform,
        req: &ToolRequest,
    ) -> Result<Artifact, Error> {
        if let SourceKind::Aqua { package } = &source.kind {
            return self.aqua_artifact(tool, source, package, chosen, platform, req);
        }
        let version = &chosen.version;
        let no_artifact = |why: String| Error::NoArtifact {
            tool: tool.name.clone(),
            version: version.bare().to_string(),
            platform,
            why,
        };
        let served_by = served_name(source, platform);
        let target =
            source.target(platform).ok_or_else(|| no_artifact(format!("{served_by} has no build for it")))?;
        let mut vars = target.vars(version);
        let libc = self.host.libc_for(platform);
        // A toolchain's other components, merged into its root after it is unpacked.
        let mut components: Vec<Step> = Vec::new();
        // An npm application named in den.toml (not a catalog tool): its tree and commands.
        let mut app = None;
        // A Python application's dependency wheels and launchers.
        let mut app_steps: Vec<Step> = Vec::new();
        let file = match &source.kind {
            SourceKind::Github { repo } => {
                let release = self.github(repo).release(&vars.tag)?.ok_or_else(|| {
                    no_artifact(format!("github:{repo} has no release tagged `{}`", vars.tag))
                })?;
                let names = release.assets.iter().map(|a| a.name.as_str());
                let name = match target.asset {
                    Some(template) => template.render(&vars),
                    None => assets::choose(names, platform, libc)
                        .ok_or_else(|| {
                            no_artifact(format!("no asset of release `{}` is a {platform} build", vars.tag))
                        })?
                        .to_string(),
                };
                let asset = release
                    .asset(&name)
                    .ok_or_else(|| no_artifact(format!("release `{}` has no asset `{name}`", vars.tag)))?
                    .clone();
                File {
                    url: asset.browser_download_url,
                    name,
                    size: asset.size,
                    given: asset.digest.filter(|d| d.starts_with("sha256:")),
                    bins: Vec::new(),
                    release: Some(release),
                }
            }
            SourceKind::Aqua { .. } => return Err(no_artifact("an aqua source names no file itself".into())),
            SourceKind::Url => {
                let url =
                    target.url(&vars).ok_or_else(|| no_artifact("the definition has no `url`".into()))?;
                let name = target.file_name(&vars).unwrap_or_default();
                File { url, name, size: None, given: None, bins: Vec::new(), release: None }
            }
            SourceKind::Npm { .. } => {
                let package = self.npm_package(source, platform)?;
                let dist = package.dist(version.as_str()).ok_or_else(|| {
                    no_artifact(format!("{served_by} has no version `{}`", version.as_str()))
                })?;
                let name = dist.tarball.rsplit('/').next().unwrap_or_default().to_string();
                let from_request = req.source.is_some() && req.bin.is_empty();
                if from_request && let Some(package_name) = self.npm_name(source, platform) {
                    app = self.npm_app(&package, &package_name, version.as_str(), platform)?;
                }
                File {
                    url: dist.tarball,
                    name,
                    size: None,
                    given: dist.integrity,
                    bins: dist.bins,
                    release: None,
                }
            }
            SourceKind::Adoptium { api } => {
                let adoptium = adoptium::Adoptium { fetch: &self.fetch, api };
                let found = adoptium.asset(version, target.os, target.arch)?.ok_or_else(|| {
                    no_artifact(format!(
                        "{served_by} lists no usable {} jdk of {}",
                        target.arch,
                        version.bare()
                    ))
                })?;
                // The JDK's top directory (`jdk-21.0.5+11`), which the binaries are under.
                vars.tag = found.release_name;
                File {
                    url: found.link,
                    name: found.name,
                    size: found.size,
                    given: Some(format!("sha256:{}", found.sha256)),
                    bins: Vec::new(),
                    release: None,
                }
            }
            SourceKind::Dotnet { base } => {
                let rid = format!("{}-{}", target.os, target.arch);
                let found =
                    dotnet::Dotnet { fetch: &self.fetch, base }.file(version, &rid)?.ok_or_else(|| {
                        no_artifact(format!(
                            "{served_by} lists no usable {rid} archive of SDK {}",
                            version.bare()
                        ))
                    })?;
                File {
                    url: found.url,
                    name: found.name,
                    size: None,
                    given: Some(format!("sha512:{}", found.sha512)),
                    bins: Vec::new(),
                    release: None,
                }
            }
            SourceKind::RustDist { base } => {
                // The target triple (`x86_64-unknown-linux-gnu`), as the definition spells it.
                let triple = format!("{}-{}", target.arch, target.os);
                let found = rustdist::RustDist { fetch: &self.fetch, base }
                    .components(version, &triple)?
                    .ok_or_else(|| {
                        no_artifact(format!(
                            "{served_by} lists no complete {triple} toolchain of {}",
                            version.bare()
                        ))
                    })?;
                let mut found = found.into_iter();
                let root = found.next().ok_or_else(|| no_artifact("no components".into()))?;
                // `rustc`'s own tree is the toolchain's root: the others are merged into it.
                vars.tag = rustdist::top_dir(&root.file).to_string();
                let into = format!("{}/rustc", vars.tag);
                components = found
                    .map(|c| Step::Component {
                        name: c.name,
                        url: c.url,
                        checksum: format!("sha256:{}", c.sha256),
                        into: into.clone(),
                    })
                    .collect();
                File {
                    url: root.url,
                    name: root.file,
                    size: None,
                    given: Some(format!("sha256:{}", root.sha256)),
                    bins: Vec::new(),
                    release: None,
                }
            }
            SourceKind::HexBuilds { base } => {
                let base = base.replace("{arch}", target.arch);
                let found = hexbuilds::HexBuilds { fetch: &self.fetch, base: &base }
                    .build(version)?
                    .ok_or_else(|| {
                        no_artifact(format!("{served_by} lists no build {} with a sha256", version.as_str()))
                    })?;
                File {
                    url: found.url,
                    name: found.file,
                    size: None,
                    given: Some(format!("sha256:{}", found.sha256)),
                    bins: Vec::new(),
                    release: None,
                }
            }
            SourceKind::Pypi { .. } => {
                let project = self.pypi_project(source)?;
                let from_request = req.source.is_some() && req.bin.is_empty();
                let py_app = match &source.kind {
                    SourceKind::Pypi { package } if from_request => {
                        self.pypi_app(&project, package, version.as_str(), (platform, libc))?
                    }
                    _ => None,
                };
                let wheel = match py_app {
                    Some(py) => {
                        app_steps = py.steps;
                        py.wheel
                    }
                    None => project.wheel(version.as_str(), platform, libc).ok_or_else(|| {
                        no_artifact(format!("no wheel of {served_by} {} fits it", version.as_str()))
                    })?,
                };
                let given = wheel.sha256.map(|h| format!("sha256:{h}"));
                File {
                    url: wheel.url,
                    name: wheel.filename,
                    size: wheel.size,
                    given,
                    bins: Vec::new(),
                    release: None,
                }
            }
        };
        vars.asset = file.name.clone();
        vars.url = file.url.clone();
        let checksum = self.checksum(tool, source, chosen, &vars, &file, &no_artifact)?;
        let format = target.format(&file.name, &vars);
        let bin = bins(&target, &vars, &file, &format, req);
        let mut post_install: Vec<Step> = components;
        post_install.extend(source.post_install.iter().map(|step| render_step(step, &vars)));
        let mut bin = bin;
        if let Some(app) = app {
            post_install.extend(app.steps);
            bin = app.bins;
        }
        post_install.extend(app_steps);
        for bundle in &source.bundles {
            // A registry without the package still serves the tool itself, said once.
            if let Err(e) = self.bundle(bundle, (version, platform), &mut post_install, &mut bin) {
                let line = format!(
                    "{} {} from {served_by} comes without its bundled {}: {e}",
                    tool.name,
                    version.bare(),
                    bundle.package
                );
                if self.noted.lock().unwrap_or_else(|e| e.into_inner()).insert(line.clone()) {
                    ui::warn(&line);
                }
            }
        }
        Ok(Artifact {
            url: file.url,
            checksum,
            size: file.size,
            format: format_word(&format).to_string(),
            bin,
            post_install,
            served_by,
        })
    }

    /// Adds what installs `bundle` (node's npm) for this release of the tool: the package's
    /// tarball, links to its commands (made executable) and those links as binaries. The
    /// release is the newest of the spec the tool's major ships whose `engines.node`
    /// accepts this version (`engines` is node's own field: bundles are node's).
    fn bundle(
        &self,
        bundle: &catalog::Bundle,
        (version, platform): (&Version, Platform),
        steps: &mut Vec<Step>,
        bins: &mut Vec<String>,
    ) -> Result<(), Error> {
        let major = version.components().first().copied().unwrap_or(0);
        let Some(spec) = bundle.spec_for(major) else { return Ok(()) };
        let spec = VersionSpec::parse(spec)
            .map_err(|source| Error::BadSpec { tool: bundle.package.clone(), source })?;
        let registry = self.registry(&super::listing::npm_key(&bundle.package), || {
            registry::npm_registry(&self.sources, &self.discovery, &bundle.package)
        })?;
        let client = self.fetch.client.with_header("Accept", npm::ACCEPT);
        let package = npm::Package::fetch(&self.fetch, &client, &registry.url, &bundle.package)?;
        let accepts =
            |v: &Version| package.engines_node(v.as_str()).is_none_or(|range| engines_accept(range, version));
        let versions: Vec<Entry> = package.versions();
        let chosen =
            best_with(&spec, versions.iter().map(|e| &e.version).filter(|v| accepts(v)), Default::default())
                .ok_or_else(|| Error::NoMatch {
                    tool: bundle.package.clone(),
                    spec: spec.to_string(),
                    platform,
                    newest: Vec::new(),
                })?;
        let dist = package.dist(chosen.as_str()).ok_or_else(|| Error::BadIndex {
            url: registry.url.clone(),
            reason: format!("{} {} has no tarball", bundle.package, chosen.as_str()),
        })?;
        let checksum = dist.integrity.ok_or_else(|| Error::BadIndex {
            url: registry.url.clone(),
            reason: format!("{} {} has no integrity", bundle.package, chosen.as_str()),
        })?;
        steps.push(Step::Package {
            name: bundle.package.clone(),
            url: dist.tarball,
            checksum,
            into: bundle.into.clone(),
        });
        for (link, target) in &bundle.links {
            let dir = link.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            steps.push(Step::Chmod { path: normalize(&format!("{dir}/{target}")) });
            steps.push(Step::Symlink { link: link.clone(), target: target.clone() });
            bins.push(link.clone());
        }
        Ok(())
    }

    /// The checksum the definition says to use; empty when the upstream publishes none
    /// (the installer then records the sha256 it computed).
    fn checksum(
        &self,
        tool: &Tool,
        source: &Source,
        chosen: &Chosen,
        vars: &Vars,
        file: &File,
        no_artifact: &dyn Fn(String) -> Error,
    ) -> Result<String, Error> {
        let from_file = |url: &str| -> Result<String, Error> {
            let text = self.fetch.file(url).map_err(|e| match e {
                http::Error::NotFound { url, .. } => Error::NoSuchVersion {
                    tool: tool.name.clone(),
                    version: chosen.version.bare().to_string(),
                    url,
                    newest: chosen.newest.clone(),
                },
                other => Error::Http(other),
            })?;
            find_sha256(&text, &file.name)
                .map(|hex| format!("sha256:{hex}"))
                .ok_or_else(|| no_artifact(format!("`{}` is not listed in {url}", file.name)))
        };
        let asset_url = |name: &str| -> Option<String> {
            file.release.as_ref()?.asset(name).map(|a| a.browser_download_url.clone())
        };
        match &source.checksum {
            Checksum::None | Checksum::Registry => Ok(file.given.clone().unwrap_or_default()),
            Checksum::Sha256(hex) => Ok(format!("sha256:{hex}")),
            Checksum::Auto => {
                if let Some(given) = &file.given {
                    return Ok(given.clone());
                }
                let names = file.release.iter().flat_map(|r| r.assets.iter().map(|a| a.name.as_str()));
                match assets::checksum_asset(&file.name, names).and_then(asset_url) {
                    Some(url) => from_file(&url),
                    None => Ok(String::new()),
                }
            }
            Checksum::Url(template) => from_file(&template.render(vars)),
            Checksum::Asset(template) => {
                let name = template.render(vars);
                let url = asset_url(&name).ok_or_else(|| {
                    no_artifact(format!("release `{}` has no checksum asset `{name}`", vars.tag))
                })?;
                from_file(&url)
            }
            Checksum::Json { url, path } => {
                match json::checksum(&self.fetch, &url.render(vars), path, vars, &file.name)? {
                    JsonChecksum::Found(hex) if super::super::checksums::is_sha256(&hex) => {
                        Ok(format!("sha256:{}", hex.to_ascii_lowercase()))
                    }
                    JsonChecksum::Found(other) => Ok(other),
                    JsonChecksum::Missing(why) => Err(no_artifact(why)),
                }
            }
        }
    }
}

/// The binaries: the definition's; for a den.toml `source`/`url` without `bin`, what the
/// source names (npm `bin`), the file itself when it is a bare executable, else an empty
/// list: the installer then takes every executable at the root or in `bin/` of the unpacked
/// artifact (or of its single top directory).
fn bins(target: &Target, vars: &Vars, file: &File, format: &Format, req: &ToolRequest) -> Vec<String> {
    let from_request = req.source.is_some() || req.url.is_some();
    let named = target.bins(vars);
    // A den.toml source without `bin` names just the tool as a placeholder; a catalog source
    // it names (see `Resolver::tool`) names the definition's paths, which are meant.
    if !from_request || !req.bin.is_empty() || named.as_slice() != [req.name.as_str()] {
        return named;
    }
    if !file.bins.is_empty() {
        return file.bins.clone();
    }
    match format {
        Format::Binary { .. } | Format::Gz { .. } => vec![req.name.clone()],
        _ => Vec::new(),
    }
}

/// Whether an npm `engines.node` range (`^18.17.0 || >=20.5.0`) accepts `node`; a range
/// den cannot read accepts it (the table of lines chose the major already).
fn engines_accept(range: &str, node: &Version) -> bool {
    let mut alternatives = range.split("||").map(|alt| VersionSpec::parse(alt.trim()));
    let parsed: Vec<VersionSpec> = match alternatives.by_ref().collect::<Result<Vec<_>, _>>() {
        Ok(list) => list,
        Err(_) => return true,
    };
    parsed.iter().any(|spec| spec.matches_with(node, Default::default()))
}

/// `a/b/../c` → `a/c` (a link's target seen from the tool's directory).
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}

fn render_step(step: &PostInstall, vars: &Vars) -> Step {
    match step {
        PostInstall::Chmod(path) => Step::Chmod { path: path.render(vars) },
        PostInstall::Rename { from, to } => Step::Rename { from: from.render(vars), to: to.render(vars) },
        PostInstall::Symlink { link, target } => {
            Step::Symlink { link: link.render(vars), target: target.render(vars) }
        }
        PostInstall::SymlinksFromJson { file, base } => {
            Step::SymlinksFromJson { file: file.render(vars), base: base.render(vars) }
        }
        PostInstall::OtpInstall(dir) => Step::OtpInstall { dir: dir.render(vars) },
    }
}
