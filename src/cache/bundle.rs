//! A bundle for an air-gapped machine: the directory-cache layout (`layout`) in one tar
//! file. Reading one is reading hostile input: only regular files at the layout's paths
//! are accepted, each bounded (an artifact by the download cap, an index by 1 MiB), and
//! every blob is hashed on the way and kept only when it is the digest its path names.
//! A bundle is bytes, never a source of truth: its index files (the den.lock entries
//! `den cache export` writes beside the blobs) are skipped, so it names no tool, version,
//! URL or binary; an install finds its bytes by the checksum its own lock entry pins.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use super::{Error, layout};
use crate::http::{Checksum, Hasher};

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

/// What a bundle held: its verified blobs (now under the directory `read` was given, at
/// their layout paths), and their bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Unpacked {
    pub blobs: usize,
    pub bytes: u64,
}

/// Unpacks the blobs of the bundle `file` into `into` (the layout), each verified against
/// the digest its path names; refuses anything that is not part of a bundle, and a file
/// that is no bundle at all (not a tar, truncated, empty) with that cause.
#[allow(
    clippy::disallowed_methods,
    reason = "a bundle file the user named on the command line, not a project's"
)]
pub fn read(file: &Path, into: &Path, max_blob: u64) -> Result<Unpacked, Error> {
    let bad = |reason: String| Error::Bundle { path: file.to_path_buf(), reason };
    let broken = |e: std::io::Error| bad(format!("{e} (a truncated or damaged tar file?)"));
    let tar = File::open(file).map_err(|e| Error::io("cannot read", file, e))?;
    if tar.metadata().is_ok_and(|m| !m.is_file()) {
        return Err(bad("it is not a regular file".into()));
    }
    let mut archive = tar::Archive::new(tar);
    let mut unpacked = Unpacked::default();
    let mut seen = 0usize;
    let entries = archive.entries().map_err(broken)?;
    for (n, entry) in entries.enumerate() {
        if n >= ENTRY_LIMIT {
            return Err(bad(format!("it has more than {ENTRY_LIMIT} entries")));
        }
        let mut entry = entry.map_err(broken)?;
        let path = entry.path().map_err(broken)?.to_string_lossy().into_owned();
        let path = path.trim_end_matches('/').to_string();
        let kind = entry.header().entry_type();
        seen += 1;
        if kind.is_dir()
            && ["v1", "v1/blobs", "v1/blobs/sha256", "v1/blobs/sha512", "v1/index"].contains(&path.as_str())
        {
            continue;
        }
        let (limit, checksum) = match what(&path) {
            Some(Kind::Blob(checksum)) if kind.is_file() => (max_blob, checksum),
            Some(Kind::Index) if kind.is_file() => {
                if entry.header().size().unwrap_or(u64::MAX) > INDEX_LIMIT {
                    return Err(bad(format!(
                        "`{}` is larger than {INDEX_LIMIT} bytes",
                        crate::ui::escaped(&path)
                    )));
                }
                continue;
            }
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
        let mut out = File::create(&dest).map_err(|e| Error::io("cannot create", &dest, e))?;
        let mut hasher = Hasher::for_checksum(&checksum);
        let mut reader = (&mut entry).take(limit + 1);
        let mut buf = vec![0u8; 64 * 1024];
        let mut size = 0u64;
        loop {
            let got = reader.read(&mut buf).map_err(broken)?;
            if got == 0 {
                break;
            }
            size += got as u64;
            if size > limit {
                return Err(bad(format!("`{}` is larger than {limit} bytes", crate::ui::escaped(&path))));
            }
            hasher.update(&buf[..got]);
            out.write_all(&buf[..got]).map_err(|e| Error::io("cannot write", &dest, e))?;
        }
        if hasher.finish() != checksum {
            return Err(bad(format!(
                "`{}` does not hold the bytes of that digest (a damaged or forged bundle)",
                crate::ui::escaped(&path)
            )));
        }
        unpacked.blobs += 1;
        unpacked.bytes += size;
    }
    if seen == 0 {
        return Err(bad(
            "it holds nothing (an empty or cut-short file, not a tar of `den cache export`)".into()
        ));
    }
    Ok(unpacked)
}

enum Kind {
    /// A blob, with the checksum its path names.
    Blob(Checksum),
    Index,
}

/// What a path of the layout holds, `None` for any other path.
fn what(path: &str) -> Option<Kind> {
    let hex =
        |s: &str, len: usize| s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["v1", "blobs", alg @ ("sha256" | "sha512"), h]
            if hex(h, if *alg == "sha256" { 64 } else { 128 }) =>
        {
            format!("{alg}:{h}").parse().ok().map(Kind::Blob)
        }
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
        assert!(matches!(what(&format!("v1/blobs/sha256/{}", "a".repeat(64))), Some(Kind::Blob(_))));
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

    fn tar_of(path: &Path, files: &[(&str, &[u8])]) {
        let mut b = tar::Builder::new(File::create(path).unwrap());
        for (name, bytes) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *bytes).unwrap();
        }
        b.finish().unwrap();
    }

    #[test]
    fn keeps_only_blobs_that_are_their_digest_and_never_reads_an_index() {
        let tmp = tempfile::tempdir().unwrap();
        let mut h = Hasher::new(false);
        h.update(b"bytes");
        let good = format!("v1/blobs/sha256/{}", h.finish().hex());
        let tar_path = tmp.path().join("b.tar");
        let index: &[u8] = b"[tools.node]\nversion = \"22.11.0\"\n";
        tar_of(&tar_path, &[(&good, b"bytes"), ("v1/index/node-22.11.0-linux-x64.toml", index)]);
        let out = tmp.path().join("out");
        assert_eq!(read(&tar_path, &out, 100).unwrap(), Unpacked { blobs: 1, bytes: 5 });
        assert_eq!(std::fs::read(out.join(&good)).unwrap(), b"bytes");
        assert!(!out.join("v1/index").exists(), "an index was kept");

        let forged = format!("v1/blobs/sha256/{}", "a".repeat(64));
        tar_of(&tar_path, &[(&forged, b"bytes")]);
        let e = read(&tar_path, &tmp.path().join("forged"), 100).unwrap_err();
        assert!(e.to_string().contains("does not hold the bytes of that digest"), "{e}");
    }

    #[test]
    fn a_file_that_is_no_bundle_says_so() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let text = tmp.path().join("notes.txt");
        std::fs::write(&text, "not a tar at all, but long enough to fill a header block. ".repeat(20))
            .unwrap();
        let e = read(&text, &out, 100).unwrap_err();
        assert!(e.to_string().contains("notes.txt is not a den bundle: "), "{e}");
        std::fs::write(&text, "").unwrap();
        let e = read(&text, &out, 100).unwrap_err();
        assert!(e.to_string().contains("is not a den bundle: it holds nothing"), "{e}");
        let e = read(&tmp.path().join("missing.tar"), &out, 100).unwrap_err();
        assert!(e.to_string().starts_with("cannot read "), "{e}");
    }
}
