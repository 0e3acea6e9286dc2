//! A directory cache: read from a local directory or over HTTP(S) from a server that serves
//! one, and written (push) to a local directory, in the `layout`. Files are written
//! atomically (temp file, rename), so a server syncing the tree never serves half a blob.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{Error, Pushed, Want, layout};
use crate::http::{self, Client, Downloaded, Hasher, Progress};

/// Copies the blob of `want` from the directory `root` to `dest`, hashing it on the way
/// and never reading more than den.lock's size; `None` when the directory lacks it.
#[allow(clippy::disallowed_methods, reason = "a team cache directory the user configured, not a project's")]
pub fn read_local(
    root: &Path,
    want: &Want,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Option<Downloaded>, Error> {
    let path = root.join(layout::blob(want.checksum));
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot read", &path, e)),
    };
    let limit = want.size.filter(|s| *s > 0).unwrap_or(u64::MAX - 1);
    let mut reader = file.take(limit + 1);
    let mut out = File::create(dest).map_err(|e| Error::io("cannot create", dest, e))?;
    let mut hasher = Hasher::for_checksum(want.checksum);
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    progress.start(want.size);
    loop {
        let n = reader.read(&mut buf).map_err(|e| Error::io("cannot read", &path, e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n]).map_err(|e| Error::io("cannot write", dest, e))?;
        progress.advance(n as u64);
    }
    let actual = hasher.finish();
    if actual != *want.checksum || size > limit {
        let _ = std::fs::remove_file(dest);
        let actual = if size > limit { format!("more than {limit} bytes") } else { actual.to_string() };
        progress.abandon();
        return Err(Error::Mismatch { path, expected: want.checksum.to_string(), actual });
    }
    progress.finish();
    Ok(Some(Downloaded { size, checksum: actual }))
}

/// Downloads the blob of `want` from the directory served at `base`; `None` on 404.
pub fn read_http(
    client: &Client,
    base: &str,
    want: &Want,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<Option<Downloaded>, Error> {
    let url = format!("{base}/{}", layout::blob(want.checksum));
    match client.download(&url, dest, Some(want.checksum), want.size, progress) {
        Ok(done) => Ok(Some(done)),
        Err(http::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Puts `want` under `root` unless its blob is there already (and verifies), with its
/// den.lock entry `index` beside it when it has one (a package has none).
pub fn write(
    root: &Path,
    want: &Want,
    index: Option<&str>,
    file: &mut dyn FnMut() -> Result<PathBuf, Error>,
) -> Result<Pushed, Error> {
    let blob = root.join(layout::blob(want.checksum));
    let mut pushed = Pushed::default();
    let present = std::fs::metadata(&blob).ok().filter(|m| m.is_file()).map(|m| m.len());
    match present {
        Some(size) if want.size.is_none_or(|s| s == size) => pushed.skipped = size,
        _ => {
            let source = file()?;
            let size = std::fs::metadata(&source).map_err(|e| Error::io("cannot read", &source, e))?.len();
            copy_atomic(&source, &blob)?;
            pushed.sent = size;
        }
    }
    let Some(index) = index else { return Ok(pushed) };
    let index_path = root.join(layout::index(want.tool, want.version, want.platform));
    if std::fs::read_to_string(&index_path).ok().as_deref() != Some(index) {
        write_atomic(&index_path, index.as_bytes())?;
    }
    Ok(pushed)
}

#[allow(clippy::disallowed_methods, reason = "a team cache directory the user configured, not a project's")]
fn copy_atomic(from: &Path, to: &Path) -> Result<(), Error> {
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot create a file in", dir, e))?;
    std::fs::copy(from, tmp.path()).map_err(|e| Error::io("cannot write", tmp.path(), e))?;
    readable(tmp.path())?;
    tmp.persist(to).map_err(|e| Error::io("cannot write", to, e.error))?;
    Ok(())
}

#[allow(clippy::disallowed_methods, reason = "a team cache directory the user configured, not a project's")]
fn write_atomic(to: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot create a file in", dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io("cannot write", tmp.path(), e))?;
    readable(tmp.path())?;
    tmp.persist(to).map_err(|e| Error::io("cannot write", to, e.error))?;
    Ok(())
}

/// A cache is for serving: its files are readable by the web server's user (0644).
fn readable(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
        .map_err(|e| Error::io("cannot set the permissions of", path, e))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use crate::http::{Checksum, NoProgress};

    fn sum(bytes: &[u8]) -> Checksum {
        let mut h = Hasher::new(false);
        h.update(bytes);
        h.finish()
    }

    #[test]
    fn local_reads_are_verified_and_bounded() {
        let tmp = tempfile::tempdir().unwrap();
        let pinned = sum(b"the artifact");
        let want = Want {
            tool: "t",
            version: "1",
            platform: "p",
            checksum: &pinned,
            size: Some(12),
            url: "u",
            package: None,
        };
        let dest = tmp.path().join("dest");
        assert!(read_local(tmp.path(), &want, &dest, &NoProgress).unwrap().is_none(), "a miss");

        let mut file = || Ok(tmp.path().join("src"));
        std::fs::write(tmp.path().join("src"), b"the artifact").unwrap();
        let root = tmp.path().join("cache");
        assert_eq!(write(&root, &want, Some("index"), &mut file).unwrap(), Pushed { sent: 12, skipped: 0 });
        assert_eq!(write(&root, &want, Some("index"), &mut file).unwrap(), Pushed { sent: 0, skipped: 12 });
        let done = read_local(&root, &want, &dest, &NoProgress).unwrap().unwrap();
        assert_eq!((done.size, std::fs::read(&dest).unwrap()), (12, b"the artifact".to_vec()));

        let blob = root.join(layout::blob(&pinned));
        for tampered in [&b"the artefact"[..], b"the artifact and more"] {
            std::fs::write(&blob, tampered).unwrap();
            let e = read_local(&root, &want, &dest, &NoProgress).unwrap_err();
            assert!(e.is_mismatch(), "{e}");
            assert!(!dest.exists(), "refused bytes were kept");
        }
    }
}
