//! Small filesystem helpers shared by every module that keeps state on disk or reads a
//! project's files: atomic file writes, private directories (architecture convention 5,
//! spec §8) and bounded reads of files a repository may have crafted.
//!
//! Must never leave a half-written file at the destination path: a reader sees either the
//! old content or the new one, whatever happens in between; and must never block or read
//! without limit on a file den did not write.

pub mod beneath;

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
#[allow(
    clippy::disallowed_methods,
    reason = "a read-only open (O_NONBLOCK, the type checked on the descriptor)"
)]
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
/// The temp file's name carries its writer (`.den-tmp-<pid>-<start>-…`), and every write
/// first removes the temp files of writers that are gone (a den killed mid-write), so
/// none outlives the next write in its directory.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    remove_dead_temps(dir, TEMP_PREFIX);
    let mut tmp = tempfile::Builder::new().prefix(&owned_prefix(TEMP_PREFIX)).tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The prefix of `write_atomic`'s temp files.
pub const TEMP_PREFIX: &str = ".den-tmp-";

/// Temp files without a writer in their name (written by an older den) are removed once
/// they are this old: no write takes that long.
const UNOWNED_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// `<prefix><pid>-<start>-`: a temp name that says which process made it, so that another
/// den can tell a leftover of a killed one from a file still being written.
pub fn owned_prefix(prefix: &str) -> String {
    let me = std::process::id();
    format!("{prefix}{me}-{}-", start_time(me).unwrap_or(0))
}

/// Whether the entry `name` (starting with `prefix`, made by `owned_prefix`) was left by a
/// process that is gone. `None` when `name` does not carry a writer.
pub fn writer_is_gone(name: &str, prefix: &str) -> Option<bool> {
    let mut parts = name.strip_prefix(prefix)?.splitn(3, '-');
    let pid: u32 = parts.next()?.parse().ok()?;
    let start: u64 = parts.next()?.parse().ok()?;
    parts.next()?;
    Some(!process_alive(pid, start))
}

/// Whether process `pid`, started at `start` (clock ticks after boot, 0: unknown), runs.
/// A pid that was reused by another process since counts as gone.
fn process_alive(pid: u32, start: u64) -> bool {
    let Ok(raw) = i32::try_from(pid) else { return false };
    // SAFETY: signal 0 only checks that the process exists.
    let exists =
        unsafe { libc::kill(raw, 0) } == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    exists && (start == 0 || start_time(pid).is_none_or(|now| now == start))
}

/// When process `pid` started (field 22 of `/proc/<pid>/stat`); `None` without `/proc`.
fn start_time(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after the last `)`.
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

/// Removes the entries of `dir` named `<prefix>…` whose writer is gone (or, without a
/// writer in the name, that are older than a minute). Errors are ignored: this is tidying.
pub fn remove_dead_temps(dir: &Path, prefix: &str) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str().filter(|n| n.starts_with(prefix)) else { continue };
        let gone = writer_is_gone(name, prefix).unwrap_or_else(|| {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|a| a > UNOWNED_TEMP_AGE))
        });
        if gone {
            let _ = remove_tree(&entry.path());
        }
    }
}

/// Creates `path` and its missing parents with mode 0700; existing directories are left
/// as they are.
///
/// Why: den's state (trust records, secrets-adjacent state) must not be readable by other
/// users of the machine (spec §8: state files are 0600 in 0700 directories).
pub fn create_private_dir_all(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

/// `create_private_dir_all`, and an existing `path` that others may enter (made by an
/// older den, or by hand) is narrowed to 0700: for den's own directories only (the store,
/// its caches), never a user's.
pub fn private_dir(path: &Path) -> io::Result<()> {
    create_private_dir_all(path)?;
    let meta = fs::metadata(path)?;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Creates (or truncates) a file of den's own with mode 0600 (a new file never exists
/// with wider permissions), for lock files and tags that are not replaced atomically.
#[allow(
    clippy::disallowed_methods,
    reason = "den's own machine directories (lock files); a project's go through fs_util::beneath"
)]
pub fn create_private_file(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)
}

/// Deletes a file or a tree (not following links), making read-only directories writable
/// first: installed tools are sealed read-only (`seal_read_only`).
pub fn remove_tree(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if !meta.is_dir() {
        return fs::remove_file(path);
    }
    if fs::remove_dir_all(path).is_ok() {
        return Ok(());
    }
    make_writable(path);
    fs::remove_dir_all(path)
}

fn make_writable(path: &Path) {
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.is_dir()
    {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(meta.permissions().mode() | 0o700));
        for entry in fs::read_dir(path).into_iter().flatten().flatten() {
            make_writable(&entry.path());
        }
    }
}

/// Makes a tree read-only for everyone, its owner included: directories and executables
/// 0555, other files 0444 (links are left alone; they have no mode of their own).
///
/// Why: an installed tool is shared by every project on the machine; one that writes into
/// itself (`npm i -g`) must fail rather than change it for all of them.
pub fn seal_read_only(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    let mode = if meta.is_dir() {
        for entry in fs::read_dir(path)? {
            seal_read_only(&entry?.path())?;
        }
        0o555
    } else if meta.file_type().is_symlink() {
        return Ok(());
    } else if meta.permissions().mode() & 0o111 != 0 {
        0o555
    } else {
        0o444
    };
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

/// `1048576`, `512K`, `1.5G`, `20GiB`, `3 MB` (units are powers of 1024) → bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok().filter(|n: &f64| n.is_finite() && *n >= 0.0)?;
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return None,
    };
    let bytes = number * (1u64 << shift) as f64;
    (bytes < u64::MAX as f64).then_some(bytes as u64)
}

/// The process's file size limit (`ulimit -f`) in bytes, `None` when unlimited.
pub fn file_size_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit) } == 0;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur)
}

/// Whether a write failed because the disk (or a quota, or the file size limit) ran out
/// rather than because of what was written: the data is fine, the machine needs room.
pub fn is_out_of_space(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT | libc::EFBIG))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may spawn freely")]
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

    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn temp_files_of_gone_writers_are_removed_by_the_next_write() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join(format!(".den-tmp-{}-7-abc", dead_pid()));
        let live = tmp.path().join(format!("{}abc", owned_prefix(TEMP_PREFIX)));
        let recycled = tmp.path().join(format!(".den-tmp-{}-1-abc", std::process::id()));
        let unowned_new = tmp.path().join(".den-tmp-AbCdEf");
        let unowned_old = tmp.path().join(".den-tmp-XyZ123");
        for f in [&dead, &live, &recycled, &unowned_new, &unowned_old] {
            fs::write(f, "x").unwrap();
        }
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
        fs::File::open(&unowned_old).unwrap().set_modified(old).unwrap();
        assert_eq!(writer_is_gone(dead.file_name().unwrap().to_str().unwrap(), TEMP_PREFIX), Some(true));
        assert_eq!(writer_is_gone(live.file_name().unwrap().to_str().unwrap(), TEMP_PREFIX), Some(false));
        assert_eq!(writer_is_gone(".den-tmp-AbCdEf", TEMP_PREFIX), None);
        write_atomic(&tmp.path().join("state"), b"new", 0o600).unwrap();
        assert!(!dead.exists() && !unowned_old.exists());
        assert!(live.exists() && unowned_new.exists());
        // Where /proc tells start times, a pid now used by another process is not the writer.
        assert_eq!(recycled.exists(), start_time(std::process::id()).is_none());
    }

    #[test]
    fn a_pid_reused_by_another_process_counts_as_gone() {
        let me = std::process::id();
        let Some(start) = start_time(me) else { return }; // no /proc
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let pid = child.id();
        let real = start_time(pid).unwrap();
        assert!(process_alive(pid, real));
        assert!(!process_alive(pid, real + 1), "same pid, another start: not the writer");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!process_alive(pid, real));
        assert!(process_alive(me, start));
    }

    #[test]
    fn sealed_trees_are_read_only_and_still_removable() {
        let tmp = tempfile::tempdir().unwrap();
        let tree = tmp.path().join("tool");
        fs::create_dir_all(tree.join("bin")).unwrap();
        fs::write(tree.join("bin/run"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(tree.join("bin/run"), fs::Permissions::from_mode(0o775)).unwrap();
        fs::write(tree.join("data"), "d").unwrap();
        std::os::unix::fs::symlink("data", tree.join("alias")).unwrap();
        seal_read_only(&tree).unwrap();
        assert_eq!([mode(&tree), mode(&tree.join("bin")), mode(&tree.join("bin/run"))], [0o555; 3]);
        assert_eq!(mode(&tree.join("data")), 0o444);
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
    }

    #[test]
    fn private_dir_narrows_an_open_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cache");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
    }
}
