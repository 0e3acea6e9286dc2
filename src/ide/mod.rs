//! `den ide`'s front end: finding an editor on this machine ([`editor`]), starting it on a
//! project detached from the terminal with the project's environment ([`launch`]) and, for
//! VS Code, in an instance of its own ([`instance`]), the
//! per-project shims under `.den/bin/` ([`shims`]) and the XDG desktop entries that run
//! `den ide` from a menu or dock ([`desktop`]), and how a failure there reaches the user
//! without a terminal ([`notify`]). The environment comes from `env`'s one
//! builder and trust from `trust::gate`, decided by the caller; every process starts
//! through `launch::command`. Never changes den's own environment, and never writes
//! outside the project's `.den/` but for the desktop entry the user asked for.

pub mod desktop;
pub mod editor;
pub mod instance;
pub mod launch;
pub mod notify;
pub mod running;
pub mod shims;

use std::path::PathBuf;

use crate::hint::Hint;

/// Why an editor could not be found, started or given its launcher.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No editor named on the command line, in den.toml or in the user config.
    #[error("no editor named: `den ide` needs one ({})", found_line(found))]
    NoEditor { found: Vec<String> },
    /// The named editor is on none of the places den looks.
    #[error("editor `{name}` not found: looked for {} on PATH, in {}, in /snap/bin{}", commands.join(", "), toolbox.display(), flatpak_line(flatpaks))]
    NotFound { name: String, commands: Vec<String>, flatpaks: Vec<String>, toolbox: PathBuf },
    #[error("`{name}` is not an editor name den can look up (a command name, without `/`)")]
    BadName { name: String },
    #[error("cannot start {}: {source}", program.display())]
    Start {
        program: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A desktop entry cannot hold this path (a line break in it).
    #[error("a desktop entry cannot hold the path {}: it has a line break", path.display())]
    Unrepresentable { path: PathBuf },
    #[error("no home directory to write the desktop entry in (HOME is unset)")]
    NoHome,
}

fn found_line(found: &[String]) -> String {
    if found.is_empty() {
        "none of the editors den knows is installed".into()
    } else {
        format!("found on this machine: {}", found.join(", "))
    }
}

fn flatpak_line(apps: &[String]) -> String {
    if apps.is_empty() { String::new() } else { format!(", or as the Flatpak app {}", apps.join(" or ")) }
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::NoEditor { found } => Some(format!(
                "name it (`den ide {}`), or set it once: `[ide] editor = \"code\"` in den.toml or in den's config.toml",
                found.first().map_or("code", String::as_str)
            )),
            Error::NotFound { name, .. } => Some(format!(
                "install it, put `{name}` on PATH, or name the command that starts it (`den ide <command>`)"
            )),
            Error::BadName { .. } => Some("name a command on PATH, like `den ide code`".into()),
            Error::Unrepresentable { .. } => Some("rename the project's directory".into()),
            Error::NoHome => Some("set HOME or XDG_DATA_HOME".into()),
            Error::Start { .. } | Error::Write { .. } => None,
        }
    }
}
