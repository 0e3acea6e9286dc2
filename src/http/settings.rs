//! How the HTTP client behaves: offline or not, timeouts, retries, proxies and where the
//! response cache lives, read once from the environment (or given by tests).

use std::path::PathBuf;
use std::time::Duration;

use super::proxy::ProxyEnv;
use crate::fs_util::parse_size;
use crate::{env_vars, paths, ui};

/// Most bytes a download of unrecorded size may have unless `DEN_MAX_DOWNLOAD` says otherwise.
const MAX_DOWNLOAD: u64 = 8 << 30;

/// The cache bucket for HTTP responses under the cache dir (a new format is a new bucket).
#[cfg(test)]
pub const CACHE_BUCKET: &str = paths::Bucket::HttpCache.name();

/// Everything the client needs to know besides the URL.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `--offline` / `DEN_OFFLINE=1`: no request is ever made.
    pub offline: bool,
    /// Longest wait for a connection (DNS, TCP, TLS, proxy handshake).
    pub connect_timeout: Duration,
    /// Longest silence from a server while waiting for its answer or its next bytes.
    pub read_timeout: Duration,
    /// Tries per request, first one included.
    pub attempts: u32,
    /// Pause before the first retry; doubled before each further one.
    pub backoff: Duration,
    /// The proxy variables.
    pub proxies: ProxyEnv,
    /// Directory of cached responses (`cached_get`).
    pub cache_dir: PathBuf,
    /// Fetch cached responses again whatever their age (`den upgrade`, `den outdated`,
    /// `den ls-remote` ask what is newest now); a stale copy still serves when unreachable.
    pub refresh: bool,
    /// Most bytes a download may have when its size is not recorded (`DEN_MAX_DOWNLOAD`).
    pub max_download: u64,
    /// Hosts (`name` or `name:port`) reached over plain http although not this machine:
    /// the user config's `insecure_http`. Loopback hosts need no entry.
    pub insecure_http: Vec<String>,
    /// Tests only: trust this PEM certificate instead of the system store.
    #[cfg(test)]
    pub test_root: Option<&'static str>,
}

impl Settings {
    /// The settings of this process: its environment and den's cache dir.
    pub fn from_env(offline: bool) -> Self {
        Self::from_lookup(offline, &|name| std::env::var(name).ok(), paths::Bucket::HttpCache.path())
    }

    /// Settings from any variable lookup (tests pass a map instead of the environment).
    pub fn from_lookup(offline: bool, lookup: &dyn Fn(&str) -> Option<String>, cache_dir: PathBuf) -> Self {
        let mut settings = Settings {
            offline,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            attempts: 3,
            backoff: Duration::from_millis(200),
            proxies: ProxyEnv::from_lookup(lookup),
            cache_dir,
            refresh: false,
            max_download: MAX_DOWNLOAD,
            insecure_http: Vec::new(),
            #[cfg(test)]
            test_root: None,
        };
        if let Some(raw) = lookup(env_vars::DEN_MAX_DOWNLOAD).filter(|v| !v.is_empty()) {
            match parse_size(&raw) {
                Some(bytes) => settings.max_download = bytes,
                None => ui::warn(&format!(
                    "ignoring {}=`{raw}`: not a size (bytes, or a number with K, M, G or T)",
                    env_vars::DEN_MAX_DOWNLOAD
                )),
            }
        }
        if let Some(raw) = lookup(env_vars::DEN_HTTP_TIMEOUT).filter(|v| !v.is_empty()) {
            match raw.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0) {
                Some(secs) => {
                    settings.connect_timeout = Duration::from_secs_f64(secs);
                    settings.read_timeout = Duration::from_secs_f64(secs);
                }
                None => ui::warn(&format!(
                    "ignoring {}=`{raw}`: not a number of seconds",
                    env_vars::DEN_HTTP_TIMEOUT
                )),
            }
        }
        if let Some(raw) = lookup(env_vars::DEN_HTTP_RETRIES).filter(|v| !v.is_empty()) {
            match raw.trim().parse::<u32>() {
                Ok(retries) => settings.attempts = retries.saturating_add(1),
                Err(_) => ui::warn(&format!("ignoring {}=`{raw}`: not a count", env_vars::DEN_HTTP_RETRIES)),
            }
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_and_retries_come_from_the_environment() {
        let vars = |name: &str| match name {
            "DEN_HTTP_TIMEOUT" => Some("1.5".to_string()),
            "DEN_HTTP_RETRIES" => Some("0".to_string()),
            "DEN_MAX_DOWNLOAD" => Some("1.5G".to_string()),
            _ => None,
        };
        let s = Settings::from_lookup(false, &vars, PathBuf::from("/c"));
        assert_eq!(s.connect_timeout, Duration::from_millis(1500));
        assert_eq!(s.read_timeout, Duration::from_millis(1500));
        assert_eq!(s.attempts, 1);
        assert_eq!(s.max_download, 3 << 29);
        let d = Settings::from_lookup(true, &|_| None, PathBuf::from("/c"));
        assert_eq!((d.offline, d.attempts, d.read_timeout), (true, 3, Duration::from_secs(30)));
        assert_eq!(d.max_download, 8 << 30);
    }
}
