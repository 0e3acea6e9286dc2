//! Every environment variable den reads, declared once with why it exists.

/// Overrides the data directory (store, trust records); everything den keeps goes under it.
pub const DEN_HOME: &str = "DEN_HOME";
/// Overrides the directory holding the user config `config.toml`.
pub const DEN_CONFIG_DIR: &str = "DEN_CONFIG_DIR";
/// Colon-separated directories where the upward search for `den.toml` stops (like git's).
pub const DEN_CEILING_DIRS: &str = "DEN_CEILING_DIRS";
/// Never touch the network (same as `--offline`).
pub const DEN_OFFLINE: &str = "DEN_OFFLINE";
/// Disables colours whatever the terminal (https://no-color.org).
pub const NO_COLOR: &str = "NO_COLOR";
/// The user's home, for `~` in paths.
pub const HOME: &str = "HOME";
/// The state den's shell hook carries between prompts (what it changed and the old values).
pub const DEN_STATE_VAR: &str = "__DEN_STATE";
/// The shell hook's stamp file for this shell session, passed to `den export <shell>` so
/// that it touches the same file each time (not exported: each shell has its own).
pub const DEN_STAMP: &str = "__DEN_STAMP";
