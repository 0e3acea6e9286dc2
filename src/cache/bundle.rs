//! A bundle for an air-gapped machine: the directory-cache layout (`layout`) in one tar
//! file. Reading one is reading hostile input: only regular files at the layout's paths
//! are accepted, each bounded (an artifact by the download cap, an index by 1 MiB), and
//! the checksums are checked later, when each artifact is installed from the unpacked copy.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use super::{Error, layout};

/// Most bytes of one index file.
const INDEX_LIMIT: u64 = 1 << 20;
/// Most entries a bundle may have.
const ENTRY_LIMIT: usize = 100_000;

/// Writes the layout under `root` to the tar file `dest`, atomically.
pub fn write(root: &Path, dest: &Path) -> Result<(), Error> {
    let dir = dest.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io("cannot create a file in", dir, e))?;
    let mut builder = tar::Builder::new(tmp.as_file());
    builder.follow_symlinks(false);
    let v1 = root.join(layout::ROOT);
    if v1.is_dir() {
        builder.append_dir_all(layout::ROOT, &v1).map_err(|e| Error::io("cannot write", dest, e))?;
    }
    builder.into_inner().and_then(|f| f.sync_all()).map_err(|e| Error::io("cannot write", dest, e))?;
    tmp.persist(dest).map_err(|e| Error::io("cannot write", dest, e.error))?;
    Ok(())
}

/// Unpacks the bundle `file` into `into` (the layout), refusing anything else; the index
/// files' names and texts, for the caller to parse as den.lock entries.
#[allow(
    clippy::disallowed_methods,
    reason = "a bundle file the user named on the command line, not a project's"
)]
pub fn read(file: &Path, into: &Path, max_blob: u64) -> Result<Vec<(String, String)>, Error> {
    let bad = |reason: String| Error::Answer { url: file.display().to_string(), reason };
    let tar = File::open(file).map_err(|e| Error::io("cannot read", file, e))?;
    let mut archive = tar::Archive::new(tar);
    let mut indexes = Vec::new();
    let entries = archive.entries().map_err(|e| Error::io("cannot read", file, e))?;
    for (n, entry) in entries.enumerate() {
        if n >= ENTRY_LIMIT {
            return Err(bad(format!("more than {ENTRY_LIMIT} entries: not a den bundle")));
        }
        let mut entry = entry.map_err(|e| Error::io("cannot read", file, e))?;
        let path =
            entry.path().map_err(|e| Error::io("cannot read", file, e))?.to_string_lossy().into_owned();
        let path = path.trim_end_matches('/').to_string();
        let kind = entry.header().entry_type();
        if kind.is_dir()
            && ["v1", "v1/blobs", "v1/blobs/sha256", "v1/blobs/sha512", "v1/index"].contains(&path.as_str())
        {
            continue;
        }
        let limit = match what(&path) {
            Some(Kind::Blob) if kind.is_file() => max_blob,
            Some(Kind::Index) if kind.is_file() => INDEX_LIMIT,
            _ => {
                return Err(bad(format!(
                    "`{}` is not part of a den bundle (written by `den cache export`)",
                    crate::ui::escaped(&path)
                )));
            }
        };
        if entry.header().size().unwrap_or(u64::MAX) > limit {
            return Err(bad(format!("`{}` is larger than {limit} bytes", crate::ui::escaped(&path))));
        }
        let dest = into.join(&path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("cannot create", parent, e))?;
        }
        let mut bytes = Vec::new();
        let mut out = File::create(&dest).map_err(|e| Error::io("cannot create", &dest, e))?;
        let mut reader = (&mut entry).take(limit + 1);
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let got = reader.read(&mut buf).map_err(|e| Error::io("cannot read", file, e))?;
            if got == 0 {
                break;
            }
            size += got as u64;
            if size > limit {
                return Err(bad(format!("`{}` is larger than {limit} bytes", crate::ui::escaped(&path))));
            }
            out.write_all(&buf[..got]).map_err(|e| Error::io("cannot write", &dest, e))?;
            if matches!(what(&path), Some(Kind::Index)) {
                bytes.extend_from_slice(&buf[..got]);
            }
        }
        if matches!(what(&path), Some(Kind::Index)) {
            let text = String::from_utf8(bytes)
                .map_err(|_| bad(format!("`{}` is not UTF-8", crate::ui::escaped(&path))))?;
            indexes.push((path, text));
        }
    }
    Ok(indexes)
}

enum Kind {
    Blob,
    Index,
}

/// What a path of the layout holds, `None` for any other path.
fn what(path: &str) -> Option<Kind> {
    let hex =
        |s: &str, len: usize| s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["v1", "blobs", "sha256", h] if hex(h, 64) => Some(Kind::Blob),
        ["v1", "blobs", "sha512", h] if hex(h, 128) => Some(Kind::Blob),
        ["v1", "index", name] => {
            let tag = name.strip_suffix(".toml")?;
            let valid = !tag.is_empty()
                && !tag.starts_with(['.', '-'])
                && tag.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            valid.then_some(Kind::Index)
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn only_layout_paths() {
        assert!(matches!(what(&format!("v1/blobs/sha256/{}", "a".repeat(64))), Some(Kind::Blob)));
        assert!(matches!(what("v1/index/jq-1.7.1-linux-x64.toml"), Some(Kind::Index)));
        for bad in
            ["v1/blobs/sha256/../../x", "../x", "/etc/passwd", "v1/index/..toml", "v1/index/a/b.toml", "v1/x"]
        {
            assert!(what(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn refuses_a_foreign_entry() {
        let tmp = tempfile::tempdir().unwrap();
        let tar_path = tmp.path().join("b.tar");
        let mut b = tar::Builder::new(File::create(&tar_path).unwrap());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "evil.sh", &b"x"[..]).unwrap();
        b.finish().unwrap();
        let out = tmp.path().join("out");
        let e = read(&tar_path, &out, 10).unwrap_err();
        assert!(e.to_string().contains("`evil.sh` is not part of a den bundle"), "{e}");
        assert!(!out.join("evil.sh").exists());
    }
}
