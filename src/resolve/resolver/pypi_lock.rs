//! A den.lock's PyPI files held to the index. The simple index serves its files from a
//! host of its own choosing, which no configuration predicts (so `lock::vet` cannot check
//! their URLs offline); instead the index's own answer decides: every wheel a locked
//! `pypi:` tool downloads (its own, and each dependency wheel of a Python application)
//! must be a file the configured index lists for that project, at exactly the URL and with
//! exactly the sha256 the index gives for that file name.
//!
//! Asks the index (its project pages, cached like any version list); never downloads a
//! wheel, never trusts the lock's URL to find the file, never runs a program.

use super::*;
use crate::artifact::Step;

/// A locked PyPI file that is not the index's own, or that den could not check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotIndexed {
    pub url: String,
    pub why: String,
    /// Den could not ask the index (offline with no cached answer, or it is unreachable).
    pub unasked: bool,
}

impl Resolver {
    /// Whether every PyPI file `locked` downloads on `platform` is the index's own for its
    /// project (see the module doc). `Ok` when `req` has no PyPI source.
    pub fn vet_pypi_files(
        &self,
        req: &ToolRequest,
        locked: &Resolved,
        platform: Platform,
    ) -> Result<(), NotIndexed> {
        let Some(artifact) = locked.artifacts.get(&platform) else { return Ok(()) };
        let sources = catalog::sources_of(&req.name, req.source.as_deref(), req.url.as_deref(), &req.bin)
            .unwrap_or_default();
        let packages: Vec<&str> = sources
            .iter()
            .filter_map(|s| match &s.kind {
                SourceKind::Pypi { package } => Some(package.as_str()),
                _ => None,
            })
            .collect();
        if packages.is_empty() {
            return Ok(());
        }
        // The tool's own file: from its PyPI source, unless another source of it (a
        // fallback) gives something that is not a wheel.
        if packages.len() == sources.len() || file_name(&artifact.url).ends_with(".whl") {
            let mut first = None;
            for package in &packages {
                match self.indexed(package, &artifact.url, &artifact.checksum) {
                    Ok(()) => {
                        first = None;
                        break;
                    }
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            }
            if let Some(e) = first {
                return Err(e);
            }
        }
        for step in &artifact.post_install {
            if let Step::Package { name, url, checksum, .. } = step
                && file_name(url).ends_with(".whl")
            {
                self.indexed(name, url, checksum)?;
            }
        }
        Ok(())
    }

    /// Whether `url` with `checksum` is the index's own file for `package`.
    fn indexed(&self, package: &str, url: &str, checksum: &str) -> Result<(), NotIndexed> {
        let refuse = |why: String, unasked: bool| NotIndexed { url: url.into(), why, unasked };
        let index = self
            .registry("pypi", || registry::pypi_index(&self.sources, &self.discovery))
            .map_err(|e| refuse(format!("den cannot find the PyPI index ({e})"), true))?;
        let project = super::pypi_app::clone_project(self, &index.url, package).map_err(|e| {
            let unasked = e.is_offline() || e.probed_unreachable();
            refuse(format!("den cannot ask the index about `{package}` ({e})"), unasked)
        })?;
        let name = file_name(url);
        let Some(listed) = project.listed(name) else {
            return Err(refuse(format!("the index lists no file `{name}` for `{package}`"), false));
        };
        if listed.url != url {
            return Err(refuse(format!("the index serves `{name}` from `{}`", listed.url), false));
        }
        let same = match (listed.sha256, checksum.parse::<http::Checksum>()) {
            (Some(hex), Ok(locked)) => {
                format!("sha256:{hex}").parse::<http::Checksum>().is_ok_and(|i| i == locked)
            }
            _ => false,
        };
        if !same {
            return Err(refuse(format!("its checksum is not the index's sha256 of `{name}`"), false));
        }
        Ok(())
    }
}

/// The last path segment of a URL (its query and fragment dropped).
fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.rsplit('/').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn a_file_name_is_the_last_segment_without_query_or_fragment() {
        assert_eq!(file_name("https://files.test/a/b/x-1.0-py3-none-any.whl"), "x-1.0-py3-none-any.whl");
        assert_eq!(file_name("https://files.test/a/x.whl?y=/z.whl#f"), "x.whl");
        assert_eq!(file_name("https://files.test/"), "");
    }
}
