//! The only code that writes unpacked entries: every path is checked here (no absolute
//! paths, no `..`, no link leaving the install directory, no write through a link), so the
//! format readers cannot forget a check.

use std::collections::HashSet;
use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};

use super::{Error, Refusal};

/// The install directory being filled, and the real directories made in it so far.
pub(super) struct Dest<'a> {
    archive: &'a Path,
    root: &'a Path,
    dirs: HashSet<PathBuf>,
}

/// Permission bits written: 0755 when any execute bit is set, else 0644 (no set-id bits,
/// nothing group- or world-writable in a shared store).
pub(super) fn file_mode(mode: u32) -> u32 {
    if mode & 0o111 != 0 { 0o755 } else { 0o644 }
}

impl<'a> Dest<'a> {
    pub(super) fn new(archive: &'a Path, root: &'a Path) -> Self {
        Dest { archive, root, dirs: HashSet::new() }
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
                    fs::create_dir(&full).map_err(|source| Error::Write { path: full.clone(), source })?;
                }
                Err(source) => return Err(Error::Write { path: full, source }),
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
            Ok(_) => fs::remove_file(&full)
                .map(|()| full.clone())
                .map_err(|source| Error::Write { path: full, source }),
            Err(_) => Ok(full),
        }
    }

    /// Writes a regular file with its permission bits (see [`file_mode`]).
    pub(super) fn file(
        &mut self,
        entry: &str,
        rel: &Path,
        data: &mut dyn Read,
        mode: u32,
    ) -> Result<(), Error> {
        let full = self.place(entry, rel)?;
        let write_err = |source| Error::Write { path: full.clone(), source };
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(file_mode(mode))
            .open(&full)
            .map_err(write_err)?;
        io::copy(data, &mut file).map_err(|e| self.read_error(e))?;
        fs::set_permissions(&full, fs::Permissions::from_mode(file_mode(mode))).map_err(write_err)
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
        std::os::unix::fs::symlink(target, &full).map_err(|source| Error::Write { path: full, source })
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
            fs::copy(&source, &full).map_err(|e| Error::Write { path: full, source: e })?;
        }
        Ok(())
    }
}
