//! Cached GETs for what changes slowly (version lists, release pages): each body is kept
//! under `<cache dir>/http-v1/<sha256 of the URL>` with the time it was fetched. Within
//! the time-to-live no request is made; offline, any cached copy is used whatever its
//! age. Entries are written atomically; a cache that cannot be written never fails a fetch.

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(test)]
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::client::Client;
#[cfg(test)]
use super::client::parse_json;
use super::error::{Error, Result};
use crate::artifact::checksum::to_hex;
use crate::ui;

const MAGIC: &str = "den-http-cache-v1";

impl Client {
    /// The body of `url`, from the cache when it is younger than `ttl` (or whatever its age
    /// when offline), else fetched and cached. When the server cannot be reached and a
    /// stale copy exists, the stale copy is used with a warning.
    pub fn cached_get(&self, url: &str, ttl: Duration) -> Result<String> {
        let path = self.settings().cache_dir.join(to_hex(&Sha256::digest(url.as_bytes())));
        let cached = read_entry(&path, url);
        match &cached {
            Some((age, body)) if self.settings().offline || (*age < ttl && !self.settings().refresh) => {
                return Ok(body.clone());
            }
            None if self.settings().offline => return Err(Error::Offline { url: url.to_string() }),
            _ => {}
        }
        match self.get_text(url) {
            Ok(body) => {
                if let Err(e) = write_entry(&path, url, &body) {
                    ui::warn(&format!("cannot cache {url} in {}: {e}", path.display()));
                }
                Ok(body)
            }
            Err(e @ (Error::Connect { .. } | Error::Timeout { .. })) => match cached {
                Some((age, body)) => {
                    ui::warn(&format!("{e}; using the copy fetched {} ago", human_age(age)));
                    Ok(body)
                }
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    #[cfg(test)]
    /// `cached_get`, parsed as JSON.
    pub fn cached_get_json<T: DeserializeOwned>(&self, url: &str, ttl: Duration) -> Result<T> {
        parse_json(url, &self.cached_get(url, ttl)?)
    }
}

/// The age and body of the entry for `url`, if there is a readable one.
fn read_entry(path: &Path, url: &str) -> Option<(Duration, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (header, rest) = text.split_once('\n')?;
    let (stored_url, body) = rest.split_once('\n')?;
    let secs: u64 = header.strip_prefix(MAGIC)?.trim().parse().ok()?;
    if stored_url != url {
        return None;
    }
    let fetched = UNIX_EPOCH + Duration::from_secs(secs);
    Some((SystemTime::now().duration_since(fetched).unwrap_or_default(), body.to_string()))
}

fn write_entry(path: &Path, url: &str, body: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::fs_util::create_private_dir_all(dir)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    write!(tmp, "{MAGIC} {now}\n{url}\n{body}")?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn human_age(age: Duration) -> String {
    match age.as_secs() {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}
