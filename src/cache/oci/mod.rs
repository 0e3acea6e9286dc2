//! An OCI registry as a cache, through the distribution API on the blocking HTTP client:
//! blobs by digest (HEAD, then GET following redirects to the registry's storage), uploads
//! (HEAD first, then POST, PATCH and PUT, or a monolithic PUT for the empty config), one manifest per tool, version and platform
//! tagged `<tool>-<version>-<platform>` (`manifest`), and the authentication a `401` asks
//! for (`auth`, with the user's credentials from `creds`). An artifact whose den.lock
//! checksum is a sha256 is fetched by digest directly; one pinned by npm's sha512 is found
//! through its manifest, whose layer names the sha256 blob. A package bundled into a tool
//! (node's npm) has a manifest of its own, tagged by its checksum (`layout::content_tag`).
//!
//! Hand-written rather than an OCI client crate: the maintained one is async (a runtime
//! den does not carry), and the part den needs is these few requests.

mod auth;
pub mod creds;
pub mod manifest;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::{Error, Pushed, Remote, Scheme, Want};
use crate::http::{self, Checksum, Client, Downloaded, Payload, Progress, Reply};
use creds::Credentials;

/// One registry repository, with the authorization it has earned so far.
pub struct Registry {
    /// `https://host[:port]` (http for this machine or an `insecure` cache).
    base: String,
    repository: String,
    shown: String,
    client: Client,
    creds: Option<Credentials>,
    scope: String,
    authorization: Mutex<Option<String>>,
}

impl Registry {
    /// The repository `remote` names, to read from or, with `push`, to write to. Makes no
    /// request: authentication happens on the first `401`.
    pub fn open(remote: &Remote, client: &Client, push: bool) -> Result<Registry, Error> {
        let Scheme::Oci { host, repository } = remote.scheme() else {
            unreachable!("only oci:// remotes open as registries")
        };
        let plain = remote.insecure || is_loopback(host);
        let base = format!("{}://{host}", if plain { "http" } else { "https" });
        let creds = creds::find(host)?;
        let scope = format!("repository:{repository}:{}", if push { "pull,push" } else { "pull" });
        Ok(Registry {
            base,
            repository: repository.clone(),
            shown: remote.to_string(),
            client: client.clone(),
            creds,
            scope,
            authorization: Mutex::new(None),
        })
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/v2/{}/{rest}", self.base, self.repository)
    }

    /// One request, answering a `401` challenge once.
    fn call(
        &self,
        method: &str,
        url: &str,
        extra: &[(&str, String)],
        payload: Payload,
    ) -> Result<Reply, Error> {
        for attempt in 0..2 {
            let mut headers = extra.to_vec();
            if let Some(auth) = self.authorization.lock().unwrap_or_else(|e| e.into_inner()).clone() {
                headers.push(("authorization", auth));
            }
            let reply = self.client.request(method, url, &headers, payload)?;
            if reply.status != 401 {
                return Ok(reply);
            }
            let body = String::from_utf8_lossy(&reply.body).into_owned();
            if attempt == 1 {
                let what = if self.creds.is_some() {
                    "it refused the credentials den sent"
                } else {
                    "it needs credentials and den found none"
                };
                return Err(Error::Denied { registry: self.shown.clone(), what: what.into(), body });
            }
            let challenge =
                reply.header("www-authenticate").and_then(auth::parse).ok_or_else(|| Error::Denied {
                    registry: self.shown.clone(),
                    what: "it asks for an authentication den does not speak".into(),
                    body: body.clone(),
                })?;
            let answer =
                auth::answer(&self.client, &challenge, &self.scope, self.creds.as_ref(), &self.shown)?;
            *self.authorization.lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
        }
        unreachable!("the loop returns")
    }

    fn unexpected(&self, url: &str, what: &'static str, reply: &Reply) -> Error {
        if reply.status == 403 {
            return Error::Denied {
                registry: self.shown.clone(),
                what: format!("{what}: forbidden"),
                body: String::from_utf8_lossy(&reply.body).into_owned(),
            };
        }
        Error::Registry {
            url: url.to_string(),
            what,
            status: reply.status,
            body: String::from_utf8_lossy(&reply.body).into_owned(),
        }
    }

    /// den's manifest tagged `tag`, `None` when there is none.
    fn manifest(&self, tag: &str) -> Result<Option<manifest::Manifest>, Error> {
        let url = self.url(&format!("manifests/{tag}"));
        let accept = [("accept", manifest::MANIFEST_TYPE.to_string())];
        let reply = self.call("GET", &url, &accept, Payload::None)?;
        match reply.status {
            200 => serde_json::from_slice(&reply.body)
                .map(Some)
                .map_err(|e| Error::Answer { url, reason: format!("not an OCI manifest: {e}") }),
            404 => Ok(None),
            _ => Err(self.unexpected(&url, "a manifest request", &reply)),
        }
    }

    /// The size of blob `digest` when the registry has it.
    fn blob_size(&self, digest: &str) -> Result<Option<u64>, Error> {
        let url = self.url(&format!("blobs/{digest}"));
        let reply = self.call("HEAD", &url, &[], Payload::None)?;
        match reply.status {
            200..=299 => Ok(Some(reply.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0))),
            404 => Ok(None),
            _ => Err(self.unexpected(&url, "a blob request", &reply)),
        }
    }

    /// Fetches `want` into `dest`, verified against den.lock; `None` when the registry
    /// lacks it.
    pub fn fetch(
        &self,
        want: &Want,
        dest: &Path,
        progress: &dyn Progress,
    ) -> Result<Option<Downloaded>, Error> {
        let digest = match want.checksum {
            Checksum::Sha256(_) => format!("sha256:{}", want.checksum.hex()),
            Checksum::Sha512(_) => {
                let tag = want.tag();
                let Some(m) = self.manifest(&tag)? else { return Ok(None) };
                match m.layer_for(&want.checksum.to_string()) {
                    Some(layer) if is_digest(&layer.digest) => layer.digest.clone(),
                    _ => return Ok(None),
                }
            }
        };
        if self.blob_size(&digest)?.is_none() {
            return Ok(None);
        }
        let url = self.url(&format!("blobs/{digest}"));
        let auth = self.authorization.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let client = match auth {
            Some(auth) => self.client.with_header("authorization", &auth),
            None => self.client.clone(),
        };
        match client.download(&url, dest, Some(want.checksum), want.size, progress) {
            Ok(done) => Ok(Some(done)),
            Err(http::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Pushes `want` (its blob unless the registry has it, then its manifest).
    pub fn push(
        &self,
        want: &Want,
        file: &mut dyn FnMut() -> Result<PathBuf, Error>,
    ) -> Result<Pushed, Error> {
        let tag = want.tag();
        let pinned = want.checksum.to_string();
        let existing = self.manifest(&tag)?;
        if let Some(layer) =
            existing.as_ref().and_then(|m| m.layer_for(&pinned)).filter(|l| is_digest(&l.digest))
            && self.blob_size(&layer.digest)?.is_some()
        {
            return Ok(Pushed { sent: 0, skipped: layer.size });
        }
        let mut pushed = Pushed::default();
        let known = match want.checksum {
            Checksum::Sha256(_) => {
                let digest = format!("sha256:{}", want.checksum.hex());
                self.blob_size(&digest)?.map(|size| (digest, want.size.unwrap_or(size)))
            }
            Checksum::Sha512(_) => None,
        };
        let (digest, size) = match known {
            Some((digest, size)) => {
                pushed.skipped = size;
                (digest, size)
            }
            None => {
                let path = file()?;
                let (digest, size) = sha256_of(&path)?;
                if self.blob_size(&digest)?.is_some() {
                    pushed.skipped = size;
                } else {
                    self.upload(&digest, Payload::File(&path))?;
                    pushed.sent = size;
                }
                (digest, size)
            }
        };
        if self.blob_size(manifest::EMPTY_DIGEST)?.is_none() {
            self.upload(manifest::EMPTY_DIGEST, Payload::Bytes(manifest::EMPTY))?;
        }
        let body =
            serde_json::to_vec(&manifest::for_artifact(want, &digest, size)).expect("a manifest serializes");
        let url = self.url(&format!("manifests/{tag}"));
        let headers = [("content-type", manifest::MANIFEST_TYPE.to_string())];
        let reply = self.call("PUT", &url, &headers, Payload::Bytes(&body))?;
        if !(200..300).contains(&reply.status) {
            return Err(self.unexpected(&url, "a manifest upload", &reply));
        }
        Ok(pushed)
    }

    /// An upload: POST for an upload URL, then either the bytes in the closing PUT with
    /// their digest (monolithic: the small empty config), or, for an artifact, the bytes
    /// in one PATCH and an empty closing PUT (the chunked flow `docker push` uses).
    fn upload(&self, digest: &str, payload: Payload) -> Result<(), Error> {
        let start = self.url("blobs/uploads/");
        let reply = self.call("POST", &start, &[("content-length", "0".into())], Payload::None)?;
        let mut location = match (reply.status, reply.header("location")) {
            (202, Some(location)) => join(&self.base, location),
            _ => return Err(self.unexpected(&start, "an upload request", &reply)),
        };
        let octets = [("content-type", "application/octet-stream".to_string())];
        let last = if let Payload::File(_) = payload {
            let reply = self.call("PATCH", &location, &octets, payload)?;
            location = match (reply.status, reply.header("location")) {
                (202, Some(next)) => join(&self.base, next),
                _ => return Err(self.unexpected(&location, "a blob upload", &reply)),
            };
            Payload::None
        } else {
            payload
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        let url = format!("{location}{sep}digest={}", digest.replace(':', "%3A"));
        let headers = match last {
            Payload::None => vec![("content-length", "0".to_string())],
            _ => octets.to_vec(),
        };
        let reply = self.call("PUT", &url, &headers, last)?;
        if reply.status != 201 {
            return Err(self.unexpected(&url, "a blob upload", &reply));
        }
        Ok(())
    }
}

/// A `Location` that may be a path on the registry.
fn join(base: &str, location: &str) -> String {
    if location.contains("://") { location.to_string() } else { format!("{base}{location}") }
}

/// `sha256:<64 hex>`: the only digests den asks a registry for (never text from a
/// manifest put into a URL unchecked).
fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

fn sha256_of(path: &Path) -> Result<(String, u64), Error> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("cannot read", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| Error::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    let hex: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((format!("sha256:{hex}"), size))
}

/// `localhost`, 127.0.0.0/8, ::1 (with a port or not).
fn is_loopback(host: &str) -> bool {
    let name = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
