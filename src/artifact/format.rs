//! Archive formats, named from a file name or from a catalog's `format` word.

/// An artifact's format. `Gz` and `Binary` carry the name the executable gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Tar,
    /// `.tar.gz`, `.tgz` (npm package tarballs are these, with their `package/` prefix).
    TarGz,
    TarXz,
    TarZst,
    TarBz2,
    Zip,
    /// A Python wheel: a zip whose `*.data/scripts/*` files are made executable.
    Wheel,
    /// One gzip-compressed executable (rust-analyzer), written as `name`.
    Gz {
        name: String,
    },
    /// A bare executable, copied as `name` and made executable.
    Binary {
        name: String,
    },
}

impl Format {
    /// The format a file name implies; anything unknown is a bare executable of that name.
    pub fn from_file_name(file_name: &str) -> Format {
        let lower = file_name.to_ascii_lowercase();
        for (ext, format) in [
            (".tar.gz", Format::TarGz),
            (".tgz", Format::TarGz),
            (".tar.xz", Format::TarXz),
            (".txz", Format::TarXz),
            (".tar.zst", Format::TarZst),
            (".tzst", Format::TarZst),
            (".tar.bz2", Format::TarBz2),
            (".tbz2", Format::TarBz2),
            (".tbz", Format::TarBz2),
            (".tar", Format::Tar),
            (".zip", Format::Zip),
            (".whl", Format::Wheel),
        ] {
            if lower.ends_with(ext) {
                return format;
            }
        }
        match lower.strip_suffix(".gz") {
            Some(_) => Format::Gz { name: file_name[..file_name.len() - 3].to_string() },
            None => Format::Binary { name: file_name.to_string() },
        }
    }

    /// The format for a catalog word (`tar.xz`, `zip`, `binary`, ...); `name` is what a
    /// single executable is called. `None` for an unknown word.
    pub fn from_word(word: &str, name: &str) -> Option<Format> {
        Some(match word {
            "tar" => Format::Tar,
            "tar.gz" | "tgz" => Format::TarGz,
            "tar.xz" => Format::TarXz,
            "tar.zst" => Format::TarZst,
            "tar.bz2" => Format::TarBz2,
            "zip" => Format::Zip,
            "whl" => Format::Wheel,
            "gz" => Format::Gz { name: name.to_string() },
            "binary" => Format::Binary { name: name.to_string() },
            _ => return None,
        })
    }

    /// Every word [`from_word`](Self::from_word) accepts, for error messages.
    pub const WORDS: &'static [&'static str] =
        &["tar", "tar.gz", "tgz", "tar.xz", "tar.zst", "tar.bz2", "zip", "whl", "gz", "binary"];
}
