//! Small filesystem helpers shared by every module that keeps state on disk or reads a
//! project's files: atomic file writes, private directories (architecture convention 5,
//! spec §8) and bounded reads of files a repository may have crafted.
//!
//! Must never leave a half-written file at the destination path: a reader sees either the
//! old content or the new one, whatever happens in between; and must never block or read
//! without limit on a file den did not write.

use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The most den reads of one project file (den.toml, den.lock, a dotenv or foreign version
/// file, a secret file). Real ones are a few kilobytes; this bounds memory and time.
pub const INPUT_LIMIT: u64 = 8 << 20;

/// Reads a file a repository (or anyone) may have crafted: only a regular file (a symlink
/// to one is fine), at most `INPUT_LIMIT` bytes, never blocking.
///
/// Why: the hook reads project files at a prompt; a FIFO would hang it forever, and a
/// symlink to `/dev/zero` would read until memory runs out. The open is non-blocking (a
/// FIFO opens at once and is then refused as not a regular file), the type is checked on
/// the open descriptor (no race with a swap), and the read stops one byte past the limit.
pub fn read_input(path: &Path) -> io::Result<Vec<u8>> {
    let file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(INPUT_LIMIT) as usize);
    file.take(INPUT_LIMIT + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > INPUT_LIMIT {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {} MiB, more than den reads of such a file", INPUT_LIMIT >> 20),
        ));
    }
    Ok(bytes)
}

/// `read_input` for a text file: invalid UTF-8 is an `InvalidData` error, as with
/// `fs::read_to_string`.
pub fn read_input_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_input(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "stream did not contain valid UTF-8"))
}

/// Replaces `path` with `bytes` atomically and with permissions `mode` (e.g. `0o600`).
///
/// Why: state files (trust records, locks, `.den/` state) are read by other den processes
/// at any time, e.g. by the shell hook at a prompt; a temp file in the same directory,
/// written, given its mode, synced and then renamed over `path` means they never read a
/// torn file, and a crash leaves the previous content in place. The mode is set on the
/// temp file before the rename, so the content is never visible with wider permissions.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new().prefix(".den-tmp-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path` and its missing parents with mode 0700; existing directories are left
/// as they are.
///
/// Why: den's state (trust records, secrets-adjacent state) must not be readable by other
/// users of the machine (spec §8: state files are 0600 in 0700 directories).
pub fn create_private_dir_all(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn write_atomic_creates_then_replaces_with_the_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("state.toml");
        write_atomic(&file, b"one", 0o600).unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"one");
        assert_eq!(mode(&file), 0o600);

        write_atomic(&file, b"two", 0o644).unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"two");
        assert_eq!(mode(&file), 0o644);
        // No temp file is left beside it.
        let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec!["state.toml"]);
    }

    #[test]
    fn write_atomic_fails_cleanly_when_the_directory_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let err = write_atomic(&tmp.path().join("nope/state.toml"), b"x", 0o600).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn write_atomic_replaces_a_symlink_rather_than_writing_through_it() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("target");
        fs::write(&target, "target").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "target");
        assert!(!fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read_to_string(&link).unwrap(), "new");
    }

    #[test]
    fn read_input_refuses_fifos_devices_and_huge_files_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert_eq!(read_input(&fifo).unwrap_err().kind(), io::ErrorKind::InvalidInput);

        let zero = tmp.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert_eq!(read_input(&zero).unwrap_err().kind(), io::ErrorKind::InvalidInput);

        let big = tmp.path().join("big");
        let f = fs::File::create(&big).unwrap();
        f.set_len(INPUT_LIMIT + 1).unwrap();
        assert_eq!(read_input(&big).unwrap_err().kind(), io::ErrorKind::FileTooLarge);

        let ok = tmp.path().join("ok");
        fs::write(&ok, "a = 1\n").unwrap();
        std::os::unix::fs::symlink(&ok, tmp.path().join("link")).unwrap();
        assert_eq!(read_input_string(&tmp.path().join("link")).unwrap(), "a = 1\n");
        fs::write(&ok, b"\xff").unwrap();
        assert_eq!(read_input_string(&ok).unwrap_err().kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn private_dirs_are_0700_all_the_way_down() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c");
        create_private_dir_all(&deep).unwrap();
        for d in ["a", "a/b", "a/b/c"] {
            assert_eq!(mode(&tmp.path().join(d)), 0o700, "{d}");
        }
        // Again: existing directories are fine.
        create_private_dir_all(&deep).unwrap();
    }
}
