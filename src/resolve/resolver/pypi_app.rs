//! A PyPI package that is an application (it publishes a pure-Python wheel): its whole
//! dependency set for one interpreter (`sources::pypi_tree`), every wheel a `Step::Package`
//! into `lib/`, and `Step::PythonScripts` writing launchers for its console scripts.
//!
//! The interpreter is the `python3` on PATH (den's python when the project has one there,
//! else the system's), read from the name its link resolves to (`python3.12`), with no
//! process started; den.lock records it in the step. Never chooses an sdist.

use std::collections::HashMap;
use std::path::PathBuf;

use super::*;
use crate::artifact::Step;
use crate::resolve::host::Libc;
use crate::resolve::sources::pypi_tree;

/// A Python application's top wheel, its steps and interpreter.
pub(super) struct PyApp {
    pub wheel: pypi::Wheel,
    pub steps: Vec<Step>,
}

impl Resolver {
    /// The application `package@version` for `platform`, or `None` when it has no pure
    /// wheel (a carrier of a platform binary, installed as it is).
    pub(super) fn pypi_app(
        &self,
        project: &pypi::Project,
        package: &str,
        version: &str,
        (platform, libc): (Platform, Option<Libc>),
    ) -> Result<Option<PyApp>, Error> {
        if !project.has_pure_wheel(version) {
            return Ok(None);
        }
        let refuse = |reason: String, hint: &str| Error::AppTree {
            package: format!("{package} {version}"),
            reason,
            hint: hint.into(),
        };
        let (python, minor, path) = system_python().ok_or_else(|| {
            refuse(
                "it needs a python3, and there is none on PATH".into(),
                "install python3 (3.8 or newer) or add `python` to den.toml's tools",
            )
        })?;
        let line = format!(
            "{package} runs on {python} ({}), the python3 on PATH: den.lock records it",
            path.display()
        );
        if self.noted.lock().unwrap_or_else(|e| e.into_inner()).insert(line.clone()) {
            ui::note(&line);
        }
        let top = project.app_wheel(version, minor, platform, libc).ok_or_else(|| {
            refuse(format!("no wheel of it runs on {python}"), "pick a version that supports this python")
        })?;
        let index = self.registry("pypi", || registry::pypi_index(&self.sources, &self.discovery))?;
        let env = pypi_tree::Env {
            python_version: format!("3.{minor}"),
            python_full_version: format!("3.{minor}.0"),
            sys_platform: if platform.os == crate::catalog::Os::Darwin { "darwin" } else { "linux" }.into(),
            platform_machine: match (platform.os, platform.arch) {
                (_, crate::catalog::Arch::X64) => "x86_64",
                (crate::catalog::Os::Linux, crate::catalog::Arch::Arm64) => "aarch64",
                _ => "arm64",
            }
            .into(),
        };
        let mut tree =
            Tree { resolver: self, index: &index.url, minor, platform, libc, projects: HashMap::new() };
        tree.projects.insert(pypi::normalize(package), Rc::new(clone_project(self, &index.url, package)?));
        let root = Version::parse(version)
            .map_err(|_| refuse(format!("`{version}` is not a version"), "pin a release"))?;
        let set = pypi_tree::resolve(package, &root, &env, &mut tree).map_err(|reason| {
            refuse(reason, "pin versions that agree, or report it to the package's authors")
        })?;
        let mut steps = Vec::new();
        for (name, version) in set.into_iter().skip(1) {
            let wheel = tree.wheel(&name, &version).map_err(|reason| refuse(reason, "try again later"))?;
            let sha = wheel.wheel.sha256.ok_or_else(|| {
                refuse(
                    format!("the index gives no sha256 for {}", wheel.wheel.filename),
                    "den locks every wheel by its sha256",
                )
            })?;
            steps.push(Step::Package {
                name,
                url: wheel.wheel.url,
                checksum: format!("sha256:{sha}"),
                into: "lib".into(),
            });
        }
        steps.push(Step::PythonScripts { python });
        Ok(Some(PyApp { wheel: top.wheel, steps }))
    }
}

use std::rc::Rc;

pub(super) fn clone_project(resolver: &Resolver, index: &str, name: &str) -> Result<pypi::Project, Error> {
    let client = resolver.fetch.client.with_header("Accept", pypi::ACCEPT);
    pypi::Project::fetch(&resolver.fetch, &client, index, name)
}

struct Tree<'a> {
    resolver: &'a Resolver,
    index: &'a str,
    minor: u32,
    platform: Platform,
    libc: Option<Libc>,
    projects: HashMap<String, Rc<pypi::Project>>,
}

impl Tree<'_> {
    fn project(&mut self, name: &str) -> Result<Rc<pypi::Project>, String> {
        if let Some(p) = self.projects.get(name) {
            return Ok(p.clone());
        }
        let p = Rc::new(clone_project(self.resolver, self.index, name).map_err(|e| format!("{name}: {e}"))?);
        self.projects.insert(name.to_string(), p.clone());
        Ok(p)
    }

    fn wheel(&mut self, name: &str, version: &Version) -> Result<pypi::AppWheel, String> {
        let project = self.project(name)?;
        project.app_wheel(version.as_str(), self.minor, self.platform, self.libc).ok_or_else(|| {
            format!(
                "no wheel of {name} {version} runs on python 3.{} here (den installs wheels only)",
                self.minor
            )
        })
    }
}

impl pypi_tree::Index for Tree<'_> {
    fn versions(&mut self, name: &str) -> Result<Vec<Version>, String> {
        Ok(self.project(name)?.app_versions(self.minor, self.platform, self.libc))
    }

    fn requires(&mut self, name: &str, version: &Version) -> Result<Vec<pypi_tree::Requirement>, String> {
        let wheel = self.wheel(name, version)?;
        let text = match wheel.metadata.as_deref().map(|url| self.resolver.fetch.file(url)) {
            Some(Ok(text)) => text,
            // No metadata file (PEP 658) served: the wheel itself, verified, read in place.
            _ => metadata_of_wheel(self.resolver, &wheel.wheel)?,
        };
        Ok(pypi_tree::metadata(&text).0)
    }
}

/// The largest METADATA file read from a wheel.
const MAX_METADATA: u64 = 4 << 20;

/// `*.dist-info/METADATA` of `wheel`, downloaded (checked against its sha256) into a
/// temporary file that is gone afterwards.
fn metadata_of_wheel(resolver: &Resolver, wheel: &pypi::Wheel) -> Result<String, String> {
    use std::io::Read;
    let sha =
        wheel.sha256.as_deref().ok_or_else(|| format!("the index gives no sha256 for {}", wheel.filename))?;
    let checksum: crate::artifact::checksum::Checksum =
        format!("sha256:{sha}").parse().map_err(|_| format!("a bad sha256 for {}", wheel.filename))?;
    let tmp = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
    let url = resolver.fetch.mirrors.apply(&wheel.url);
    resolver
        .fetch
        .client
        .download(&url, tmp.path(), Some(&checksum), wheel.size, &http::NoProgress)
        .map_err(|e| format!("{}: {e}", wheel.filename))?;
    let file = std::fs::File::open(tmp.path()).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", wheel.filename))?;
    let name = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i).and_then(|r| r.ok()).map(|n| n.to_string()))
        .find(|n| n.ends_with(".dist-info/METADATA") && n.matches('/').count() == 1)
        .ok_or_else(|| format!("{} has no METADATA", wheel.filename))?;
    let entry = archive.by_name(&name).map_err(|e| e.to_string())?;
    let mut text = String::new();
    entry.take(MAX_METADATA).read_to_string(&mut text).map_err(|e| format!("{name}: {e}"))?;
    Ok(text)
}

/// `(python3.N, N, path)` of the `python3` on PATH, from the name its links resolve to.
fn system_python() -> Option<(String, u32, PathBuf)> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("python3");
        let Ok(real) = std::fs::canonicalize(&candidate) else { continue };
        let name = real.file_name()?.to_string_lossy().into_owned();
        let minor = name.strip_prefix("python3.").and_then(|m| m.parse::<u32>().ok());
        if let Some(minor) = minor {
            return Some((format!("python3.{minor}"), minor, candidate));
        }
    }
    None
}
