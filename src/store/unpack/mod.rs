//! Unpacks an artifact (tarballs in every compression upstreams use, zip, wheels, npm
//! tarballs, single gzip-compressed executables, bare executables) into an install
//! directory, keeping executable bits. It must never write outside that directory: entries
//! with absolute paths or `..`, links that escape it, device and fifo entries, and writes
//! through links are refused with an error naming the entry. It must never write more
//! than its [`Limit`] (a gzip bomb or a sparse entry stops with an error naming the limit),
//! and it writes runs of zeros as holes, so a sparse entry stays sparse on disk.

mod limit;
mod safety;
mod tar;
mod zip;

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests;

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

pub use crate::artifact::Format;
pub use limit::Limit;
use safety::Dest;

use crate::fs_util::is_out_of_space;
use crate::http::human_bytes;
use crate::ui::{escaped, shown_path};

/// Unpacks `archive` of `format` into `dest` (created if missing), within the limit for
/// its size (see [`Limit::for_archive`]). Archives are unpacked as they are (top-level
/// directories and npm's `package/` kept): the catalog names paths.
pub fn unpack(archive: &Path, format: Format, dest: &Path) -> Result<(), Error> {
    let size =
        std::fs::metadata(archive).map_err(|source| Error::Read { archive: archive.into(), source })?;
    unpack_within(archive, format, dest, Limit::for_archive(size.len()))
}

/// [`unpack`] with an explicit limit.
#[allow(clippy::disallowed_methods, reason = "the store, den's own data directory")]
pub fn unpack_within(archive: &Path, format: Format, dest: &Path, limit: Limit) -> Result<(), Error> {
    let read_err = |source| Error::Read { archive: archive.to_path_buf(), source };
    std::fs::create_dir_all(dest).map_err(|source| Error::Write { path: dest.to_path_buf(), source })?;
    let mut out = Dest::new(archive, dest, limit);
    let open = || File::open(archive).map(BufReader::new).map_err(read_err);
    match format {
        Format::Tar => tar::unpack(open()?, &mut out),
        Format::TarGz => tar::unpack(flate2::bufread::MultiGzDecoder::new(open()?), &mut out),
        Format::TarXz => tar::unpack(liblzma::bufread::XzDecoder::new_multi_decoder(open()?), &mut out),
        Format::TarZst => tar::unpack(zstd::Decoder::with_buffer(open()?).map_err(read_err)?, &mut out),
        Format::TarBz2 => tar::unpack(bzip2::bufread::MultiBzDecoder::new(open()?), &mut out),
        Format::Zip => zip::unpack(File::open(archive).map_err(read_err)?, &mut out, false),
        Format::Wheel => zip::unpack(File::open(archive).map_err(read_err)?, &mut out, true),
        Format::Gz { name } => {
            let mut reader = flate2::bufread::MultiGzDecoder::new(open()?);
            out.executable(&name, &mut reader)
        }
        Format::Binary { name } => out.executable(&name, &mut open()?),
    }
}

/// Why an archive could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An entry den refuses to write (see [`Refusal`]).
    #[error("archive entry `{}` {refusal}", escaped(entry))]
    Refused { archive: PathBuf, entry: String, refusal: Refusal },
    /// The entries add up to more than the limit: a decompression bomb, or a tool larger
    /// than the limit allows.
    #[error(
        "the archive expands to more than {} (the unpack limit{}); unpacking stopped",
        human_bytes(limit.bytes),
        if limit.from_env { " set by DEN_MAX_UNPACK" } else { ": 100 times the download, at most 20 GiB" }
    )]
    TooLarge { archive: PathBuf, limit: Limit },
    /// The disk, a quota or the file size limit ran out: the archive is fine, the
    /// machine needs room (`cause` is ENOSPC, EDQUOT or EFBIG).
    #[error("{}", out_of_space(store, entry, *written, cause))]
    OutOfSpace {
        archive: PathBuf,
        /// The directory the install directory is made in (the store's tools bucket).
        store: PathBuf,
        /// The file being written, relative to the install directory.
        entry: PathBuf,
        /// Bytes of this archive unpacked before it happened.
        written: u64,
        /// Not a `source()`: the message says it in words, so it is not printed again.
        cause: io::Error,
    },
    #[error("cannot read the archive {}: {}", shown_path(archive), escaped(&source.to_string()))]
    Read {
        archive: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read the zip archive {}: {}", shown_path(archive), escaped(&source.to_string()))]
    Zip {
        archive: PathBuf,
        #[source]
        source: ::zip::result::ZipError,
    },
    #[error("cannot write {}: {}", shown_path(path), escaped(&source.to_string()))]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// Whether the verified download is worth keeping: the failure was the machine's
    /// (no space, a quota, the file size limit), not the archive's.
    pub fn keeps_download(&self) -> bool {
        matches!(self, Error::OutOfSpace { .. })
    }

    /// A failed write of `path` in the install directory `root`, classified: out of space
    /// (which keeps the download) or not.
    pub(crate) fn write(archive: &Path, root: &Path, path: &Path, written: u64, source: io::Error) -> Error {
        if is_out_of_space(&source) {
            let store = root.parent().unwrap_or(root).into();
            let entry = path.strip_prefix(root).unwrap_or(path).into();
            Error::OutOfSpace { archive: archive.into(), store, entry, written, cause: source }
        } else {
            Error::Write { path: path.into(), source }
        }
    }
}

impl crate::hint::Hint for Error {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        match self {
            // The archive is the store's own partial file: its name would tell the user nothing.
            Error::Refused { .. } => Some(
                "nothing was installed: an archive like this is unsafe to unpack — report it to the tool's \
                 publisher"
                    .into(),
            ),
            Error::TooLarge { limit, .. } => Some(format!(
                "nothing was installed and the download was deleted: an archive that expands this much is \
                 most likely a decompression bomb; if the tool really is this large, set DEN_MAX_UNPACK \
                 above {} (e.g. DEN_MAX_UNPACK=40G) and install again",
                human_bytes(limit.bytes)
            )),
            Error::OutOfSpace { archive, cause, .. } => Some(format!(
                "{}; the verified download is kept ({}), so the next try unpacks it without downloading again",
                if cause.raw_os_error() == Some(libc::EFBIG) {
                    "raise the file size limit (`ulimit -f unlimited`) and run the command again"
                } else {
                    "free some space (`den cache prune` may help) and run the command again"
                },
                shown_path(archive)
            )),
            Error::Read { .. } | Error::Zip { .. } => {
                Some("the download is damaged or not in the format its name says; install again".into())
            }
            Error::Write { source, .. } if source.raw_os_error() == Some(libc::ENAMETOOLONG) => Some(
                "an entry's path is too long for this file system: report the archive to the tool's publisher, \
                 or use a shorter data directory (DEN_HOME)"
                    .into(),
            ),
            Error::Write { .. } => Some("check the permissions of den's store (`den cache dir`)".into()),
        }
    }
}

/// The one line of an out-of-space failure: what ran out, where, and how far it got.
fn out_of_space(store: &Path, entry: &Path, written: u64, source: &io::Error) -> String {
    let so_far = human_bytes(written);
    let entry = shown_path(entry);
    match source.raw_os_error() {
        Some(libc::EFBIG) => format!(
            "archive entry `{entry}` reached the file size limit ({}) while unpacking, after {so_far}",
            match limit::file_size_limit() {
                Some(bytes) => format!("`ulimit -f` allows {}", human_bytes(bytes)),
                None => "`ulimit -f`".into(),
            }
        ),
        Some(libc::EDQUOT) => format!(
            "the disk quota ran out in {} while unpacking, after {so_far} (at `{entry}`)",
            shown_path(store)
        ),
        _ => format!(
            "the disk holding {} is full: unpacking stopped after {so_far} (at `{entry}`)",
            shown_path(store)
        ),
    }
}

/// Why an entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("is an absolute path")]
    Absolute,
    #[error("escapes the install directory")]
    ParentDir,
    #[error("is a symbolic link to `{}`, which escapes the install directory", escaped(target))]
    SymlinkEscapes { target: String },
    #[error(
        "is a symbolic link to `{}`, which uses `..` after a name (den cannot check where it leads)",
        escaped(target)
    )]
    SymlinkClimbs { target: String },
    #[error("is a hard link to `{}`, which escapes the install directory", escaped(target))]
    HardlinkEscapes { target: String },
    #[error("is a hard link to `{}`, which is not a file unpacked before it", escaped(target))]
    HardlinkMissing { target: String },
    #[error("is a {kind}; tool archives may hold only files, directories and links")]
    Special { kind: &'static str },
    #[error("would be written through the symbolic link `{}`", escaped(link))]
    ThroughLink { link: String },
    #[error("would be written inside `{}`, which is not a directory", escaped(parent))]
    NotADirectory { parent: String },
    #[error("names a binary that is not a plain file name")]
    BadBinaryName,
}
