//! Where den keeps things: the data dir (store, trust records), the config dir and the
//! cache dir, from the XDG base directories or `DEN_HOME` / `DEN_CONFIG_DIR`.

use std::path::PathBuf;

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
