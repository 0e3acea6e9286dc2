//! The HTTP client: one ureq agent (system certificates, den's User-Agent, timeouts, no
//! implicit proxy), the proxy chosen per URL, retries with backoff, and answers turned
//! into typed errors. It never makes a request in offline mode.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[cfg(test)]
use serde::de::DeserializeOwned;
use ureq::http::{HeaderMap, Response};
use ureq::tls::{RootCerts, TlsConfig};
use ureq::{Body, Timeout};

use super::error::{Error, Result};
use super::settings::Settings;

/// Largest text body den reads into memory (package documents can be tens of MiB).
const TEXT_LIMIT: u64 = 256 * 1024 * 1024;

/// A cheap-to-clone HTTP client; clones share connections.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    settings: Arc<Settings>,
    headers: Vec<(String, String)>,
}

/// A text answer and the URL of its next page (from a `Link: <…>; rel="next"` header),
/// for paginated APIs.
#[derive(Debug, Clone)]
pub struct Page {
    pub text: String,
    /// The resolver pages GitHub by number through the version-list cache, which keeps
    /// bodies only; this is for callers that follow `Link` themselves.
    #[cfg_attr(not(test), allow(dead_code))]
    pub next: Option<String>,
}

impl Client {
    /// A client with these settings; TLS is verified against the system store.
    pub fn new(settings: Settings) -> Self {
        let tls = TlsConfig::builder().root_certs(RootCerts::PlatformVerifier).build();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .user_agent(format!("den/{}", env!("CARGO_PKG_VERSION")))
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_per_read(Some(settings.read_timeout))
            .proxy(None)
            .tls_config(tls)
            .build()
            .new_agent();
        Client { agent, settings: Arc::new(settings), headers: Vec::new() }
    }

    /// The same client sending one more header on every request (e.g. a token for an API).
    pub fn with_header(&self, name: &str, value: &str) -> Client {
        let mut client = self.clone();
        client.headers.push((name.to_string(), value.to_string()));
        client
    }

    /// The settings this client was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// GET `url` as text, with the next page's URL if the server paginates.
    pub fn get(&self, url: &str) -> Result<Page> {
        self.retrying(|| {
            let response = self.send(url, &[])?;
            let next = next_link(response.headers());
            let text = self.read_text(url, response)?;
            Ok(Page { text, next })
        })
    }

    /// GET `url` as text.
    pub fn get_text(&self, url: &str) -> Result<String> {
        self.get(url).map(|p| p.text)
    }

    #[cfg(test)]
    /// GET `url` and parse its JSON.
    pub fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T> {
        parse_json(url, &self.get_text(url)?)
    }

    /// One GET with the client's headers plus `extra`; any non-2xx answer is an error.
    pub(super) fn send(&self, url: &str, extra: &[(&str, String)]) -> Result<Response<Body>> {
        if self.settings.offline {
            return Err(Error::Offline { url: url.to_string() });
        }
        let mut request = self.agent.get(url);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        for (name, value) in extra {
            request = request.header(*name, value);
        }
        if let Some(proxy) = self.settings.proxies.proxy_for(url)? {
            request = request.config().proxy(Some(proxy)).build();
        }
        let response = request.call().map_err(|e| self.classify(url, e))?;
        check_status(url, response)
    }

    /// Runs `attempt` until it succeeds, fails for good, or the attempts are used up,
    /// sleeping `backoff`, then twice that, between tries.
    pub(super) fn retrying<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        let mut delay = self.settings.backoff;
        let mut tries = 1;
        loop {
            match attempt() {
                Err(e) if e.is_transient() && tries < self.settings.attempts => {
                    thread::sleep(delay);
                    delay = delay.saturating_mul(2);
                    tries += 1;
                }
                result => return result,
            }
        }
    }

    fn read_text(&self, url: &str, response: Response<Body>) -> Result<String> {
        let mut body = response.into_body();
        body.with_config().limit(TEXT_LIMIT).read_to_string().map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) | ureq::Error::Decompress(..) => {
                Error::Body { url: url.to_string(), reason: e.to_string() }
            }
            other => self.classify(url, other),
        })
    }

    /// Maps a transport failure to its cause.
    pub(super) fn classify(&self, url: &str, err: ureq::Error) -> Error {
        let url = url.to_string();
        match err {
            ureq::Error::Timeout(Timeout::Connect | Timeout::Resolve) => {
                Error::Timeout { url, timeout: self.settings.connect_timeout }
            }
            ureq::Error::Timeout(_) => Error::Timeout { url, timeout: self.settings.read_timeout },
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                Error::Timeout { url, timeout: self.settings.read_timeout }
            }
            ureq::Error::Io(e) if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
                Error::Tls { url, reason: e.to_string() }
            }
            ureq::Error::HostNotFound => Error::Connect { url, reason: "host not found".into() },
            ureq::Error::ConnectProxyFailed(why) => Error::Connect { url, reason: format!("proxy: {why}") },
            ureq::Error::Tls(why) => Error::Tls { url, reason: why.into() },
            ureq::Error::Rustls(why) => Error::Tls { url, reason: why.to_string() },
            other => Error::Connect { url, reason: other.to_string() },
        }
    }
}

/// Turns a non-2xx answer into its error: 404/410, rate limits, the rest with a detail.
fn check_status(url: &str, response: Response<Body>) -> Result<Response<Body>> {
    let code = response.status().as_u16();
    let url = url.to_string();
    match code {
        200..=299 => Ok(response),
        404 | 410 => Err(Error::NotFound { url, code }),
        403 | 429 if code == 429 || is_rate_limit(response.headers()) => {
            Err(Error::RateLimited { url, reset: rate_limit_reset(response.headers()) })
        }
        _ => {
            let mut body = response.into_body();
            let text = body.with_config().limit(4096).read_to_string().unwrap_or_default();
            let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
            let detail = (!line.is_empty() && line.len() <= 200).then(|| line.to_string());
            Err(Error::Status { url, code, detail })
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn is_rate_limit(headers: &HeaderMap) -> bool {
    header(headers, "x-ratelimit-remaining") == Some("0") || headers.contains_key("retry-after")
}

/// When the limit lifts: `retry-after` seconds from now, else `x-ratelimit-reset` (epoch).
fn rate_limit_reset(headers: &HeaderMap) -> Option<SystemTime> {
    let secs = |name| header(headers, name).and_then(|v| v.parse::<u64>().ok());
    secs("retry-after")
        .map(|s| SystemTime::now() + Duration::from_secs(s))
        .or_else(|| secs("x-ratelimit-reset").map(|s| UNIX_EPOCH + Duration::from_secs(s)))
}

/// The `rel="next"` target of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    header(headers, "link")?.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| target.trim().trim_start_matches('<').trim_end_matches('>').to_string())
    })
}

/// Parses a JSON body, naming the URL when it is not what was expected.
#[cfg(test)]
pub(super) fn parse_json<T: DeserializeOwned>(url: &str, text: &str) -> Result<T> {
    serde_json::from_str(text)
        .map_err(|e| Error::Body { url: url.to_string(), reason: format!("bad JSON: {e}") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    #[test]
    fn finds_the_next_page_link() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            HeaderValue::from_static(
                r#"<https://api.test/r?page=2>; rel="next", <https://api.test/r?page=9>; rel="last""#,
            ),
        );
        assert_eq!(next_link(&h).as_deref(), Some("https://api.test/r?page=2"));
        h.insert("link", HeaderValue::from_static(r#"<https://api.test/r?page=1>; rel="prev""#));
        assert_eq!(next_link(&h), None);
    }
}
