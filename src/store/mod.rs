//! The shared store (spec §5): one verified copy of each upstream artifact per machine.
//! `http` fetches (system certificates, proxies, retries, resume, progress), `install`
//! puts an artifact in place atomically under a cross-process lock, and `unpack` turns a
//! downloaded archive into an install directory, refusing anything that would escape it;
//! `post_install` finishes it. `receipt`, `manifest` and `projects` are the bookkeeping that
//! `den cache` (`gc`) reads. Nothing here decides versions.
//!
//! Layout under the data directory (`den cache dir`; buckets are versioned, a change of
//! layout is a new bucket, never a migration):
//!
//! ```text
//! tools-v1/CACHEDIR.TAG
//! tools-v1/<key>/                 an installed tool, named by its artifact's checksum
//!                                 (`sha256-<hex>`, `sha512-<hex>`, see `key`); appears by rename only
//! tools-v1/<key>.toml             its receipt: name, version, url, checksum, installed_at, size;
//!                                 the file's mtime is when a `den run` last used it
//! tools-v1/<key>.files.json       its file manifest: {"files": {path: sha256 hex}, "links": {path: target}}
//! tools-v1/.tmp-*                 install directories being filled
//! downloads-v1/<key>.part         downloads in progress (kept for resuming)
//! locks-v1/<key>.lock             cross-process install locks
//! projects-v1.toml                roots of the projects den installed for (`projects`)
//! ```
//!
//! The installer, after a successful `Store::install`, writes the receipt
//! (`receipt::write`) and the manifest (`manifest::write`, from the staged directory or the
//! installed one), and records the project (`projects::record`); `den run` calls
//! `receipt::touch`.

mod error;
pub mod gc;
pub mod http;
pub mod install;
pub mod key;
pub mod manifest;
pub mod post_install;
pub mod projects;
pub mod receipt;
pub mod unpack;

pub use error::Error;
pub use install::Store;
