//! The shared store (spec §5): one verified copy of each upstream artifact per machine.
//! `install` puts an artifact (fetched with the `http` leaf) in place atomically under a
//! cross-process lock, and `unpack` turns a downloaded archive into an install directory,
//! refusing anything that would escape it; `post_install` finishes it. `pipeline` is the
//! one install pipeline of an artifact (download → verify → unpack → post-install → bins
//! → receipt) that `tools` hands each artifact to. `receipt`,
//! `manifest` and `projects` are the bookkeeping that `den cache` (`gc`) reads. Nothing
//! here decides versions, and nothing here reads den.lock: `gc::prune` is handed the keys
//! to keep (`tools::pins`). Bucket names come from `paths::Bucket`.
//!
//! Layout under the data directory (`den cache dir`; buckets are versioned, a change of
//! layout is a new bucket, never a migration):
//!
//! ```text
//! (every directory 0700, every file den writes 0600; installed trees are read-only)
//! tools-v1/CACHEDIR.TAG
//! tools-v1/<key>/                 an installed tool, named by its artifact's checksum
//!                                 (`sha256-<hex>`, `sha512-<hex>`, see `key`); appears by rename
//!                                 only, sealed read-only (0555 dirs and executables, 0444 files)
//! tools-v1/<key>.toml             its receipt: name, version, url, checksum, installed_at, size;
//!                                 the file's mtime is when a `den run` last used it
//! tools-v1/<key>.files.json       its file manifest: {"files": {path: sha256 hex}, "links": {path: target}}
//! tools-v1/.tmp-<pid>-<start>-*   install directories being filled (or tools being removed)
//! downloads-v1/<key>.part         downloads in progress (kept for resuming)
//! downloads-v1/.tmp-<pid>-<start>-*  downloads whose checksum is not known yet
//! locks-v1/<key>.lock             cross-process install locks
//! projects-v1.toml                roots of the projects den installed for (`projects`)
//! ```
//!
//! `Store::install` writes the manifest and the receipt before it renames the tool into
//! place, under the install lock: a visible tool always has both, and a den that waited
//! for another reads the receipt the installer wrote. The installer then records the
//! project (`projects::record`); `den run` calls `receipt::touch`. What a killed den leaves
//! (staging dirs and temp files named after a process that is gone, a tool without a
//! receipt from an older den) is removed by the next install or `den cache` command
//! (`Store::remove_leftovers`).

mod error;
pub mod gc;
pub mod health;
pub mod install;
mod layout;
pub mod manifest;
mod otp_install;
pub mod pipeline;
pub mod post_install;
pub mod projects;
mod python_scripts;
pub mod receipt;
pub mod unpack;

pub use error::{Error, is_out_of_space};
pub use layout::Store;
pub use pipeline::InstallError;
