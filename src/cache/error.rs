//! What can go wrong talking to a cache. During an install these become warnings (the next
//! source is tried); `den cache push` reports them as its error.

use std::path::PathBuf;

use crate::ui::{escaped, shown_path};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Http(#[from] crate::http::Error),
    /// The registry answered something the distribution API does not allow here.
    #[error("{} answered HTTP {status} to {what}{}", escaped(url), detail(body))]
    Registry { url: String, what: &'static str, status: u16, body: String },
    /// The registry asked for credentials den does not have, or refused the ones it sent.
    #[error("{} refused den ({what}){}", escaped(registry), detail(body))]
    Denied { registry: String, what: String, body: String },
    /// A manifest or token answer that is not the JSON it should be.
    #[error("unexpected answer from {}: {}", escaped(url), escaped(reason))]
    Answer { url: String, reason: String },
    /// A cache that cannot be used at all (its registry could not be opened).
    #[error("{}", escaped(reason))]
    Unusable { cache: String, reason: String },
    /// Pushing to an https:// cache: den writes directories and registries only.
    #[error(
        "{} is read-only for den: push to a directory (then serve or sync it) or to an oci:// registry",
        escaped(cache)
    )]
    ReadOnly { cache: String },
    /// The bytes in a directory cache are not those den.lock pins.
    #[error("{} does not hold the bytes den.lock pins (expected {expected}, got {actual})", shown_path(path))]
    Mismatch { path: PathBuf, expected: String, actual: String },
    /// A file given as a bundle (`den cache import`) that is not one.
    #[error("{} is not a den bundle: {}", shown_path(path), escaped(reason))]
    Bundle { path: PathBuf, reason: String },
    /// Getting the artifact to push (from the upstream) failed; the cause as text.
    #[error("cannot get {what}: {reason}")]
    Source { what: String, reason: String },
    /// A credential helper that failed.
    #[error("docker-credential-{helper} failed: {}", escaped(reason))]
    Helper { helper: String, reason: String },
    #[error("{context} {}: {source}", shown_path(path))]
    Io {
        context: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn detail(body: &str) -> String {
    let line = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default();
    if line.is_empty() {
        String::new()
    } else {
        format!(": {}", escaped(&line.chars().take(200).collect::<String>()))
    }
}

impl Error {
    /// Whether the cache served bytes other than den.lock pins (a warning naming it).
    pub fn is_mismatch(&self) -> bool {
        matches!(
            self,
            Error::Mismatch { .. }
                | Error::Http(crate::http::Error::Checksum { .. } | crate::http::Error::TooLarge { .. })
        )
    }

    /// Whether the cache cannot be used at all right now (no connection, refused
    /// credentials, plain http not allowed), rather than failing for one artifact.
    pub fn is_unreachable(&self) -> bool {
        use crate::http::Error as H;
        matches!(
            self,
            Error::Unusable { .. }
                | Error::Denied { .. }
                | Error::Helper { .. }
                | Error::Http(H::Connect { .. } | H::Timeout { .. } | H::Tls { .. } | H::InsecureHttp { .. })
        )
    }

    pub fn io(context: &'static str, path: &std::path::Path, source: std::io::Error) -> Error {
        Error::Io { context, path: path.to_path_buf(), source }
    }
}

impl crate::hint::Hint for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::Http(e) => e.hint(),
            Error::Denied { .. } => Some(
                "log in as you would for docker or podman (`docker login <host>` writes ~/.docker/config.json), \
                 or set DEN_CACHE_USERNAME and DEN_CACHE_PASSWORD (in CI, the job's registry token)"
                    .into(),
            ),
            Error::Helper { helper, .. } => {
                Some(format!("check that docker-credential-{helper} is installed and logged in"))
            }
            Error::Bundle { .. } => Some(
                "make a bundle with `den cache export <file.tar>` on a machine with network, and copy it whole"
                    .into(),
            ),
            Error::Registry { .. } | Error::Answer { .. } => {
                Some("check the cache's address (oci://host[:port]/repository) and that the registry is up".into())
            }
            _ => None,
        }
    }
}
