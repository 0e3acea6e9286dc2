//! The only code that writes unpacked entries: every path is checked here (no absolute
//! paths, no `..`, no link leaving the install directory, no write through a link), so the
//! format readers cannot forget a check. It also keeps the byte budget: file contents are
//! counted against the [`Limit`] and the process's file size limit as they are written, and
//! runs of zeros become holes, so neither a bomb nor a sparse entry can fill the disk.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use super::limit::{Limit, file_size_limit};
use super::{Error, Refusal};

/// Bytes copied (or skipped as a hole) at a time.
const CHUNK: usize = 64 * 1024;

/// The install directory being filled, the real directories made in it so far, and the
/// bytes written against the limit.
pub(super) struct Dest<'a> {
    archive: &'a Path,
    root: &'a Path,
    dirs: HashSet<PathBuf>,
    limit: Limit,
    used: u64,
    /// `ulimit -f`: writing past it would kill den with SIGXFSZ instead of an error.
    file_size_limit: Option<u64>,
}

/// Permission bits written: 0755 when any execute bit is set, else 0644 (no set-id bits,
/// nothing group- or world-writable in a shared store).
pub(super) fn file_mode(mode: u32) -> u32 {
    if mode & 0o111 != 0 { 0o755 } else { 0o644 }
}

impl<'a> Dest<'a> {
    pub(super) fn new(archive: &'a Path, root: &'a Path, limit: Limit) -> Self {
        Dest { archive, root, dirs: HashSet::new(), limit, used: 0, file_size_limit: file_size_limit() }
    }

    /// A failed write, out of space or not.
    fn write_error(&self, path: &Path, source: io::Error) -> Error {
        Error::write(self.archive, self.root, path, self.used, source)
    }

    pub(super) fn archive(&self) -> &Path {
        self.archive
    }

    pub(super) fn refuse(&self, entry: &str, refusal: Refusal) -> Error {
        Error::Refused { archive: self.archive.to_path_buf(), entry: entry.to_string(), refusal }
    }

    pub(super) fn read_error(&self, source: io::Error) -> Error {
        Error::Read { archive: self.archive.to_path_buf(), source }
    }

    /// The entry's path relative to the root, `None` for the root itself (`./`).
    pub(super) fn relative(&self, entry: &str, path: &Path) -> Result<Option<PathBuf>, Error> {
        let mut out = PathBuf::new();
        for component in path.components() {
            match component {
                Component::Normal(part) => out.push(part),
                Component::CurDir => {}
                Component::ParentDir => return Err(self.refuse(entry, Refusal::ParentDir)),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(self.refuse(entry, Refusal::Absolute));
                }
            }
        }
        Ok((!out.as_os_str().is_empty()).then_some(out))
    }

    /// Makes `rel` (relative to the root) a real directory, refusing to pass through links.
    pub(super) fn dir(&mut self, entry: &str, rel: &Path) -> Result<PathBuf, Error> {
        let mut full = self.root.to_path_buf();
        let mut walked = PathBuf::new();
        for part in rel.components() {
            full.push(part);
            walked.push(part);
            if self.dirs.contains(&full) {
                continue;
            }
            match fs::symlink_metadata(&full) {
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) if meta.file_type().is_symlink() => {
                    let link = walked.display().to_string();
                    return Err(self.refuse(entry, Refusal::ThroughLink { link }));
                }
                Ok(_) => {
                    let parent = walked.display().to_string();
                    return Err(self.refuse(entry, Refusal::NotADirectory { parent }));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    fs::create_dir(&full).map_err(|e| self.write_error(&full, e))?;
                }
                Err(source) => return Err(self.write_error(&full, source)),
            }
            self.dirs.insert(full.clone());
        }
        Ok(full)
    }

    /// Prepares the place of a non-directory entry: parents made, an old file or link of
    /// the same name removed (later entries win, as with `tar`).
    fn place(&mut self, entry: &str, rel: &Path) -> Result<PathBuf, Error> {
        let parent = self.dir(entry, rel.parent().unwrap_or(Path::new("")))?;
        let full = parent.join(rel.file_name().unwrap_or_default());
        match fs::symlink_metadata(&full) {
            Ok(meta) if meta.is_dir() => {
                let parent = rel.display().to_string();
                Err(self.refuse(entry, Refusal::NotADirectory { parent }))
            }
            Ok(_) => fs::remove_file(&full).map(|()| full.clone()).map_err(|e| self.write_error(&full, e)),
            Err(_) => Ok(full),
        }
    }

    /// Writes a regular file with its permission bits (see [`file_mode`]).
    #[allow(clippy::disallowed_methods, reason = "the store, den's own data directory")]
    pub(super) fn file(
        &mut self,
        entry: &str,
        rel: &Path,
        data: &mut dyn Read,
        mode: u32,
    ) -> Result<(), Error> {
        let full = self.place(entry, rel)?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(file_mode(mode))
            .open(&full)
            .map_err(|e| self.write_error(&full, e))?;
        self.copy(data, &mut file, &full)?;
        fs::set_permissions(&full, fs::Permissions::from_mode(file_mode(mode)))
            .map_err(|e| self.write_error(&full, e))
    }

    /// Copies `data` into the new, empty `file`: reading errors are the archive's, writing
    /// errors the disk's; zero chunks are skipped as holes; every byte counts against the
    /// limit, and the file never grows past `ulimit -f`.
    fn copy(&mut self, data: &mut dyn Read, file: &mut File, path: &Path) -> Result<(), Error> {
        let mut buf = vec![0u8; CHUNK];
        let mut len = 0u64;
        let mut hole = false;
        loop {
            let n = match data.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.read_error(e)),
            };
            self.used += n as u64;
            if self.used > self.limit.bytes {
                return Err(Error::TooLarge { archive: self.archive.to_path_buf(), limit: self.limit });
            }
            len += n as u64;
            if self.file_size_limit.is_some_and(|max| len > max) {
                return Err(self.write_error(path, io::Error::from_raw_os_error(libc::EFBIG)));
            }
            let chunk = &buf[..n];
            hole = chunk.iter().all(|b| *b == 0);
            let written =
                if hole { file.seek(SeekFrom::Current(n as i64)).map(|_| ()) } else { file.write_all(chunk) };
            written.map_err(|e| self.write_error(path, e))?;
        }
        if hole {
            // A file ending in a hole: give it its length without writing the zeros.
            file.set_len(len).map_err(|e| self.write_error(path, e))?;
        }
        Ok(())
    }

    /// A single executable (bare binary or gunzipped file) named `name` at the root.
    pub(super) fn executable(&mut self, name: &str, data: &mut dyn Read) -> Result<(), Error> {
        let rel = Path::new(name);
        if rel.components().count() != 1 || !matches!(rel.components().next(), Some(Component::Normal(_))) {
            return Err(self.refuse(name, Refusal::BadBinaryName));
        }
        self.file(name, rel, data, 0o755)
    }

    /// A symbolic link, whose target must stay inside the root when read from the link's
    /// directory, climbing with `..` only at its start.
    pub(super) fn symlink(&mut self, entry: &str, rel: &Path, target: &Path) -> Result<(), Error> {
        let shown = target.display().to_string();
        let mut depth = rel.components().count() as isize - 1;
        let mut named = false;
        for component in target.components() {
            match component {
                Component::RootDir | Component::Prefix(_) => {
                    return Err(self.refuse(entry, Refusal::SymlinkEscapes { target: shown }));
                }
                Component::CurDir => {}
                Component::ParentDir if named => {
                    return Err(self.refuse(entry, Refusal::SymlinkClimbs { target: shown }));
                }
                Component::ParentDir => depth -= 1,
                Component::Normal(_) => {
                    named = true;
                    depth += 1;
                }
            }
            if depth < 0 {
                return Err(self.refuse(entry, Refusal::SymlinkEscapes { target: shown }));
            }
        }
        if shown.is_empty() {
            return Err(self.refuse(entry, Refusal::SymlinkEscapes { target: shown }));
        }
        let full = self.place(entry, rel)?;
        std::os::unix::fs::symlink(target, &full).map_err(|e| self.write_error(&full, e))
    }

    /// A hard link to an archive path unpacked earlier (linked, or copied across devices).
    pub(super) fn hardlink(&mut self, entry: &str, rel: &Path, target: &Path) -> Result<(), Error> {
        let shown = target.display().to_string();
        let escapes = || self.refuse(entry, Refusal::HardlinkEscapes { target: shown.clone() });
        let target_rel = match self.relative(&shown, target) {
            Ok(Some(rel)) => rel,
            Ok(None) | Err(Error::Refused { .. }) => return Err(escapes()),
            Err(other) => return Err(other),
        };
        let source = self.root.join(&target_rel);
        let inside_real_dirs = target_rel.parent().is_none_or(|p| p.as_os_str().is_empty())
            || self.dirs.contains(&self.root.join(target_rel.parent().unwrap_or(Path::new(""))));
        match fs::symlink_metadata(&source) {
            Ok(meta) if meta.is_file() && inside_real_dirs => {}
            _ => return Err(self.refuse(entry, Refusal::HardlinkMissing { target: shown })),
        }
        let full = self.place(entry, rel)?;
        if fs::hard_link(&source, &full).is_err() {
            let copied = fs::copy(&source, &full).map_err(|e| self.write_error(&full, e))?;
            self.used += copied;
            if self.used > self.limit.bytes {
                return Err(Error::TooLarge { archive: self.archive.to_path_buf(), limit: self.limit });
            }
        }
        Ok(())
    }
}
