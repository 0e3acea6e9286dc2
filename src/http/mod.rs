//! HTTP for den: a blocking client that verifies TLS against the system certificate
//! store, follows the proxy variables, retries what may succeed on a second try, streams
//! downloads to disk with resume and checksums, reports progress, and caches slowly
//! changing answers. In offline mode it never opens a connection. It knows nothing about
//! tools, sources or the store's layout: callers pass URLs and paths.

mod cache;
mod client;
mod download;
mod error;
mod progress;
mod proxy;
mod request;
mod settings;
#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests;

pub use crate::artifact::checksum::{Checksum, Hasher};
pub use client::Client;
pub use download::Downloaded;
pub use error::Error;
pub use progress::NoProgress;
pub use progress::{Progress, Reporter, human_bytes};
pub use request::{Payload, Reply};
pub use settings::Settings;
#[cfg(test)]
use {client::Page, proxy::ProxyEnv, settings::CACHE_BUCKET};
