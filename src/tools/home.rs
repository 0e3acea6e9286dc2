//! A runtime's home for one installed tool: the variables its catalog definition sets
//! (`catalog::home`: `GOROOT`, `GOTOOLCHAIN`, `JAVA_HOME`, `GEM_HOME`) and the writable
//! directories it puts on PATH (`gem install`'s `bin/`), rendered for the directory it was
//! installed in. Only a tool installed from its catalog definition gets them (a den.toml
//! `source`/`url` names some other build, whose layout den does not know). Reads the
//! embedded catalog only: no disk, no network, so the hook's path can ask it. Never
//! creates the writable directories: the runtime makes them when it first writes.

use std::path::{Path, PathBuf};

use crate::catalog::{self, Places};
use crate::paths::Bucket;

/// The writable directory of `tool` outside the store, one per user (`{home}`): what a
/// runtime installs or caches there (modules, gems) is shared by the user's projects the
/// way the store is, and a project with foreign files only gets nothing written into it.
pub fn writable_dir(tool: &str) -> PathBuf {
    Bucket::Homes.path().join(tool)
}

/// Whether `version` (den.lock's, which a repository writes) can be part of a path: a
/// version's characters only, never `..` or a leading dot, so `{home}/{version}` stays a
/// directory of `{home}`.
fn plain_version(version: &str) -> bool {
    !version.is_empty()
        && !version.starts_with('.')
        && !version.contains("..")
        && version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
}

/// What an installed runtime's definition adds to the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Home {
    /// Variables, in the definition's order.
    pub env: Vec<(String, String)>,
    /// Writable directories for PATH, after the tool's own binaries.
    pub path: Vec<PathBuf>,
}

/// What `name`'s definition adds for the tool installed at `dir` in `version` with `bins`
/// (full paths), when it came from the catalog (`source` is den.lock's `source`).
pub fn of(name: &str, version: &str, source: &str, dir: &Path, bins: &[PathBuf]) -> Home {
    if source != "catalog" || !catalog::may_have_home(name) || !plain_version(version) {
        return Home::default();
    }
    let Ok(tool) = catalog::get(name) else { return Home::default() };
    if tool.env.is_empty() && tool.path.is_empty() {
        return Home::default();
    }
    // The runtime's root holds the `bin/` of its first binary (`go/bin/go` → `go`).
    let root = bins
        .first()
        .and_then(|b| b.parent())
        .filter(|d| d.file_name().is_some_and(|n| n == "bin"))
        .and_then(Path::parent)
        .unwrap_or(dir);
    let home = writable_dir(name);
    let places = Places { dir, root, home: &home, version };
    Home {
        env: tool.env.iter().map(|v| (v.name.clone(), v.render(&places))).collect(),
        path: tool.path.iter().map(|p| PathBuf::from(p.render(&places))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_gets_its_home_and_a_hostile_version_gets_none() {
        let dir = Path::new("/s/tools-v1/k");
        let bins = [dir.join("ruby-3.4.1/bin/ruby")];
        let home = of("ruby", "3.4.1", "catalog", dir, &bins);
        let gems = writable_dir("ruby").join("3.4.1");
        assert_eq!(home.env, [("GEM_HOME".to_string(), gems.to_string_lossy().into_owned())]);
        assert_eq!(home.path, [gems.join("bin")]);
        for version in ["../../../.ssh", "..", ".hidden", "3.4/../../x", "", "3.4.1\nX=1"] {
            assert_eq!(of("ruby", version, "catalog", dir, &bins), Home::default(), "{version:?}");
        }
        assert_eq!(
            of("ruby", "3.4.1", "github:jdx/ruby", dir, &bins),
            Home::default(),
            "not den's definition"
        );
        assert_eq!(of("node", "22.1.0", "catalog", dir, &bins), Home::default(), "no home");
    }

    #[test]
    fn the_root_holds_the_first_binarys_bin() {
        let dir = Path::new("/s/tools-v1/k");
        let java = of("java", "21.0.5+11", "catalog", dir, &[dir.join("jdk-21.0.5+11/bin/java")]);
        assert_eq!(java.env, [("JAVA_HOME".to_string(), "/s/tools-v1/k/jdk-21.0.5+11".to_string())]);
        // A binary not in a `bin/` directory: the install directory is the root.
        let java = of("java", "21.0.5+11", "catalog", dir, &[dir.join("java")]);
        assert_eq!(java.env, [("JAVA_HOME".to_string(), "/s/tools-v1/k".to_string())]);
    }
}
