//! The one way den creates, replaces, appends to, renames or removes a file or directory
//! inside a project (`<root>/.den/…`, `.den/.gitignore`, shims, logs and their rotation,
//! sessions, `run/`, `tmp/`, den.toml and den.lock).
//!
//! Why: a repository is hostile input, and it can commit `.den/` itself: a link at
//! `.den/bin/.python.tmp`, `.den/logs/db.log` or `.den/run` pointing anywhere the user
//! can write. So every directory from the project's root down is opened with
//! `O_DIRECTORY|O_NOFOLLOW`, one component at a time, and checked on the descriptor (a
//! real directory, owned by us); files are made beneath that descriptor with `openat`:
//! a replacement is an exclusive temp file + `fsync` + `renameat` (a rename replaces a
//! link itself, never writes through it), an append opens with `O_NOFOLLOW` and checks
//! the descriptor (a regular file, ours, one link). Modes are set on the descriptor.
//! Walking one component at a time with `O_NOFOLLOW` is what `openat2`'s
//! `RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS` would give, on every kernel.
//!
//! What it finds that den did not create (a link, a FIFO, a hard link, a foreign file) is
//! replaced with one warning naming it, or refused with an error naming it.
//!
//! Must never: follow a link below the project's root, write into a file it did not just
//! create or verify, set a mode by path, block on a FIFO.

use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

/// A directory den opened and verified: the project's root (the user's choice, reached as
/// the user named it) or a real directory beneath it, owned by us, never reached through
/// a link.
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

/// The content den writes as `.den/.gitignore`.
pub const GITIGNORE: &[u8] = b"# den's per-project state; never commit it.\n*\n";

fn cstr(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in a name"))
}

/// One plain name (no `/`, not `.` or `..`): everything beneath a `Dir` is named so.
fn plain(name: &OsStr) -> io::Result<CString> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes == b"." || bytes == b".." || bytes.contains(&b'/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{}` is not a plain file name", crate::ui::shown_path(Path::new(name))),
        ));
    }
    cstr(name)
}

fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 { Err(io::Error::last_os_error()) } else { Ok(ret) }
}

fn fstat(fd: libc::c_int) -> io::Result<libc::stat> {
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fstat writes the struct it is handed.
    check(unsafe { libc::fstat(fd, st.as_mut_ptr()) })?;
    // SAFETY: initialised by a successful fstat.
    Ok(unsafe { st.assume_init() })
}

fn kind(mode: libc::mode_t) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFLNK => "a symbolic link",
        libc::S_IFIFO => "a FIFO",
        libc::S_IFSOCK => "a socket",
        libc::S_IFCHR | libc::S_IFBLK => "a device",
        libc::S_IFDIR => "a directory",
        _ => "a file",
    }
}

fn euid() -> libc::uid_t {
    // SAFETY: geteuid has no failure mode.
    unsafe { libc::geteuid() }
}

impl Dir {
    /// Opens the project's root (or the directory holding den.toml): the one directory
    /// reached as the user named it, links in that path included.
    pub fn anchor(path: &Path) -> io::Result<Dir> {
        let c = cstr(path.as_os_str())?;
        // SAFETY: a valid NUL-terminated path; the descriptor is owned below.
        let fd =
            check(unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) })?;
        // SAFETY: a fresh descriptor nobody else owns.
        Ok(Dir { fd: unsafe { OwnedFd::from_raw_fd(fd) }, path: path.to_path_buf() })
    }

    /// `anchor(root)`, then each component of `rel` as a verified directory (`child`).
    pub fn at(root: &Path, rel: &Path) -> io::Result<Dir> {
        let mut dir = Dir::anchor(root)?;
        for part in rel.components() {
            match part {
                Component::Normal(name) => dir = dir.child(name)?,
                Component::CurDir => {}
                _ => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("{} is not a path beneath {}", rel.display(), root.display()),
                    ));
                }
            }
        }
        Ok(dir)
    }

    /// The directory holding `path`, which lies beneath `root`, opened and verified
    /// component by component; and the file name in it.
    pub fn holding<'p>(root: &Path, path: &'p Path) -> io::Result<(Dir, &'p OsStr)> {
        let rel = path.strip_prefix(root).map_err(|_| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not beneath {}", path.display(), root.display()),
            )
        })?;
        let name = rel.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, format!("{} names no file", path.display()))
        })?;
        Ok((Dir::at(root, rel.parent().unwrap_or(Path::new("")))?, name))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn at_path(&self, name: &OsStr) -> PathBuf {
        self.path.join(name)
    }

    /// The type of `name` here, not following a link (`None`: nothing there).
    fn lstat(&self, name: &CStr) -> io::Result<Option<libc::stat>> {
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: a valid descriptor and name; fstatat writes the struct it is handed.
        let ret = unsafe {
            libc::fstatat(self.fd.as_raw_fd(), name.as_ptr(), st.as_mut_ptr(), libc::AT_SYMLINK_NOFOLLOW)
        };
        match check(ret) {
            // SAFETY: initialised by a successful fstatat.
            Ok(_) => Ok(Some(unsafe { st.assume_init() })),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// What a link at `name` points to, for the one line that names it.
    fn link_target(&self, name: &CStr) -> String {
        let mut buf = [0u8; 4096];
        // SAFETY: a valid descriptor and name; at most `buf.len()` bytes are written.
        let n = unsafe {
            libc::readlinkat(self.fd.as_raw_fd(), name.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        };
        let target = usize::try_from(n)
            .map_or_else(|_| PathBuf::new(), |n| PathBuf::from(OsStr::from_bytes(&buf[..n])));
        format!("`{}`", crate::ui::shown_path(&target))
    }

    /// One warning: `what` at `name`, which den did not create, was replaced.
    fn replaced(&self, name: &OsStr, st: &libc::stat, c: &CStr) {
        let what = if st.st_mode & libc::S_IFMT == libc::S_IFLNK {
            format!("a symbolic link to {}", self.link_target(c))
        } else if st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_nlink > 1 {
            "a hard link to another file".to_string()
        } else if st.st_uid != euid() {
            format!("{} owned by another user", kind(st.st_mode))
        } else {
            kind(st.st_mode).to_string()
        };
        crate::ui::warn(&format!(
            "replaced {}, {what}, by den's own: den never writes through a file it did not create",
            crate::ui::shown_path(&self.at_path(name))
        ));
    }

    /// The real directory `name` beneath this one (made 0700 when missing), opened without
    /// following a link and owned by us. A link in its place is removed (never what it
    /// points to) and replaced by a directory, with a warning; anything else is an error.
    pub fn child(&self, name: &OsStr) -> io::Result<Dir> {
        self.child_made(name, true)
    }

    /// The existing real directory `name` beneath this one, opened without following a
    /// link and owned by us; nothing is made or replaced (a link there is an error).
    pub fn existing_child(&self, name: &OsStr) -> io::Result<Dir> {
        self.child_made(name, false)
    }

    fn child_made(&self, name: &OsStr, make: bool) -> io::Result<Dir> {
        let c = plain(name)?;
        for _ in 0..2 {
            if !make {
                let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
                // SAFETY: a valid descriptor and name.
                let fd = check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags) })?;
                // SAFETY: a fresh descriptor nobody else owns.
                let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                if fstat(fd.as_raw_fd())?.st_uid != euid() {
                    return Err(io::Error::new(
                        io::ErrorKind::PermissionDenied,
                        format!("{} is owned by another user, not den's", self.at_path(name).display()),
                    ));
                }
                return Ok(Dir { fd, path: self.at_path(name) });
            }
            // SAFETY: a valid descriptor and name.
            match check(unsafe { libc::mkdirat(self.fd.as_raw_fd(), c.as_ptr(), 0o700) }) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
            // SAFETY: a valid descriptor and name.
            match check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags) }) {
                Ok(fd) => {
                    // SAFETY: a fresh descriptor nobody else owns.
                    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                    let st = fstat(fd.as_raw_fd())?;
                    if st.st_uid != euid() {
                        return Err(io::Error::new(
                            io::ErrorKind::PermissionDenied,
                            format!("{} is owned by another user, not den's", self.at_path(name).display()),
                        ));
                    }
                    return Ok(Dir { fd, path: self.at_path(name) });
                }
                Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
                    let st = self.lstat(&c)?.ok_or(e)?;
                    if st.st_mode & libc::S_IFMT != libc::S_IFLNK {
                        return Err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            format!(
                                "{} is {}, not a directory",
                                self.at_path(name).display(),
                                kind(st.st_mode)
                            ),
                        ));
                    }
                    self.replaced(name, &st, &c);
                    self.remove(name)?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} keeps changing", self.at_path(name).display()),
        ))
    }

    /// Narrows this directory to 0700 when others may enter it (made by an older den, or
    /// committed): on the descriptor, never by path.
    pub fn make_private(&self) -> io::Result<()> {
        if fstat(self.fd.as_raw_fd())?.st_mode & 0o077 != 0 {
            // SAFETY: a valid descriptor.
            check(unsafe { libc::fchmod(self.fd.as_raw_fd(), 0o700) })?;
        }
        Ok(())
    }

    /// A new file `name` here, made exclusively (`O_CREAT|O_EXCL|O_NOFOLLOW`) with `mode`
    /// set on the descriptor: what is already there, a link included, is an
    /// `AlreadyExists` error.
    pub fn create_new(&self, name: &OsStr, mode: u32) -> io::Result<File> {
        let c = plain(name)?;
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: a valid descriptor and name.
        let fd =
            check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags, 0o600 as libc::c_uint) })?;
        // SAFETY: a fresh descriptor nobody else owns.
        let file = unsafe { File::from_raw_fd(fd) };
        // SAFETY: a valid descriptor.
        check(unsafe { libc::fchmod(file.as_raw_fd(), mode as libc::mode_t) })?;
        Ok(file)
    }

    /// Replaces `name` with `bytes` atomically, with permissions `mode`: an exclusive temp
    /// file beneath this directory, written, given its mode, synced and renamed over
    /// `name`. A link (or FIFO, or foreign file) at `name` is replaced itself, with a
    /// warning; a directory there is an error.
    pub fn write(&self, name: &OsStr, bytes: &[u8], mode: u32) -> io::Result<()> {
        let c = plain(name)?;
        if let Some(st) = self.lstat(&c)? {
            let ours = st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_uid == euid() && st.st_nlink == 1;
            if !ours && st.st_mode & libc::S_IFMT != libc::S_IFDIR {
                self.replaced(name, &st, &c);
            }
        }
        super::remove_dead_temps(&self.path, super::TEMP_PREFIX);
        let prefix = super::owned_prefix(super::TEMP_PREFIX);
        let mut n = 0u32;
        let (tmp, mut file) = loop {
            let tmp = std::ffi::OsString::from(format!("{prefix}{:x}{n}", std::process::id()));
            match self.create_new(&tmp, mode) {
                Ok(file) => break (tmp, file),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => return Err(e),
            }
        };
        let done =
            file.write_all(bytes).and_then(|()| file.sync_all()).and_then(|()| self.rename(&tmp, name));
        if done.is_err() {
            let _ = self.remove(&tmp);
        }
        done
    }

    /// `write` for a file that belongs to the user (den.lock, den.toml): an existing
    /// regular file keeps its permission bits, a new one gets `new_mode`.
    pub fn write_keeping_mode(&self, name: &OsStr, bytes: &[u8], new_mode: u32) -> io::Result<()> {
        let st = self.lstat(&plain(name)?)?;
        let mode =
            st.filter(|s| s.st_mode & libc::S_IFMT == libc::S_IFREG).map_or(new_mode, |s| s.st_mode & 0o7777);
        self.write(name, bytes, mode)
    }

    /// Opens `name` for appending (a log), made 0600 when missing. What is there and is
    /// not a regular file of ours with one link (a link, a FIFO, a hard link to a file
    /// elsewhere) is removed and replaced by a new file, with a warning.
    pub fn append(&self, name: &OsStr) -> io::Result<File> {
        self.open_existing_or_new(name, libc::O_WRONLY | libc::O_APPEND)
    }

    /// Opens `name` for writing without truncating it (a lock file), made 0600 when
    /// missing; what is not a regular file of ours is replaced, as `append` does.
    pub fn lock_file(&self, name: &OsStr) -> io::Result<File> {
        self.open_existing_or_new(name, libc::O_WRONLY)
    }

    fn open_existing_or_new(&self, name: &OsStr, access: libc::c_int) -> io::Result<File> {
        let c = plain(name)?;
        for _ in 0..3 {
            let flags = access | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
            // SAFETY: a valid descriptor and name.
            match check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags) }) {
                Ok(fd) => {
                    // SAFETY: a fresh descriptor nobody else owns.
                    let file = unsafe { File::from_raw_fd(fd) };
                    let st = fstat(fd)?;
                    if st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_uid == euid() && st.st_nlink == 1 {
                        return Ok(file);
                    }
                    drop(file);
                    self.replace_foreign(name, &c)?;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => match self.create_new(name, 0o600) {
                    Ok(file) => {
                        if access & libc::O_APPEND != 0 {
                            // SAFETY: a valid descriptor; sets only the append flag.
                            check(unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETFL, libc::O_APPEND) })?;
                        }
                        return Ok(file);
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e),
                },
                // A link (ELOOP), a FIFO without a reader (ENXIO), a directory (EISDIR), a
                // file not ours (EACCES): look at it without opening it.
                Err(e) => match self.lstat(&c)? {
                    Some(st) if st.st_mode & libc::S_IFMT == libc::S_IFDIR => {
                        return Err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            format!("{} is a directory, not a file", self.at_path(name).display()),
                        ));
                    }
                    Some(_) => self.replace_foreign(name, &c)?,
                    None => return Err(e),
                },
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} keeps changing", self.at_path(name).display()),
        ))
    }

    /// Removes what is at `name` (never what a link there points to), with a warning.
    fn replace_foreign(&self, name: &OsStr, c: &CStr) -> io::Result<()> {
        if let Some(st) = self.lstat(c)? {
            self.replaced(name, &st, c);
            self.remove(name)?;
        }
        Ok(())
    }

    /// Reads a small file `name` den wrote here (a stamp, a record): not through a link,
    /// never blocking, at most `limit` bytes. `None` for anything else.
    pub fn read(&self, name: &OsStr, limit: u64) -> Option<Vec<u8>> {
        let c = plain(name).ok()?;
        let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
        // SAFETY: a valid descriptor and name.
        let fd = check(unsafe { libc::openat(self.fd.as_raw_fd(), c.as_ptr(), flags) }).ok()?;
        // SAFETY: a fresh descriptor nobody else owns.
        let file = unsafe { File::from_raw_fd(fd) };
        if fstat(fd).ok()?.st_mode & libc::S_IFMT != libc::S_IFREG {
            return None;
        }
        let mut bytes = Vec::new();
        file.take(limit).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Renames `from` to `to`, both in this directory: whatever is at `to` (a link
    /// included) is replaced itself.
    pub fn rename(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
        self.rename_to(from, self, to)
    }

    /// Renames `from` here to `to` in `dir`.
    pub fn rename_to(&self, from: &OsStr, dir: &Dir, to: &OsStr) -> io::Result<()> {
        let (f, t) = (plain(from)?, plain(to)?);
        // SAFETY: valid descriptors and names.
        check(unsafe { libc::renameat(self.fd.as_raw_fd(), f.as_ptr(), dir.fd.as_raw_fd(), t.as_ptr()) })?;
        Ok(())
    }

    /// Removes the file (or link, or empty directory) `name`; nothing there is fine.
    pub fn remove(&self, name: &OsStr) -> io::Result<()> {
        let c = plain(name)?;
        // SAFETY: a valid descriptor and name.
        let ret = unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), 0) };
        let ret = match check(ret) {
            Err(e) if e.raw_os_error() == Some(libc::EISDIR) => {
                // SAFETY: a valid descriptor and name.
                check(unsafe { libc::unlinkat(self.fd.as_raw_fd(), c.as_ptr(), libc::AT_REMOVEDIR) })
            }
            r => r,
        };
        match ret {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// The names in this directory (not following anything).
    pub fn names(&self) -> Vec<std::ffi::OsString> {
        std::fs::read_dir(format!("/proc/self/fd/{}", self.fd.as_raw_fd()))
            .or_else(|_| std::fs::read_dir(&self.path))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name())
            .collect()
    }

    /// Whether `name` here is a regular file of ours (not a link, not a FIFO).
    pub fn is_own_file(&self, name: &OsStr) -> bool {
        plain(name)
            .ok()
            .and_then(|c| self.lstat(&c).ok().flatten())
            .is_some_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG && st.st_uid == euid())
    }
}

/// The project's `.den/` at `root`, verified, with its `.gitignore` (`*`) written when it
/// is not a regular file of ours, so nothing of it is ever committed.
pub fn den_dir(root: &Path) -> io::Result<Dir> {
    let den = Dir::anchor(root)?.child(OsStr::new(".den"))?;
    if !den.is_own_file(OsStr::new(".gitignore")) {
        den.write(OsStr::new(".gitignore"), GITIGNORE, 0o600)?;
    }
    Ok(den)
}

/// `den_dir(root)`, then `rel` beneath it, one verified component at a time.
pub fn den_subdir(root: &Path, rel: &Path) -> io::Result<Dir> {
    let mut dir = den_dir(root)?;
    for part in rel.components() {
        if let Component::Normal(name) = part {
            dir = dir.child(name)?;
        }
    }
    Ok(dir)
}

/// Replaces the file at `path` (beneath `root`) atomically: `Dir::write` in the verified
/// directory holding it.
pub fn write(root: &Path, path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let (dir, name) = Dir::holding(root, path)?;
    dir.write(name, bytes, mode)
}

/// Replaces the user's file at `path` (den.toml, den.lock) atomically in the directory
/// holding it, which is opened as the user named it: an existing regular file keeps its
/// permission bits, a new one gets `new_mode`; a link at `path` is replaced, not followed.
pub fn write_keeping_mode(path: &Path, bytes: &[u8], new_mode: u32) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{} names no file", path.display()))
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Dir::anchor(dir)?.write_keeping_mode(name, bytes, new_mode)
}

/// Removes the file (or link) at `path` beneath `root`, following no link on the way and
/// making nothing: a directory on the way that is a link or missing means nothing to remove.
pub fn remove(root: &Path, path: &Path) -> io::Result<()> {
    let rel = path.strip_prefix(root).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not beneath {}", path.display(), root.display()),
        )
    })?;
    let Some(name) = rel.file_name() else { return Ok(()) };
    match existing(root, rel.parent().unwrap_or(Path::new(""))) {
        Ok(dir) => dir.remove(name),
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ELOOP | libc::ENOTDIR)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The existing directory `rel` beneath `root`, each component a real directory of ours
/// reached without following a link; nothing is made (a link on the way is `ELOOP`).
pub fn existing(root: &Path, rel: &Path) -> io::Result<Dir> {
    let mut dir = Dir::anchor(root)?;
    for part in rel.components() {
        match part {
            Component::Normal(part) => dir = dir.existing_child(part)?,
            Component::CurDir => {}
            _ => {
                let what = format!("{} is not a path beneath {}", rel.display(), root.display());
                return Err(io::Error::new(io::ErrorKind::InvalidInput, what));
            }
        }
    }
    Ok(dir)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    fn mode(path: &Path) -> u32 {
        fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn mkfifo(path: &Path) {
        let c = CString::new(path.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    }

    #[test]
    fn write_replaces_a_link_a_fifo_and_a_hard_link_never_their_targets() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::write(&outside, "keep").unwrap();
        fs::set_permissions(&outside, fs::Permissions::from_mode(0o640)).unwrap();
        let root = tmp.path().join("p");
        fs::create_dir(&root).unwrap();
        let den = den_subdir(&root, Path::new("bin")).unwrap();
        symlink(&outside, den.path().join(".python.tmp")).unwrap();
        den.write(OsStr::new(".python.tmp"), b"shim", 0o755).unwrap();
        mkfifo(&den.path().join("fifo"));
        den.write(OsStr::new("fifo"), b"x", 0o600).unwrap();
        fs::hard_link(&outside, den.path().join("hard")).unwrap();
        den.write(OsStr::new("hard"), b"y", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "keep");
        assert_eq!(mode(&outside), 0o640);
        assert_eq!(fs::read_to_string(den.path().join(".python.tmp")).unwrap(), "shim");
        assert_eq!(mode(&den.path().join(".python.tmp")), 0o755, "the mode is set on the descriptor");
        assert_eq!(fs::read_to_string(den.path().join("fifo")).unwrap(), "x");
        assert_eq!(fs::metadata(den.path().join("hard")).unwrap().nlink(), 1);
        assert_eq!(fs::read(root.join(".den/.gitignore")).unwrap(), GITIGNORE);
        // No temp file is left.
        let mut names: Vec<_> = den.names();
        names.sort();
        assert_eq!(names, [".python.tmp", "fifo", "hard"]);
    }

    #[test]
    fn append_replaces_links_fifos_and_hard_links_and_keeps_its_own_file() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs::write(&outside, "keep").unwrap();
        let root = tmp.path().join("p");
        fs::create_dir(&root).unwrap();
        let logs = den_subdir(&root, Path::new("logs")).unwrap();
        for (name, make) in [
            ("link.log", &(|p: &Path| symlink(tmp.path().join("outside"), p).unwrap()) as &dyn Fn(&Path)),
            ("dangling.log", &|p: &Path| symlink(tmp.path().join("nowhere"), p).unwrap()),
            ("fifo.log", &|p: &Path| mkfifo(p)),
            ("hard.log", &|p: &Path| fs::hard_link(tmp.path().join("outside"), p).unwrap()),
        ] {
            make(&logs.path().join(name));
            let mut f = logs.append(OsStr::new(name)).unwrap();
            f.write_all(b"one\n").unwrap();
            drop(f);
            logs.append(OsStr::new(name)).unwrap().write_all(b"two\n").unwrap();
            assert_eq!(fs::read_to_string(logs.path().join(name)).unwrap(), "one\ntwo\n", "{name}");
            assert_eq!(mode(&logs.path().join(name)), 0o600, "{name}");
        }
        assert_eq!(fs::read_to_string(&outside).unwrap(), "keep");
        assert!(!tmp.path().join("nowhere").exists());
    }

    #[test]
    fn a_directory_given_as_a_link_is_replaced_and_its_target_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        let root = tmp.path().join("p");
        fs::create_dir_all(root.join(".den")).unwrap();
        symlink(&elsewhere, root.join(".den/run")).unwrap();
        let run = den_subdir(&root, Path::new("run")).unwrap();
        run.write(OsStr::new("lease"), b"1 2\n", 0o600).unwrap();
        assert!(fs::symlink_metadata(root.join(".den/run")).unwrap().is_dir());
        assert_eq!(mode(&root.join(".den/run")), 0o700);
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        // `.den` itself as a link, and a file where a directory goes.
        fs::remove_dir_all(root.join(".den")).unwrap();
        symlink(&elsewhere, root.join(".den")).unwrap();
        write(&root, &root.join(".den/logs/x.log"), b"x", 0o600).unwrap();
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        fs::write(root.join(".den/tmp"), "").unwrap();
        let err = den_subdir(&root, Path::new("tmp")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert!(err.to_string().contains("not a directory"), "{err}");
    }

    #[test]
    fn write_keeping_mode_keeps_a_regular_files_bits_and_names_stay_plain() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Dir::anchor(tmp.path()).unwrap();
        fs::write(tmp.path().join("den.lock"), "old").unwrap();
        fs::set_permissions(tmp.path().join("den.lock"), fs::Permissions::from_mode(0o640)).unwrap();
        dir.write_keeping_mode(OsStr::new("den.lock"), b"new", 0o644).unwrap();
        assert_eq!(mode(&tmp.path().join("den.lock")), 0o640);
        dir.write_keeping_mode(OsStr::new("den.toml"), b"new", 0o644).unwrap();
        assert_eq!(mode(&tmp.path().join("den.toml")), 0o644);
        for bad in ["", ".", "..", "a/b"] {
            assert_eq!(
                dir.write(OsStr::new(bad), b"x", 0o600).unwrap_err().kind(),
                io::ErrorKind::InvalidInput
            );
        }
        assert!(write(tmp.path(), Path::new("/elsewhere/x"), b"x", 0o600).is_err());
    }

    #[test]
    fn remove_follows_no_link_on_the_way_and_makes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        fs::write(elsewhere.join("status.json"), "keep").unwrap();
        let root = tmp.path().join("p");
        fs::create_dir_all(root.join(".den")).unwrap();
        symlink(&elsewhere, root.join(".den/run")).unwrap();
        remove(&root, &root.join(".den/run/status.json")).unwrap();
        assert!(elsewhere.join("status.json").exists(), "removed through a link");
        remove(&root, &root.join(".den/logs/x.log")).unwrap();
        assert!(!root.join(".den/logs").exists(), "remove made a directory");
        fs::remove_file(root.join(".den/run")).unwrap();
        fs::create_dir(root.join(".den/run")).unwrap();
        symlink(elsewhere.join("status.json"), root.join(".den/run/status.json")).unwrap();
        remove(&root, &root.join(".den/run/status.json")).unwrap();
        assert!(fs::symlink_metadata(root.join(".den/run/status.json")).is_err());
        assert!(elsewhere.join("status.json").exists());
    }

    #[test]
    fn read_refuses_links_and_fifos_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = Dir::anchor(tmp.path()).unwrap();
        fs::write(tmp.path().join("stamp"), "s").unwrap();
        symlink(tmp.path().join("stamp"), tmp.path().join("link")).unwrap();
        mkfifo(&tmp.path().join("fifo"));
        assert_eq!(dir.read(OsStr::new("stamp"), 10).unwrap(), b"s");
        assert_eq!(dir.read(OsStr::new("link"), 10), None);
        assert_eq!(dir.read(OsStr::new("fifo"), 10), None);
    }
}
