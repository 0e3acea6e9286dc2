//! Unpacks an artifact (tarballs in every compression upstreams use, zip, wheels, npm
//! tarballs, single gzip-compressed executables, bare executables) into an install
//! directory, keeping executable bits. It must never write outside that directory: entries
//! with absolute paths or `..`, links that escape it, device and fifo entries, and writes
//! through links are refused with an error naming the entry.

mod format;
mod safety;
mod tar;
mod zip;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};

pub use format::Format;
use safety::Dest;

/// Unpacks `archive` of `format` into `dest` (created if missing). Archives are unpacked
/// as they are (top-level directories and npm's `package/` kept): the catalog names paths.
pub fn unpack(archive: &Path, format: Format, dest: &Path) -> Result<(), Error> {
    let read_err = |source| Error::Read { archive: archive.to_path_buf(), source };
    std::fs::create_dir_all(dest).map_err(|source| Error::Write { path: dest.to_path_buf(), source })?;
    let mut out = Dest::new(archive, dest);
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
    #[error("archive entry `{entry}` {refusal}")]
    Refused { archive: PathBuf, entry: String, refusal: Refusal },
    #[error("cannot read the archive {}: {source}", archive.display())]
    Read {
        archive: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot read the zip archive {}: {source}", archive.display())]
    Zip {
        archive: PathBuf,
        #[source]
        source: ::zip::result::ZipError,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// What the user should do next.
    pub fn help(&self) -> Option<String> {
        match self {
            // The archive is the store's own partial file: its name would tell the user nothing.
            Error::Refused { .. } => Some(
                "nothing was installed: an archive like this is unsafe to unpack — report it to the tool's \
                 publisher"
                    .into(),
            ),
            Error::Read { .. } | Error::Zip { .. } => {
                Some("the download is damaged or not in the format its name says; install again".into())
            }
            Error::Write { .. } => Some("check the free space and permissions of den's store".into()),
        }
    }
}

/// Why an entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("is an absolute path")]
    Absolute,
    #[error("escapes the install directory")]
    ParentDir,
    #[error("is a symbolic link to `{target}`, which escapes the install directory")]
    SymlinkEscapes { target: String },
    #[error(
        "is a symbolic link to `{target}`, which uses `..` after a name (den cannot check where it leads)"
    )]
    SymlinkClimbs { target: String },
    #[error("is a hard link to `{target}`, which escapes the install directory")]
    HardlinkEscapes { target: String },
    #[error("is a hard link to `{target}`, which is not a file unpacked before it")]
    HardlinkMissing { target: String },
    #[error("is a {kind}; tool archives may hold only files, directories and links")]
    Special { kind: &'static str },
    #[error("would be written through the symbolic link `{link}`")]
    ThroughLink { link: String },
    #[error("would be written inside `{parent}`, which is not a directory")]
    NotADirectory { parent: String },
    #[error("names a binary that is not a plain file name")]
    BadBinaryName,
}
