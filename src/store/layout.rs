//! Where things are in the shared store: the `Store` (its root), its versioned buckets
//! (tools, downloads, locks), each created private and tagged as a cache, and where a
//! tool is unpacked. Below `install`, `receipt` and `manifest`, which all name these
//! places; installing is `install`'s. Never removes anything.

use std::path::{Path, PathBuf};

use super::Error;
use crate::fs_util;
use crate::paths::Bucket;

/// Buckets are versioned: a change of layout is a new bucket, never a migration.
pub(crate) const TOOLS: &str = Bucket::Tools.name();
pub(crate) const DOWNLOADS: &str = Bucket::Downloads.name();
pub(crate) const LOCKS: &str = Bucket::Locks.name();

const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This directory holds den's store: tools and downloads that den fetches again if needed.\n\
# For information about cache directory tags see https://bford.info/cachedir/\n";

/// The shared store under den's data directory.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store rooted at `root` (normally `paths::data_dir()`).
    pub fn new(root: PathBuf) -> Store {
        Store { root }
    }

    /// The store's root directory (`den cache dir`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory of installed tools. Its modification time changes whenever a tool is
    /// installed or removed, which the activation hook watches.
    pub fn tools_bucket(&self) -> PathBuf {
        self.root.join(TOOLS)
    }

    /// Where the artifact with this checksum key (`sha256-<hex>`) is, or would be, unpacked.
    pub fn tool_dir(&self, key: &str) -> PathBuf {
        self.root.join(TOOLS).join(key)
    }

    /// Whether the artifact is installed; true means complete, as directories only appear
    /// by rename.
    pub fn is_installed(&self, key: &str) -> bool {
        self.tool_dir(key).is_dir()
    }

    /// A bucket of the store, created private (0700, like the root) and tagged as a cache.
    pub(crate) fn bucket(&self, name: &str) -> Result<PathBuf, Error> {
        let dir = self.root.join(name);
        fs_util::private_dir(&self.root).map_err(Error::write(&self.root))?;
        fs_util::private_dir(&dir).map_err(Error::write(&dir))?;
        let tag = dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            fs_util::write_atomic(&tag, CACHEDIR_TAG.as_bytes(), 0o600).map_err(Error::write(&tag))?;
        }
        Ok(dir)
    }
}
