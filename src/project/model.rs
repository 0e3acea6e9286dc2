//! The project model: what a `den.toml` (or the foreign files read in its place) declares,
//! validated, with the place each item came from so errors and `den explain` can point at it.

use std::time::Duration;

use indexmap::IndexMap;
use nix::sys::signal::Signal;

pub use super::preset::Preset;

pub use crate::diag::Location;

/// Everything one project declares, in file order.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub tools: IndexMap<String, ToolRequest>,
    pub env: Vec<EnvEntry>,
    /// Dotenv files, relative to the project root, loaded after the `[env]` table.
    pub dotenv: Vec<Dotenv>,
    pub services: IndexMap<String, Service>,
    pub enter: Enter,
    pub ide: Ide,
    /// `[cache] urls`: team caches to try before the upstreams (used only while the
    /// project is trusted; never recorded in den.lock).
    pub cache: Vec<crate::cache::Remote>,
    /// The Python virtual environment one tool names (`python = { …, venv = ".venv" }`).
    pub venv: Option<Venv>,
}

/// `venv = "<dir>"` of a den.toml tool: den creates that virtual environment with the
/// tool's interpreter, exports it (`VIRTUAL_ENV`, its `bin` first on PATH) and makes it
/// again when the interpreter's version changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venv {
    /// The tool whose interpreter makes it (`python`).
    pub tool: String,
    /// Relative to the project root, plain components only (checked by the parser).
    pub path: String,
    pub at: Location,
}

/// A tool the project asks for: `node = "22"` or `jq = { version = "1.7.1", source = "github:jqlang/jq" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolRequest {
    pub name: String,
    /// The version spec as written: `22`, `22.11.0`, `^22.1`, `>=1.20, <1.23`, `latest`, `lts`.
    pub version: String,
    /// `github:owner/repo`, `npm:package`, `pypi:package`; overrides the built-in definition.
    pub source: Option<String>,
    /// A URL template with `{version}`, `{os}`, `{arch}`.
    pub url: Option<String>,
    /// Expected sha256 of the artifact (hex), for `url` tools.
    pub sha256: Option<String>,
    /// Binaries (paths inside the artifact) to expose, when the source does not say.
    pub bin: Vec<String>,
    pub at: Location,
}

/// One `[env]` entry, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: String,
    pub value: EnvValue,
    pub at: Location,
}

/// What an `[env]` entry does to its variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// A string with `${NAME}` interpolation.
    Set(String),
    /// Entries put in front of a PATH-like variable (relative ones resolved against the root).
    Prepend(Vec<String>),
    /// Entries put at the end of a PATH-like variable.
    Append(Vec<String>),
    /// A secret read from a file at activation (`~` expanded, trailing newline stripped).
    File(String),
    /// A secret printed by a command at activation (trusted projects only).
    Command(String),
    /// Removes the variable.
    Unset,
}

/// A dotenv file named in `[env] dotenv = [...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dotenv {
    pub path: String,
    pub at: Location,
}

/// A `[services.<name>]` table (spec §7). Validated here, run by the services module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// What to run, in `cwd`.
    pub run: Option<Run>,
    /// A built-in recipe (`postgres`, `redis`, `valkey`).
    pub preset: Option<Preset>,
    /// Version spec of the preset's tool.
    pub version: Option<String>,
    /// Fixed port; `None` means den picks a free one and remembers it.
    pub port: Option<u16>,
    pub ready: Option<Ready>,
    pub depends_on: Vec<String>,
    pub env: IndexMap<String, String>,
    pub restart: Restart,
    /// Working directory, relative to the project root.
    pub cwd: Option<String>,
    /// The signal den.toml names to stop the process group; `None`: the default
    /// (`stop_with`).
    pub stop_signal: Option<Signal>,
    /// Time between the stop signal and SIGKILL.
    pub stop_timeout: Duration,
    /// A command run once before the first start (`run` services; presets bring theirs).
    pub init: Option<String>,
    /// Extra arguments for a preset's server.
    pub args: Vec<String>,
    /// The server's own configuration file, relative to the project root (presets).
    pub config: Option<String>,
    /// The user a preset that refuses root runs as when den runs as root.
    pub user: Option<String>,
    /// Globs (relative to the project root) whose changes restart the service.
    pub watch: Vec<String>,
    pub at: Location,
}

impl Service {
    /// The signal that stops it: the one den.toml names, else the preset's default
    /// (postgres: SIGINT), else SIGTERM.
    pub fn stop_with(&self) -> Signal {
        self.stop_signal.unwrap_or_else(|| self.preset.map_or(Signal::SIGTERM, Preset::default_stop_signal))
    }
}

/// A service's command: a string is a shell command line (`sh -c 'exec …'`), an array is
/// an argv exec'd directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Run {
    Shell(String),
    Argv(Vec<String>),
}

/// How den knows a service is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    pub probe: Probe,
    pub timeout: Duration,
}

/// A readiness probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// `host:port` (a bare port means 127.0.0.1).
    Tcp(String),
    Http(String),
    Command(String),
}

/// When a service that exited is started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restart {
    #[default]
    Never,
    OnFailure,
    Always,
}

/// `[enter]`: what `den enter` does besides the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enter {
    pub services: Vec<String>,
}

/// `[ide]`: editor defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ide {
    pub editor: Option<String>,
}
