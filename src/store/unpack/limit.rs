//! How much one archive may write when unpacked, so that a small download cannot fill the
//! disk (a gzip bomb, a sparse tar declaring 50 GiB): `DEN_MAX_UNPACK` when set, else the
//! smaller of 20 GiB and 100 times the archive's size (but never under 1 MiB, so that a
//! tiny archive of a compressible script still fits). The file size limit of the process
//! (`ulimit -f`) is honoured too, so den reports it instead of dying of SIGXFSZ.

use crate::{env_vars, ui};

/// Ceiling of the default limit.
const DEFAULT_MAX: u64 = 20 << 30;
/// How many times its own size an archive may expand to by default.
const DEFAULT_RATIO: u64 = 100;
/// Floor of the default limit.
const DEFAULT_MIN: u64 = 1 << 20;

/// The byte budget of one unpacking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Bytes of file content (holes of sparse files included) all entries may add up to.
    pub bytes: u64,
    /// Whether `DEN_MAX_UNPACK` set it (the message then names the variable's value).
    pub from_env: bool,
}

impl Limit {
    /// The limit for an archive of `archive_size` bytes when `DEN_MAX_UNPACK` is unset.
    pub fn by_default(archive_size: u64) -> Limit {
        Limit {
            bytes: archive_size.saturating_mul(DEFAULT_RATIO).clamp(DEFAULT_MIN, DEFAULT_MAX),
            from_env: false,
        }
    }

    /// The limit for an archive of `archive_size` bytes in this process's environment.
    pub fn for_archive(archive_size: u64) -> Limit {
        let default = Limit::by_default(archive_size);
        let Some(raw) = std::env::var(env_vars::DEN_MAX_UNPACK).ok().filter(|v| !v.is_empty()) else {
            return default;
        };
        match parse_size(&raw) {
            Some(bytes) => Limit { bytes, from_env: true },
            None => {
                ui::warn(&format!(
                    "ignoring {}=`{raw}`: not a size (bytes, or a number with K, M, G or T)",
                    env_vars::DEN_MAX_UNPACK
                ));
                default
            }
        }
    }
}

pub use crate::fs_util::{file_size_limit, parse_size};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("512K"), Some(512 << 10));
        assert_eq!(parse_size("1.5G"), Some(3 << 29));
        assert_eq!(parse_size("20GiB"), Some(20 << 30));
        assert_eq!(parse_size("3 MB"), Some(3 << 20));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("5X"), None);
    }

    #[test]
    fn default_is_a_hundred_times_the_archive_between_1_mib_and_20_gib() {
        let bytes = |size| size * DEFAULT_RATIO;
        assert_eq!(bytes(10 << 20), 1000 << 20);
        assert_eq!((159u64 * DEFAULT_RATIO).clamp(DEFAULT_MIN, DEFAULT_MAX), 1 << 20);
        assert_eq!((1u64 << 30).saturating_mul(DEFAULT_RATIO).clamp(DEFAULT_MIN, DEFAULT_MAX), 20 << 30);
    }
}
