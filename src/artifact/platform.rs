//! The platforms den installs for, spelled den's way (`linux-x64`, `darwin-arm64`).

use std::fmt;
use std::str::FromStr;

/// An operating system den supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Os {
    Linux,
    Darwin,
}

/// A CPU architecture den supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arch {
    X64,
    Arm64,
}

/// An os/arch pair: the key of lock entries and of a definition's per-platform overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Platform {
    pub os: Os,
    pub arch: Arch,
}

impl Os {
    /// den's spelling, the default `{os}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Darwin => "darwin",
        }
    }
}

impl Arch {
    /// den's spelling, the default `{arch}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X64 => "x64",
            Arch::Arm64 => "arm64",
        }
    }
}

impl Platform {
    /// Every platform den knows, for `den lock --platform` and tests.
    pub const ALL: [Platform; 4] = [
        Platform { os: Os::Linux, arch: Arch::X64 },
        Platform { os: Os::Linux, arch: Arch::Arm64 },
        Platform { os: Os::Darwin, arch: Arch::X64 },
        Platform { os: Os::Darwin, arch: Arch::Arm64 },
    ];

    /// The machine den runs on; `None` on a platform den has no builds for.
    pub fn current() -> Option<Platform> {
        let os = match std::env::consts::OS {
            "linux" => Os::Linux,
            "macos" => Os::Darwin,
            _ => return None,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => Arch::X64,
            "aarch64" => Arch::Arm64,
            _ => return None,
        };
        Some(Platform { os, arch })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os.as_str(), self.arch.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;

    /// Parses `linux-x64`; the error lists the platforms den knows.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL.into_iter().find(|p| p.to_string() == s).ok_or_else(|| {
            let known: Vec<String> = Platform::ALL.iter().map(Platform::to_string).collect();
            format!("unknown platform `{s}` (known: {})", known.join(", "))
        })
    }
}
