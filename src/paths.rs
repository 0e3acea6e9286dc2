//! Where den keeps things, the one disk-layout map: the data dir (store, trust records),
//! the config dir and the cache dir, from the XDG base directories or `DEN_HOME` /
//! `DEN_CONFIG_DIR`; the machine-wide buckets in them ([`Bucket`], versioned names); and a
//! project's `.den/` ([`DenDir`]). Names paths only: never creates or reads anything.

use std::path::{Path, PathBuf};

use crate::env_vars;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "den")
}

fn from_env(var: &str) -> Option<PathBuf> {
    std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn fallback() -> PathBuf {
    std::env::temp_dir().join("den")
}

/// `text` made safe for a file name, a desktop-file id or a database name: ASCII letters,
/// digits and `-` kept, anything else `_`. One rule, so a project is named alike everywhere.
pub fn name_part(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// Everything den keeps for the machine: `DEN_HOME`, else `$XDG_DATA_HOME/den`.
pub fn data_dir() -> PathBuf {
    from_env(env_vars::DEN_HOME)
        .or_else(|| project_dirs().map(|d| d.data_dir().to_path_buf()))
        .unwrap_or_else(fallback)
}

/// What can be fetched again (version lists, partial downloads): `DEN_HOME/cache` when
/// `DEN_HOME` is set, else `$XDG_CACHE_HOME/den`.
pub fn cache_dir() -> PathBuf {
    from_env(env_vars::DEN_HOME)
        .map(|h| h.join("cache"))
        .or_else(|| project_dirs().map(|d| d.cache_dir().to_path_buf()))
        .unwrap_or_else(fallback)
}

/// The directory of the user config `config.toml`: `DEN_CONFIG_DIR`, else
/// `$XDG_CONFIG_HOME/den`.
pub fn config_dir() -> PathBuf {
    from_env(env_vars::DEN_CONFIG_DIR)
        .or_else(|| project_dirs().map(|d| d.config_dir().to_path_buf()))
        .unwrap_or_else(fallback)
}

/// Where a bucket lives: what cannot be fetched again (the data dir) or what can (the
/// cache dir).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Data,
    Cache,
}

/// The machine-wide buckets, each named once with its version: a change of layout is a
/// new name (`tools-v2`), never a migration. The store's buckets are under the store's
/// root (the data dir, or a test's temp dir); the others under [`Bucket::root`]'s dir.
///
/// ```text
/// data dir (DEN_HOME, else $XDG_DATA_HOME/den)
///   tools-v1/                 installed tools by key, receipts, file manifests (store)
///   downloads-v1/             downloads in progress, kept for resuming (store)
///   locks-v1/                 cross-process install and bookkeeping locks (store)
///   projects-v1.toml          roots of the projects den installed for (store)
///   tools-index-v1.json       installed tools by name and version (tools::index)
///   trust-v1/                 trust records (trust)
///   foreign-locks-v1/<id>/    den.lock of each project with foreign files only (tools)
///   venvs-v1/                 the venvs den made or adopted, one record per project (tools::venv)
///   imported-v1/              bytes from imported bundles, by digest (tools::share)
///   services-v1/<id>/         each preset service's password, port and data dir (env::service_record)
///   homes-v1/<tool>/          what a runtime writes outside the store: go's GOPATH, ... (tools)
/// cache dir (DEN_HOME/cache, else $XDG_CACHE_HOME/den)
///   http-v1/                  cached version lists and API answers (http)
///   commands-v1/              cached output of system commands (resolve::registry)
///   stamps-v1/                the hook's per-shell stamp files (hook)
///   saved-v1/                 values an applied project replaced (env::saved)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Tools,
    Downloads,
    Locks,
    Projects,
    Index,
    Trust,
    ForeignLocks,
    Venvs,
    Imported,
    Services,
    Homes,
    HttpCache,
    CommandCache,
    Stamps,
    Saved,
}

impl Bucket {
    /// The versioned file or directory name.
    pub const fn name(self) -> &'static str {
        match self {
            Bucket::Tools => "tools-v1",
            Bucket::Downloads => "downloads-v1",
            Bucket::Locks => "locks-v1",
            Bucket::Projects => "projects-v1.toml",
            Bucket::Index => "tools-index-v1.json",
            Bucket::Trust => "trust-v1",
            Bucket::ForeignLocks => "foreign-locks-v1",
            Bucket::Venvs => "venvs-v1",
            Bucket::Imported => "imported-v1",
            Bucket::Services => "services-v1",
            Bucket::Homes => "homes-v1",
            Bucket::HttpCache => "http-v1",
            Bucket::CommandCache => "commands-v1",
            Bucket::Stamps => "stamps-v1",
            Bucket::Saved => "saved-v1",
        }
    }

    /// Which of den's dirs holds it.
    pub const fn root(self) -> Root {
        match self {
            Bucket::Tools
            | Bucket::Downloads
            | Bucket::Locks
            | Bucket::Projects
            | Bucket::Index
            | Bucket::Trust
            | Bucket::ForeignLocks
            | Bucket::Venvs
            | Bucket::Imported
            | Bucket::Services
            | Bucket::Homes => Root::Data,
            Bucket::HttpCache | Bucket::CommandCache | Bucket::Stamps | Bucket::Saved => Root::Cache,
        }
    }

    /// Its path on this machine.
    pub fn path(self) -> PathBuf {
        match self.root() {
            Root::Data => data_dir().join(self.name()),
            Root::Cache => cache_dir().join(self.name()),
        }
    }
}

/// A project's `.den/` directory: den's per-project state, never committed (its
/// `.gitignore` says `*`). The one map of it; services, sessions and the environment ask
/// here for their paths.
///
/// ```text
/// <root>/.den/
///   .gitignore            `*`: nothing of it is ever committed
///   tmp/<id>/             a `den enter` session's temporary directory
///   sessions/<id>         a `den enter` session's record (den's pid)
///   state/                DEN_STATE_DIR: data a project's tools and services keep
///   state/<service>/      one service's data
///   logs/                 services' logs
///   run/                  sockets and pid files of running services
///   bin/                  shims
///   bin.foreign-<seconds>/ files found in bin/ that den did not write, moved aside
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenDir {
    path: PathBuf,
}

impl DenDir {
    /// The `.den/` of the project at `root`.
    pub fn of(root: &Path) -> DenDir {
        DenDir { path: root.join(".den") }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn tmp(&self) -> PathBuf {
        self.path.join("tmp")
    }

    /// A session's temporary directory.
    pub fn tmp_of(&self, id: &str) -> PathBuf {
        self.tmp().join(id)
    }

    pub fn sessions(&self) -> PathBuf {
        self.path.join("sessions")
    }

    /// A session's record.
    pub fn session(&self, id: &str) -> PathBuf {
        self.sessions().join(id)
    }

    /// What den exports as `DEN_STATE_DIR`.
    pub fn state(&self) -> PathBuf {
        self.path.join("state")
    }

    /// One service's data directory.
    pub fn service_state(&self, service: &str) -> PathBuf {
        self.state().join(service)
    }

    pub fn logs(&self) -> PathBuf {
        self.path.join("logs")
    }

    pub fn run(&self) -> PathBuf {
        self.path.join("run")
    }

    /// The project's shims (`den ide --shims`).
    pub fn bin(&self) -> PathBuf {
        self.path.join("bin")
    }
}
