//! Downloading one artifact to a file the caller names: streamed, hashed while it
//! streams, resumed with `Range` when a partial file is already there, verified at the
//! end. It never reads more than the artifact's recorded size (or, when unknown, the
//! `DEN_MAX_DOWNLOAD` cap), so an endless body stops at once instead of filling the disk
//! before the checksum fails. It knows nothing of the store's layout and never renames the
//! file into place: that is the caller's job once the download is verified.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use ureq::Body;
use ureq::http::Response;

use super::client::Client;
use super::error::{Error, Result};
use super::progress::Progress;
use crate::artifact::checksum::{Checksum, Hasher};

const CHUNK: usize = 64 * 1024;

/// A finished, verified download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    /// Bytes in the file.
    pub size: u64,
    /// The file's digest in the expected checksum's algorithm (sha256 when none was given):
    /// only that one is computed while streaming.
    pub checksum: Checksum,
}

/// The most bytes a download may have: the size recorded for the artifact, or the cap.
#[derive(Debug, Clone, Copy)]
struct Bound {
    bytes: u64,
    recorded: bool,
}

impl Bound {
    fn error(self, url: &str) -> Error {
        Error::TooLarge { url: url.to_string(), limit: self.bytes, recorded: self.recorded }
    }
}

/// A server's answer to a download request: the body starts at byte `start` of a file of
/// `total` bytes (when known).
struct Answer {
    response: Response<Body>,
    start: u64,
    total: Option<u64>,
}

impl Client {
    /// Downloads `url` to `dest_partial`, resuming from what the file already holds when
    /// the server allows it, retrying lost connections, and checking `expected` at the end.
    /// `size` is the artifact's recorded size (den.lock's `size`): no more is ever read;
    /// without it, no more than the settings' `max_download`.
    /// On a checksum mismatch or an oversized body the file is deleted; on other failures
    /// what arrived is kept so that the next call resumes.
    pub fn download(
        &self,
        url: &str,
        dest_partial: &Path,
        expected: Option<&Checksum>,
        size: Option<u64>,
        progress: &dyn Progress,
    ) -> Result<Downloaded> {
        if self.settings().offline {
            return Err(Error::Offline { url: url.to_string() });
        }
        if let Some(dir) = dest_partial.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::fs_util::create_private_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
        }
        let sha512 = matches!(expected, Some(Checksum::Sha512(_)));
        // No artifact is empty: a recorded 0 is a damaged record (older dens wrote some), not a bound.
        let bound = match size.filter(|s| *s > 0) {
            Some(bytes) => Bound { bytes, recorded: true },
            None => Bound { bytes: self.settings().max_download, recorded: false },
        };
        if let Some(done) = already_complete(dest_partial, expected, bound) {
            return Ok(done);
        }
        let (size, hasher) = match self.retrying(|| self.attempt(url, dest_partial, sha512, bound, progress))
        {
            Ok(done) => done,
            Err(e) => {
                progress.abandon();
                // Keep a prefix for the next call to resume; an empty file is just litter,
                // and what an oversized body left is not a prefix of the artifact.
                let empty = std::fs::metadata(dest_partial).is_ok_and(|m| m.len() == 0);
                if empty || matches!(e, Error::TooLarge { .. }) {
                    let _ = std::fs::remove_file(dest_partial);
                }
                return Err(e);
            }
        };
        let actual = hasher.finish();
        if let Some(expected) = expected
            && *expected != actual
        {
            progress.abandon();
            let _ = std::fs::remove_file(dest_partial);
            return Err(Error::Checksum {
                url: url.to_string(),
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
        progress.finish();
        Ok(Downloaded { size, checksum: actual })
    }

    /// One try: ask for what is missing, then append it, hashing the whole file.
    #[allow(clippy::disallowed_methods, reason = "downloads in den's own data directory")]
    fn attempt(
        &self,
        url: &str,
        path: &Path,
        sha512: bool,
        bound: Bound,
        progress: &dyn Progress,
    ) -> Result<(u64, Hasher)> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::io("cannot open", path, e))?;
        let Answer { response, start, total } = loop {
            let mut have = file.metadata().map_err(|e| Error::io("cannot read", path, e))?.len();
            if have >= bound.bytes {
                // Longer than the artifact can be (or exactly it, unverified): not a prefix to resume.
                file.set_len(0).map_err(|e| Error::io("cannot truncate", path, e))?;
                have = 0;
            }
            match self.request_from(url, have)? {
                Some(answer) => break answer,
                // The server cannot continue this file: start over (at most once, as have is now 0).
                None => file.set_len(0).map_err(|e| Error::io("cannot truncate", path, e))?,
            }
        };
        if total.is_some_and(|t| t > bound.bytes) {
            // The server says so up front: not a byte is read.
            return Err(bound.error(url));
        }
        let mut hasher = Hasher::new(sha512);
        if start > 0 {
            hash_prefix(&mut file, start, &mut hasher).map_err(|e| Error::io("cannot read", path, e))?;
        } else {
            file.set_len(0).map_err(|e| Error::io("cannot truncate", path, e))?;
        }
        file.seek(SeekFrom::Start(start)).map_err(|e| Error::io("cannot seek", path, e))?;
        progress.start(total);
        progress.advance(start);
        let to = Sink { file: &mut file, path, start, total, bound };
        let size = start + self.stream(url, response, to, &mut hasher, progress)?;
        if let Some(total) = total.filter(|t| *t != size) {
            return Err(Error::Truncated { url: url.to_string(), got: size, total });
        }
        Ok((size, hasher))
    }

    /// GETs `url` from byte `have`: the response, where it starts and the full size if known,
    /// or `None` when the partial file must be dropped (416, or a range other than asked).
    fn request_from(&self, url: &str, have: u64) -> Result<Option<Answer>> {
        let mut headers = vec![("accept-encoding", "identity".to_string())];
        if have > 0 {
            headers.push(("range", format!("bytes={have}-")));
        }
        let response = match self.send(url, &headers) {
            Err(Error::Status { code: 416, .. }) if have > 0 => return Ok(None),
            other => other?,
        };
        let length = header_u64(&response, "content-length");
        if response.status().as_u16() != 206 {
            return Ok(Some(Answer { response, start: 0, total: length }));
        }
        let range =
            response.headers().get("content-range").and_then(|v| v.to_str().ok()).map(parse_content_range);
        match range {
            Some(Some((first, full))) if first == have => {
                Ok(Some(Answer { response, start: have, total: full.or(length.map(|l| have + l)) }))
            }
            _ if have > 0 => Ok(None),
            _ => Ok(Some(Answer { response, start: 0, total: length })),
        }
    }

    /// Copies the body to the sink's file, hashing and reporting as it goes; the bytes
    /// written. Stops with an error as soon as the file would pass the bound or the
    /// process's file size limit (`ulimit -f`, which would otherwise kill den with SIGXFSZ).
    fn stream(
        &self,
        url: &str,
        response: Response<Body>,
        to: Sink,
        hasher: &mut Hasher,
        progress: &dyn Progress,
    ) -> Result<u64> {
        let Sink { file, path, start, total, bound } = to;
        let file_size_limit = crate::fs_util::file_size_limit();
        let mut reader = response.into_body().into_reader();
        let mut buf = vec![0u8; CHUNK];
        let mut written = 0u64;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = file.flush();
                    let got = start + written;
                    return Err(match (self.classify(url, ureq::Error::from(e)), total) {
                        (Error::Connect { .. }, Some(total)) => {
                            Error::Truncated { url: url.to_string(), got, total }
                        }
                        (Error::Connect { url, reason }, None) => Error::Connect {
                            url,
                            reason: format!("the connection broke after {got} bytes: {reason}"),
                        },
                        (other, _) => other,
                    });
                }
            };
            let size = start + written + n as u64;
            if size > bound.bytes {
                return Err(bound.error(url));
            }
            if file_size_limit.is_some_and(|max| size > max) {
                let efbig = std::io::Error::from_raw_os_error(libc::EFBIG);
                return Err(Error::io("cannot write", path, efbig));
            }
            file.write_all(&buf[..n]).map_err(|e| Error::io("cannot write", path, e))?;
            hasher.update(&buf[..n]);
            written += n as u64;
            progress.advance(n as u64);
        }
        file.flush().map_err(|e| Error::io("cannot write", path, e))?;
        Ok(written)
    }
}

/// Where a body goes: the file (and its path for errors), the offset it starts at, the
/// full size the server announced, and the most the file may hold.
struct Sink<'a> {
    file: &'a mut File,
    path: &'a Path,
    start: u64,
    total: Option<u64>,
    bound: Bound,
}

/// The download when `path` already holds all of it, verified (an earlier run fetched it
/// and then could not unpack it, say for want of disk space): no request is needed.
fn already_complete(path: &Path, expected: Option<&Checksum>, bound: Bound) -> Option<Downloaded> {
    let expected = expected?;
    let mut file = File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size == 0 || (bound.recorded && size != bound.bytes) || size > bound.bytes {
        return None;
    }
    let mut hasher = Hasher::new(matches!(expected, Checksum::Sha512(_)));
    hash_prefix(&mut file, size, &mut hasher).ok()?;
    let checksum = hasher.finish();
    (checksum == *expected).then_some(Downloaded { size, checksum })
}

fn header_u64(response: &Response<Body>, name: &str) -> Option<u64> {
    response.headers().get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `bytes 100-199/200` → (100, Some(200)); `bytes 100-199/*` → (100, None).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, full) = rest.split_once('/')?;
    let first = range.split_once('-')?.0.trim().parse().ok()?;
    Some((first, full.trim().parse().ok()))
}

/// Feeds the first `len` bytes of `file` to `hasher`.
fn hash_prefix(file: &mut File, len: u64, hasher: &mut Hasher) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(0))?;
    let mut prefix = Read::by_ref(file).take(len);
    let mut buf = vec![0u8; CHUNK];
    loop {
        match prefix.read(&mut buf)? {
            0 => return Ok(()),
            n => hasher.update(&buf[..n]),
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn reads_content_range() {
        assert_eq!(parse_content_range("bytes 100-199/200"), Some((100, Some(200))));
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, None)));
        assert_eq!(parse_content_range("items 1-2/3"), None);
    }
}
