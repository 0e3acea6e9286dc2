//! The prompt path: what the shell hook runs at every prompt (`den export <shell>`) and
//! the scripts it installs (`den hook <shell>`). Applies and reverts a project's
//! environment through `env`'s one builder; never resolves or downloads, with one
//! documented exception: `auto_install = true` installs a locked project's missing tools,
//! and that honours `--offline`/`DEN_OFFLINE`. Its one write in a project: the shims a
//! trusted project has in `.den/bin/`, rewritten when its binaries changed.

pub mod activate;
mod scripts;

use std::path::Path;

pub use scripts::script;

use crate::config::Config;
use crate::shell::Shell;

/// What `den export <shell>` prints at a prompt: the assignments that move the shell at
/// `cwd` from its current environment to its project's (or out of any), then the hook's
/// stamp and watch test. Never fails: problems are one line on stderr.
/// `offline` (`--offline`, `DEN_OFFLINE`, the config) holds for `auto_install` too.
pub fn export(cwd: &Path, config: &Config, offline: bool, shell: Shell) -> String {
    let act = activate::activate(cwd, &crate::env::snapshot(), config, offline);
    activate::render(&act, shell)
}
