//! The node an npm application runs on when the tools at hand have none: den's newest
//! installed node, after every tool's directories on PATH (the project's or a named node
//! comes first and wins). An application's commands are `bin/<name>` links into its
//! `package/` whose shebang asks for `node`; without this, they would find the machine's.
//!
//! Reads the store's index and a few links only: no network, nothing written, so the
//! hook's path can ask it. Never adds a directory that is not an installed node's.

use std::path::{Path, PathBuf};

use super::Installed;
use super::index::Index;
use crate::catalog::Platform;

/// The directory of den's newest node, when some tool in `installed` is an npm
/// application and none of them brings a `node`.
pub fn node_dir(installed: &[Installed]) -> Option<PathBuf> {
    let has_node =
        installed.iter().any(|t| t.bins.iter().any(|b| b.file_name().is_some_and(|n| n == "node")));
    if has_node || !installed.iter().any(is_npm_application) {
        return None;
    }
    let store = super::store();
    let platform = Platform::current()?.to_string();
    let index = Index::read(&store);
    let mut nodes: Vec<(crate::version::Version, PathBuf)> = index
        .tools
        .iter()
        .filter(|e| e.name == "node" && e.platform == platform)
        .filter_map(|e| {
            let version = crate::version::Version::parse(&e.version).ok()?;
            let bin = e.bin.iter().find(|b| b.rsplit('/').next() == Some("node"))?;
            let path = store.tool_dir(&e.key).join(bin);
            let dir = path.parent()?.to_path_buf();
            path.is_file().then_some((version, dir))
        })
        .collect();
    nodes.sort_by(|a, b| b.0.cmp(&a.0));
    nodes.into_iter().next().map(|(_, dir)| dir)
}

/// Whether `tool` is an npm application as `resolve` installs one: its commands are
/// `bin/<name>` links into the package's own directory.
fn is_npm_application(tool: &Installed) -> bool {
    let bin = tool.dir.join("bin");
    tool.dir.join("package/package.json").is_file()
        && tool.bins.iter().any(|b| {
            b.parent() == Some(bin.as_path())
                && std::fs::read_link(b).is_ok_and(|target| target.starts_with(Path::new("../package")))
        })
}
