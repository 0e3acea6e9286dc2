//! The machine den runs on, as far as choosing an artifact needs it: the platform and the C
//! library (glibc and its version, or musl). Read from the running process and the
//! filesystem, never by running a program.

use crate::catalog::{Os, Platform};

/// The C library of a Linux system, with its version (major, minor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Libc {
    Glibc(u32, u32),
    Musl(u32, u32),
}

/// What an artifact must fit on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Host {
    pub platform: Option<Platform>,
    /// `None` on macOS.
    pub libc: Option<Libc>,
}

/// What den assumes for a Linux platform that is not this machine's (locking for another
/// platform): glibc 2.28, which every maintained glibc distribution exceeds.
pub const FOREIGN_GLIBC: Libc = Libc::Glibc(2, 28);

impl Host {
    /// This machine.
    pub fn current() -> Host {
        let platform = Platform::current();
        let libc = match platform {
            Some(p) if p.os == Os::Linux => Some(detect_libc()),
            _ => None,
        };
        Host { platform, libc }
    }

    /// The C library to assume for `platform`: this machine's, or [`FOREIGN_GLIBC`].
    pub fn libc_for(&self, platform: Platform) -> Option<Libc> {
        match platform.os {
            Os::Darwin => None,
            Os::Linux if Some(platform) == self.platform => self.libc.or(Some(FOREIGN_GLIBC)),
            Os::Linux => Some(FOREIGN_GLIBC),
        }
    }
}

/// glibc through `gnu_get_libc_version` when den itself links glibc; otherwise musl when its
/// dynamic loader exists, else the version string inside `libc.so.6`.
fn detect_libc() -> Libc {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: gnu_get_libc_version returns a pointer to a static NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
        if let Some(v) = parse_major_minor(&text.to_string_lossy()) {
            return Libc::Glibc(v.0, v.1);
        }
    }
    for dir in ["/lib", "/usr/lib"] {
        let musl = std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("ld-musl-") && name.ends_with(".so.1")
        });
        if musl {
            return Libc::Musl(1, 2);
        }
    }
    for path in glibc_candidates() {
        if let Ok(bytes) = std::fs::read(&path)
            && let Some(v) = glibc_version_in(&bytes)
        {
            return Libc::Glibc(v.0, v.1);
        }
    }
    FOREIGN_GLIBC
}

fn glibc_candidates() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in ["/lib", "/lib64", "/usr/lib", "/usr/lib64"] {
        out.push(std::path::Path::new(dir).join("libc.so.6"));
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().ends_with("-linux-gnu") {
                out.push(entry.path().join("libc.so.6"));
            }
        }
    }
    out
}

/// `2.36` from glibc's banner (`GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.`).
fn glibc_version_in(bytes: &[u8]) -> Option<(u32, u32)> {
    let needle = b"release version ";
    let at = bytes.windows(needle.len()).position(|w| w == needle)? + needle.len();
    let tail: String = bytes[at..].iter().take(12).map(|&b| b as char).collect();
    parse_major_minor(&tail)
}

fn parse_major_minor(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_glibc_banners() {
        let banner = b"\0\0GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n";
        assert_eq!(glibc_version_in(banner), Some((2, 36)));
        assert_eq!(parse_major_minor("2.17"), Some((2, 17)));
        assert_eq!(parse_major_minor("x"), None);
    }

    #[test]
    fn this_machine_has_a_libc_on_linux() {
        let host = Host::current();
        if host.platform.is_some_and(|p| p.os == Os::Linux) {
            let libc = host.libc.unwrap();
            assert!(libc >= Libc::Glibc(2, 5) || matches!(libc, Libc::Musl(..)), "{libc:?}");
        }
    }
}
