//! HTTP for den: a blocking client that verifies TLS against the system certificate
//! store, follows the proxy variables, retries what may succeed on a second try, streams
//! downloads to disk with resume and checksums, reports progress, and caches slowly
//! changing answers. In offline mode it never opens a connection. It knows nothing about
//! tools, sources or the store's layout: callers pass URLs and paths.

mod cache;
mod checksum;
mod client;
mod download;
mod error;
mod progress;
mod proxy;
mod settings;
#[cfg(test)]
mod tests;

pub use checksum::Checksum;
pub use client::Client;
pub use error::Error;
pub use progress::{Reporter, human_bytes};
pub use settings::Settings;
#[cfg(test)]
use {
    client::Page, download::Downloaded, progress::NoProgress, progress::Progress, proxy::ProxyEnv,
    settings::CACHE_BUCKET,
};
