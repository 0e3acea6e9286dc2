//! The typed failures of the HTTP layer, one variant per cause, each naming the URL and
//! with a hint (`crate::hint::Hint`) saying what the user can do about it.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::progress::human_bytes;
use crate::fs_util::is_out_of_space;
use crate::ui::{escaped, shown_path};

/// The reason of a [`Error::Connect`] whose host name did not resolve.
pub const HOST_NOT_FOUND: &str = "host not found";

/// What went wrong while talking to a server or writing what it sent.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server has no such file (HTTP 404 or 410).
    #[error("{} was not found (HTTP {code})", escaped(url))]
    NotFound { url: String, code: u16 },
    /// Any other unsuccessful status; `detail` is the first line of a short body.
    #[error("{} answered HTTP {code}{}", escaped(url), detail.as_deref().map(|d| format!(": {}", escaped(d))).unwrap_or_default())]
    Status { url: String, code: u16, detail: Option<String> },
    /// A 403/429 whose headers say the client has used up its request allowance.
    #[error("{} refused the request: rate limit reached{}", escaped(url), reset_note(*reset))]
    RateLimited { url: String, reset: Option<SystemTime> },
    /// The server sent nothing for `timeout` (or, `connecting`, took longer to accept the
    /// connection), on every one of `tries` tries, `waited` in all: the message states the
    /// real wait.
    #[error(
        "{} {} {}{}",
        escaped(url),
        if *connecting { "did not accept a connection within" } else { "sent nothing for" },
        seconds(*timeout),
        tries_note(*tries, *waited)
    )]
    Timeout { url: String, timeout: Duration, connecting: bool, tries: u32, waited: Duration },
    /// No connection could be made or it broke (DNS, refused, reset, proxy refused).
    #[error("cannot reach {}: {}", escaped(url), escaped(reason))]
    Connect { url: String, reason: String },
    /// The connection broke before the whole body arrived.
    #[error("the download of {} stopped after {got} of {total} bytes", escaped(url))]
    Truncated { url: String, got: u64, total: u64 },
    /// The body is larger than den.lock records, or than the cap for unrecorded sizes.
    #[error("{}", too_large(url, *limit, *recorded))]
    TooLarge { url: String, limit: u64, recorded: bool },
    /// A redirect den will not follow: to plain http from https, or one too many.
    #[error("{} {}", escaped(url), escaped(reason))]
    Redirect { url: String, reason: String },
    /// A plain `http://` URL to a host that is not this machine and not opted in.
    #[error(
        "{} uses plain http:// to {}, which is not this machine; den refuses unencrypted downloads",
        escaped(url),
        escaped(host)
    )]
    InsecureHttp { url: String, host: String },
    /// The TLS handshake failed, most often an untrusted certificate.
    #[error("TLS error talking to {}: {}", escaped(url), escaped(reason))]
    Tls { url: String, reason: String },
    /// A proxy variable holds something that is not a proxy URL.
    #[error("{var} is not a valid proxy URL: `{}`", escaped(value))]
    BadProxy { var: &'static str, value: String },
    /// Offline mode is on and the answer is not cached: no request was made.
    #[error("{} is needed but den is offline and has no cached copy", escaped(url))]
    Offline { url: String },
    /// The body arrived but is not what was asked for (bad JSON, bad encoding).
    #[error("unexpected answer from {}: {}", escaped(url), escaped(reason))]
    Body { url: String, reason: String },
    /// The downloaded bytes do not hash to the expected checksum.
    #[error("checksum mismatch for {}: expected {}, got {actual}", escaped(url), escaped(expected))]
    Checksum { url: String, expected: String, actual: String },
    /// Reading or writing a local file (partial download, cache entry).
    #[error("{context} {}: {}", shown_path(path), escaped(&source.to_string()))]
    Io {
        context: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// `30 s`, `1.5 s`.
fn seconds(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 { format!("{secs:.0} s") } else { format!("{secs:.1} s") }
}

/// `; gave up after 3 tries (1 min 32 s in all)`, nothing for a single try.
fn tries_note(tries: u32, waited: Duration) -> String {
    if tries <= 1 {
        return String::new();
    }
    let secs = waited.as_secs();
    let total = if secs >= 60 { format!("{} min {} s", secs / 60, secs % 60) } else { seconds(waited) };
    format!(", {tries} times ({total} in all)")
}

fn too_large(url: &str, limit: u64, recorded: bool) -> String {
    let url = escaped(url);
    if recorded {
        format!("{url} sent more than the {limit} bytes den.lock records for it; den stopped reading")
    } else {
        format!(
            "{url} is larger than {} (DEN_MAX_DOWNLOAD, the most den downloads when the size is not \
             recorded); den stopped reading",
            human_bytes(limit)
        )
    }
}

fn reset_note(reset: Option<SystemTime>) -> String {
    let Some(left) = reset.and_then(|r| r.duration_since(SystemTime::now()).ok()) else {
        return String::new();
    };
    let minutes = left.as_secs().div_ceil(60).max(1);
    format!(" (it resets in about {minutes} min)")
}

impl Error {
    /// Whether offline mode refused a request that has no cached answer.
    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Offline { .. })
    }

    /// Whether trying again may succeed: lost connections, timeouts and 5xx answers.
    /// Never a 4xx: asking again would get the same answer.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Connect { .. } | Error::Truncated { .. } => true,
            Error::Status { code, .. } => *code >= 500,
            _ => false,
        }
    }

    /// Whether asking again at once may help: a transient failure, except a host name
    /// that does not resolve (the system's resolver has already retried it; on a machine
    /// that cannot resolve a host, three tries only add the backoff to every fallback).
    pub fn worth_retrying(&self) -> bool {
        self.is_transient()
            && !matches!(self, Error::Connect { reason, .. } if reason.starts_with(HOST_NOT_FOUND))
    }

    pub(super) fn io(context: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Io { context, path: path.to_path_buf(), source }
    }
}

impl crate::hint::Hint for Error {
    /// What the user should do next, printed as `help:` lines.
    fn hint(&self) -> Option<String> {
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
                 DEN_HTTP_TIMEOUT (seconds of silence allowed) raises the limit, DEN_HTTP_RETRIES sets the \
                 tries, `--offline` uses only what is cached"
                .into(),
            Error::Truncated { got, .. } => format!(
                "the connection broke mid-transfer; run the command again: den keeps the {got} bytes \
                 received and asks only for the rest"
            ),
            Error::TooLarge { recorded: true, .. } => "the file upstream is not the one den.lock pinned, or \
                 something on the way adds to it; nothing was kept. If the upstream really republished it, \
                 delete the tool's entry from den.lock and run `den install` to pin it again"
                .into(),
            Error::TooLarge { .. } => "if the artifact really is that large, raise DEN_MAX_DOWNLOAD \
                 (e.g. DEN_MAX_DOWNLOAD=16G) and try again; nothing was kept"
                .into(),
            Error::Redirect { .. } => "the server's redirects lead nowhere den will go; check the URL \
                 (or the mirror in den's config), or report it to the server's owner"
                .into(),
            Error::InsecureHttp { host, .. } => format!(
                "use an https:// URL; if {} is a server you trust on a network you trust (a local mirror), \
                 allow it in den's config: `insecure_http = [\"{}\"]`",
                escaped(host),
                escaped(host)
            ),
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
            Error::Io { source, .. } if is_out_of_space(source) => {
                "the disk is full (or `ulimit -f` was reached): free some space (`den cache prune` may help) \
                 and run the command again; what was downloaded is kept and resumed"
                    .into()
            }
            Error::Io { .. } => return None,
        })
    }
}

/// Result of an HTTP operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
