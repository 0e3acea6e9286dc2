//! PyPI projects through the simple index's JSON form (PEP 691): the wheels of each
//! version, the one whose tags fit a platform (manylinux by glibc version, musllinux on
//! musl, macOS by arch; `py3-none-<platform>` preferred), sdists and yanked files skipped.
//! The index base is given; never named here.

use serde::Deserialize;

use super::{Entry, Fetch, join_url};
use crate::catalog::{Arch, Os, Platform};
use crate::http::Client;
use crate::resolve::error::Error;
use crate::resolve::host::Libc;
use crate::version::Version;

/// PEP 691's JSON media type.
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json";

/// A project page of the simple index.
#[derive(Debug, Deserialize)]
struct Page {
    files: Vec<File>,
}

#[derive(Debug, Clone, Deserialize)]
struct File {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    yanked: serde_json::Value,
    #[serde(default)]
    size: Option<u64>,
    /// PEP 714 (`core-metadata`) or PEP 691's older name: whether `<url>.metadata` exists.
    #[serde(default, rename = "core-metadata")]
    core_metadata: serde_json::Value,
    #[serde(default, rename = "data-dist-info-metadata")]
    dist_info_metadata: serde_json::Value,
    #[serde(default, rename = "requires-python")]
    requires_python: Option<String>,
}

/// A wheel chosen for a platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wheel {
    pub filename: String,
    pub url: String,
    pub sha256: Option<String>,
    pub size: Option<u64>,
}

/// One project's wheels.
pub struct Project {
    url: String,
    wheels: Vec<(Version, File)>,
    /// Every wheel the page lists, yanked ones too (a lock may pin one).
    listed: Vec<File>,
}

/// PEP 503 name normalization: lowercase, runs of `-_.` become `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if "-_.".contains(c) {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

impl Project {
    /// Fetches the project page of `name` under the simple index `index` (cached).
    pub fn fetch(fetch: &Fetch, client: &Client, index: &str, name: &str) -> Result<Project, Error> {
        let url = format!("{}/{}/", index.trim_end_matches('/'), normalize(name));
        let text = fetch.list(client, &url)?;
        let page: Page = serde_json::from_str(&text).map_err(|e| Error::BadIndex {
            url: url.clone(),
            reason: format!("not a PEP 691 project page ({e}); is the index URL the `/simple/` root?"),
        })?;
        let listed: Vec<File> = page.files.iter().filter(|f| f.filename.ends_with(".whl")).cloned().collect();
        let wheels = page
            .files
            .into_iter()
            .filter(|f| {
                f.filename.ends_with(".whl")
                    && matches!(f.yanked, serde_json::Value::Null | serde_json::Value::Bool(false))
            })
            .filter_map(|f| {
                let version = f.filename.split('-').nth(1).and_then(|v| Version::parse(v).ok())?;
                Some((version, f))
            })
            .collect();
        Ok(Project { url, wheels, listed })
    }

    /// The index's own wheel named `filename`: its URL (as den locks it) and sha256. The
    /// index's answer decides what a den.lock may name for this project.
    pub fn listed(&self, filename: &str) -> Option<Wheel> {
        self.listed.iter().find(|f| f.filename == filename).map(|f| Wheel {
            filename: f.filename.clone(),
            url: join_url(&self.url, &f.url).split('#').next().unwrap_or_default().to_string(),
            sha256: f.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
            size: f.size,
        })
    }

    /// The versions with a wheel that fits `platform`.
    pub fn versions(&self, platform: Platform, libc: Option<Libc>) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for (version, file) in &self.wheels {
            if rank(&file.filename, platform, libc).is_some()
                && !out.iter().any(|e| e.version.as_str() == version.as_str())
            {
                out.push(Entry::plain(version.clone()));
            }
        }
        out
    }

    /// The best wheel of `version` for `platform`.
    pub fn wheel(&self, version: &str, platform: Platform, libc: Option<Libc>) -> Option<Wheel> {
        self.wheels
            .iter()
            .filter(|(v, _)| v.as_str() == version)
            .filter_map(|(_, f)| rank(&f.filename, platform, libc).map(|r| (r, f)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, f)| Wheel {
                filename: f.filename.clone(),
                url: join_url(&self.url, &f.url).split('#').next().unwrap_or_default().to_string(),
                sha256: f.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
                size: f.size,
            })
    }
}

/// How well a wheel's tags fit (`None`: not at all). Prefers a specific platform tag over
/// `any`, `none` ABI over `abi3` over a CPython ABI, then the newest platform version.
pub fn rank(filename: &str, platform: Platform, libc: Option<Libc>) -> Option<(u8, u8, u32, u32)> {
    let stem = filename.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 5 {
        return None;
    }
    let (python, abi, plats) = (parts[parts.len() - 3], parts[parts.len() - 2], parts[parts.len() - 1]);
    if !python.split('.').any(|p| p.starts_with("py3") || p.starts_with("cp3")) {
        return None;
    }
    let abi_rank = abi.split('.').map(|a| match a {
        "none" => 2,
        "abi3" => 1,
        _ => 0,
    });
    let abi_rank = abi_rank.max()?;
    plats
        .split('.')
        .filter_map(|p| platform_rank(p, platform, libc))
        .max()
        .map(|(kind, x, y)| (kind, abi_rank, x, y))
}

/// One platform tag against a platform: (2 specific / 1 universal / 0 any, version).
fn platform_rank(tag: &str, platform: Platform, libc: Option<Libc>) -> Option<(u8, u32, u32)> {
    if tag == "any" {
        return Some((0, 0, 0));
    }
    let arch = match (platform.os, platform.arch) {
        (Os::Linux, Arch::X64) | (Os::Darwin, Arch::X64) => "x86_64",
        (Os::Linux, Arch::Arm64) => "aarch64",
        (Os::Darwin, Arch::Arm64) => "arm64",
    };
    match platform.os {
        Os::Linux => {
            let (glibc, musl) = match libc {
                Some(Libc::Musl(a, b)) => (None, Some((a, b))),
                Some(Libc::Glibc(a, b)) => (Some((a, b)), None),
                None => (Some((2, 17)), None),
            };
            let rest = tag.strip_suffix(arch)?.strip_suffix('_')?;
            let legacy = match rest {
                "manylinux1" => Some((2, 5)),
                "manylinux2010" => Some((2, 12)),
                "manylinux2014" => Some((2, 17)),
                _ => None,
            };
            if let Some(v) = legacy {
                return (glibc? >= v).then_some((2, v.0, v.1));
            }
            let (family, version) = rest.split_once('_')?;
            let v = two_numbers(version)?;
            match family {
                "manylinux" => (glibc? >= v).then_some((2, v.0, v.1)),
                "musllinux" => (musl? >= v).then_some((2, v.0, v.1)),
                _ => None,
            }
        }
        Os::Darwin => {
            let rest = tag.strip_prefix("macosx_")?;
            let mut it = rest.splitn(3, '_');
            let (x, y, a) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?);
            let fits = a == arch
                || (platform.arch == Arch::X64 && ["intel", "fat64", "fat3", "universal"].contains(&a))
                || a == "universal2";
            fits.then_some((if a == arch { 2 } else { 1 }, x, y))
        }
    }
}

fn two_numbers(text: &str) -> Option<(u32, u32)> {
    let (a, b) = text.split_once('_')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// A wheel an application installs on one interpreter: where it is and its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppWheel {
    pub wheel: Wheel,
    /// Its core metadata file (PEP 658), when the index serves one.
    pub metadata: Option<String>,
}

impl Project {
    /// Whether `version` has a pure-Python wheel (`py3-none-any`): an application den
    /// installs with its dependencies, not a carrier of a platform binary.
    pub fn has_pure_wheel(&self, version: &str) -> bool {
        self.wheels.iter().any(|(v, f)| {
            v.as_str() == version
                && f.filename.ends_with("-none-any.whl")
                && python_tags(&f.filename).iter().any(|t| t.starts_with("py3"))
        })
    }

    /// The versions with a wheel for CPython `3.minor` on `platform` that its
    /// `Requires-Python` allows.
    pub fn app_versions(&self, minor: u32, platform: Platform, libc: Option<Libc>) -> Vec<Version> {
        let mut out: Vec<Version> = Vec::new();
        for (version, file) in &self.wheels {
            if self.fits_app(file, minor, platform, libc) && !out.contains(version) {
                out.push(version.clone());
            }
        }
        out
    }

    /// The best wheel of `version` for CPython `3.minor` on `platform`.
    pub fn app_wheel(
        &self,
        version: &str,
        minor: u32,
        platform: Platform,
        libc: Option<Libc>,
    ) -> Option<AppWheel> {
        let (_, file) = self
            .wheels
            .iter()
            .filter(|(v, f)| v.as_str() == version && self.fits_app(f, minor, platform, libc))
            .filter_map(|(v, f)| rank(&f.filename, platform, libc).map(|r| (r, (v, f))))
            .max_by(|a, b| a.0.cmp(&b.0))?
            .1;
        let url = join_url(&self.url, &file.url).split('#').next().unwrap_or_default().to_string();
        let served =
            |v: &serde_json::Value| !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(false));
        let metadata = (served(&file.core_metadata) || served(&file.dist_info_metadata))
            .then(|| format!("{url}.metadata"));
        Some(AppWheel {
            wheel: Wheel {
                filename: file.filename.clone(),
                url,
                sha256: file.hashes.get("sha256").map(|h| h.to_ascii_lowercase()),
                size: file.size,
            },
            metadata,
        })
    }

    fn fits_app(&self, file: &File, minor: u32, platform: Platform, libc: Option<Libc>) -> bool {
        let python = Version::parse(&format!("3.{minor}.99")).ok();
        let requires_ok = match (&file.requires_python, &python) {
            (Some(spec), Some(v)) => super::pep440::allows(spec, v, true),
            _ => true,
        };
        requires_ok && fits_python(&file.filename, minor) && rank(&file.filename, platform, libc).is_some()
    }
}

/// The python tags of a wheel's file name (`py3`, `cp312`).
fn python_tags(filename: &str) -> Vec<String> {
    let stem = filename.strip_suffix(".whl").unwrap_or(filename);
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 5 {
        return Vec::new();
    }
    parts[parts.len() - 3].split('.').map(str::to_string).collect()
}

/// Whether a wheel runs on CPython `3.minor`: `py3`/`py3N` (N ≤ minor) with any ABI it
/// names as `none`, `cp3N` with `abi3` (N ≤ minor), or exactly `cp3<minor>`.
pub fn fits_python(filename: &str, minor: u32) -> bool {
    let stem = filename.strip_suffix(".whl").unwrap_or(filename);
    let parts: Vec<&str> = stem.split('-').collect();
    if parts.len() < 5 {
        return false;
    }
    let abis: Vec<&str> = parts[parts.len() - 2].split('.').collect();
    let exact = format!("cp3{minor}");
    python_tags(filename).iter().any(|tag| {
        let n = |prefix: &str| {
            tag.strip_prefix(prefix).map(|r| if r.is_empty() { Some(0) } else { r.parse::<u32>().ok() })
        };
        if let Some(Some(n)) = n("py3") {
            return n <= minor && abis.contains(&"none");
        }
        if let Some(Some(n)) = n("cp3") {
            return (abis.contains(&"abi3") && n <= minor)
                || (tag == &exact && (abis.contains(&exact.as_str()) || abis.contains(&"none")));
        }
        false
    })
}
