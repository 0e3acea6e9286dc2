//! The typed failures of the HTTP layer, one variant per cause, each naming the URL and
//! with a `help()` saying what the user can do about it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// What went wrong while talking to a server or writing what it sent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server has no such file (HTTP 404 or 410).
    #[error("{url} was not found (HTTP {code})")]
    NotFound { url: String, code: u16 },
    /// Any other unsuccessful status; `detail` is the first line of a short body.
    #[error("{url} answered HTTP {code}{}", detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status { url: String, code: u16, detail: Option<String> },
    /// A 403/429 whose headers say the client has used up its request allowance.
    #[error("{url} refused the request: rate limit reached{}", reset_note(*reset))]
    RateLimited { url: String, reset: Option<SystemTime> },
    /// The server accepted the connection but did not answer in time.
    #[error("request to {url} timed out after {}s", timeout.as_secs_f32())]
    Timeout { url: String, timeout: Duration },
    /// No connection could be made or it broke (DNS, refused, reset, proxy refused).
    #[error("cannot reach {url}: {reason}")]
    Connect { url: String, reason: String },
    /// The TLS handshake failed, most often an untrusted certificate.
    #[error("TLS error talking to {url}: {reason}")]
    Tls { url: String, reason: String },
    /// A proxy variable holds something that is not a proxy URL.
    #[error("{var} is not a valid proxy URL: `{value}`")]
    BadProxy { var: &'static str, value: String },
    /// Offline mode is on and the answer is not cached: no request was made.
    #[error("{url} is needed but den is offline and has no cached copy")]
    Offline { url: String },
    /// The body arrived but is not what was asked for (bad JSON, bad encoding).
    #[error("unexpected answer from {url}: {reason}")]
    Body { url: String, reason: String },
    /// The downloaded bytes do not hash to the expected checksum.
    #[error("checksum mismatch for {url}: expected {expected}, got {actual}")]
    Checksum { url: String, expected: String, actual: String },
    /// A checksum string that is neither hex sha256/sha512 nor an SRI `sha512-<base64>`.
    #[error("`{value}` is not a checksum (expected a sha256 in hex or `sha512-<base64>`)")]
    BadChecksum { value: String },
    /// Reading or writing a local file (partial download, cache entry).
    #[error("{context} {}: {source}", path.display())]
    Io {
        context: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn reset_note(reset: Option<SystemTime>) -> String {
    let Some(left) = reset.and_then(|r| r.duration_since(SystemTime::now()).ok()) else {
        return String::new();
    };
    let minutes = left.as_secs().div_ceil(60).max(1);
    format!(" (it resets in about {minutes} min)")
}

impl Error {
    /// What the user should do next, printed as `help:` lines.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            Error::NotFound { .. } => {
                "check the version and the source: the file does not exist upstream".into()
            }
            Error::Status { code, .. } if *code >= 500 => {
                "the server failed; try again later or use a mirror for this source".into()
            }
            Error::Status { .. } => return None,
            Error::RateLimited { .. } => "set GITHUB_TOKEN (or GH_TOKEN) to a token to raise the limit, \
                 or wait until the limit resets"
                .into(),
            Error::Timeout { .. } => "check your network and proxy settings (HTTPS_PROXY, NO_PROXY); \
                 DEN_HTTP_TIMEOUT raises the limit, `--offline` uses only what is cached"
                .into(),
            Error::Connect { .. } => {
                "check your network and proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), \
                 or use `--offline` to work with what is cached"
                    .into()
            }
            Error::Tls { .. } => "den trusts the system certificate store; if a proxy intercepts TLS, \
                 add its CA certificate to the system store"
                .into(),
            Error::BadProxy { var, .. } => format!("set {var} to a URL such as http://proxy.example:3128"),
            Error::Offline { .. } => {
                "run once without `--offline` (and without DEN_OFFLINE=1) to fetch it".into()
            }
            Error::Body { .. } => return None,
            Error::Checksum { .. } => {
                "the download was deleted; try again, and if it fails again the upstream \
                 file changed or something on the way altered it"
                    .into()
            }
            Error::BadChecksum { .. } => "write it as 64 hex digits (sha256) or `sha512-<base64>`".into(),
            Error::Io { .. } => return None,
        })
    }

    /// Whether trying again may succeed: lost connections, timeouts and 5xx answers.
    /// Never a 4xx: asking again would get the same answer.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connect { .. } => true,
            Error::Status { code, .. } => *code >= 500,
            _ => false,
        }
    }

    pub(super) fn io(context: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io { context, path: path.to_path_buf(), source }
    }
}

/// Result of an HTTP operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
