//! One package, one release, one platform: the file to fetch (a GitHub release asset or a
//! URL), how to unpack it, the executables in it and where its checksum is. Follows aqua's
//! order: the version's fields, then `format_overrides`, then the first `overrides` entry
//! matching `goos`/`goarch`, then `replacements` for `{{.OS}}`/`{{.Arch}}`; an unsupported
//! platform (`supported_envs`) or `no_asset` is an error saying so.

use super::package::{ChecksumDef, Fields, Package};
use super::template::{self, Vars};
use crate::artifact::{Arch, Os, Platform};

/// Where the artifact is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An asset of the release tagged `tag` of `repo`.
    Release { repo: String, asset: String },
    /// A URL.
    Url(String),
}

/// Where the checksum file is, and the digest's algorithm (`sha256`, `sha512`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    pub file: Location,
    pub algorithm: String,
}

/// What den fetches for a package release on a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub artifact: Location,
    /// The file name of the artifact (the asset, or the URL's last segment).
    pub file_name: String,
    /// aqua's format word: `raw` (the file is the executable), `tar.gz`, `zip`, ...
    pub format: String,
    /// `(name on PATH, path inside the unpacked artifact)`.
    pub files: Vec<(String, String)>,
    pub checksum: Option<Checksum>,
}

fn goos(os: Os) -> &'static str {
    match os {
        Os::Linux => "linux",
        Os::Darwin => "darwin",
    }
}

fn goarch(arch: Arch) -> &'static str {
    match arch {
        Arch::X64 => "amd64",
        Arch::Arm64 => "arm64",
    }
}

/// Whether `envs` (`linux`, `amd64`, `linux/arm64`, `all`) admits the platform.
fn supports(envs: &Option<Vec<String>>, os: &str, arch: &str) -> bool {
    envs.as_ref().is_none_or(|envs| {
        envs.iter().any(|e| e == "all" || e == os || e == arch || *e == format!("{os}/{arch}"))
    })
}

/// The release tagged `tag` of `package` for `platform`.
pub fn render(package: &Package, tag: &str, platform: Platform) -> Result<Rendered, String> {
    let name = package.name();
    let fields = package.for_version(tag)?;
    let (os, mut arch) = (goos(platform.os), goarch(platform.arch));
    let mut fields = with_overrides(fields, os, arch);
    if !supports(&fields.supported_envs, os, arch) {
        // Rosetta 2 runs the amd64 build on Apple silicon.
        if fields.rosetta2 == Some(true) && os == "darwin" && supports(&fields.supported_envs, os, "amd64") {
            arch = "amd64";
            fields = with_overrides(package.for_version(tag)?, os, arch);
        } else {
            return Err(format!("{name} {tag} has no build for {os}/{arch} (its supported_envs)"));
        }
    }
    if fields.no_asset == Some(true) {
        let why = fields.error_message.clone().unwrap_or_else(|| "the registry says it has no asset".into());
        return Err(format!("{name} {tag}: {}", crate::diag::printable(&why)));
    }
    let replaced = |word: &str| {
        fields
            .replacements
            .as_ref()
            .and_then(|r| r.get(&super::package::Word(word.to_string())))
            .map(|w| w.0.clone())
            .unwrap_or_else(|| word.to_string())
    };
    let format = fields.format.clone().unwrap_or_else(|| "raw".into());
    let prefix = fields.version_prefix.clone().unwrap_or_default();
    let mut vars = Vars::new();
    vars.insert("Version", tag.to_string());
    vars.insert("SemVer", tag.strip_prefix(prefix.as_str()).unwrap_or(tag).to_string());
    vars.insert("OS", replaced(os));
    vars.insert("Arch", replaced(arch));
    vars.insert("GOOS", os.to_string());
    vars.insert("GOARCH", arch.to_string());
    vars.insert("Format", format.clone());
    let kind = fields.kind.clone().unwrap_or_else(|| "github_release".into());
    let (artifact, file_name) = match kind.as_str() {
        "github_release" => {
            let repo = package.repo().ok_or_else(|| format!("{name} names no repository"))?;
            let asset = template::render(
                fields.asset.as_deref().ok_or_else(|| format!("{name} has no `asset`"))?,
                &vars,
            )?;
            (Location::Release { repo, asset: asset.clone() }, asset)
        }
        "http" => {
            let url = template::render(
                fields.url.as_deref().ok_or_else(|| format!("{name} has no `url`"))?,
                &vars,
            )?;
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(format!("{name}'s url `{}` is not an http(s) URL", crate::diag::printable(&url)));
            }
            let file = url.rsplit('/').next().unwrap_or_default().to_string();
            (Location::Url(url), file)
        }
        other => {
            return Err(format!(
                "{name} is a `{}` package, which den does not install (it installs github_release and http packages)",
                crate::diag::printable(other)
            ));
        }
    };
    vars.insert("Asset", file_name.clone());
    vars.insert("AssetWithoutExt", without_ext(&file_name).to_string());
    let default_name =
        package.repo_name.clone().unwrap_or_else(|| name.rsplit('/').next().unwrap_or_default().into());
    let files = match &fields.files {
        Some(files) if !files.is_empty() => files
            .iter()
            .map(|f| {
                let mut vars = vars.clone();
                vars.insert("FileName", f.name.clone());
                Ok((f.name.clone(), template::render(f.src.as_deref().unwrap_or(&f.name), &vars)?))
            })
            .collect::<Result<Vec<_>, String>>()?,
        _ => vec![(default_name.clone(), default_name)],
    };
    for (exe, src) in &files {
        if !plain_path(exe) || exe.contains('/') || !plain_path(src) {
            return Err(format!(
                "{name}'s file `{}` is not a plain relative path",
                crate::diag::printable(src)
            ));
        }
    }
    let checksum = match &fields.checksum {
        Some(c) if c.enabled != Some(false) => checksum(c, package, &vars)?,
        _ => None,
    };
    Ok(Rendered { artifact, file_name, format, files, checksum })
}

fn with_overrides(fields: Fields, os: &str, arch: &str) -> Fields {
    let mut fields = fields;
    if let Some(f) = fields.format_overrides.iter().flatten().find(|f| f.goos == os) {
        fields.format = Some(f.format.clone());
    }
    let hit =
        fields.overrides.iter().flatten().find(|o| {
            o.goos.as_deref().is_none_or(|g| g == os) && o.goarch.as_ref().is_none_or(|a| a.0 == arch)
        });
    let Some(mut over) = hit.cloned() else { return fields };
    // An override's replacements add to the package's (aqua merges them).
    if let (Some(base), Some(top)) = (&fields.replacements, &over.fields.replacements) {
        let mut merged = base.clone();
        merged.extend(top.clone());
        over.fields.replacements = Some(merged);
    }
    fields.laid_under(&over.fields)
}

/// The checksum file; `None` for an algorithm den does not trust (md5, sha1): den then pins
/// the sha256 it computes, as for an upstream that publishes none.
fn checksum(c: &ChecksumDef, package: &Package, vars: &Vars) -> Result<Option<Checksum>, String> {
    let name = package.name();
    let algorithm = c.algorithm.clone().unwrap_or_else(|| "sha256".into());
    if algorithm != "sha256" && algorithm != "sha512" {
        return Ok(None);
    }
    let file = match c.kind.as_deref().unwrap_or("github_release") {
        "github_release" => Location::Release {
            repo: package.repo().ok_or_else(|| format!("{name} names no repository"))?,
            asset: template::render(
                c.asset.as_deref().ok_or_else(|| format!("{name}'s checksum has no `asset`"))?,
                vars,
            )?,
        },
        "http" => Location::Url(template::render(
            c.url.as_deref().ok_or_else(|| format!("{name}'s checksum has no `url`"))?,
            vars,
        )?),
        other => {
            return Err(format!(
                "{name}'s checksum type `{}` is not one den reads",
                crate::diag::printable(other)
            ));
        }
    };
    Ok(Some(Checksum { file, algorithm }))
}

/// A relative path without `..`, an absolute start or control characters.
fn plain_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(char::is_control)
        && path.split('/').all(|p| p != ".." && !p.is_empty())
}

fn without_ext(file: &str) -> &str {
    for ext in [
        ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".txz", ".tbz2", ".zip", ".gz", ".xz", ".tar",
        ".exe",
    ] {
        if let Some(stem) = file.strip_suffix(ext) {
            return stem;
        }
    }
    file
}
