//! `den ide`'s front end: [`open`] walks from the project to the started editor (trust,
//! `launch::prepare`, the shims, the editor, `[enter].services` held by its session);
//! finding an editor on this machine ([`editor`]), starting it on a project detached from
//! the terminal with the project's environment ([`launch`]) and, for VS Code, in an
//! instance of its own ([`instance`]), the per-project shims under `.den/bin/` ([`shims`])
//! and what a shim runs ([`shim`]), the XDG desktop entries that run `den ide` from a menu
//! or dock ([`desktop`], [`menu`]), and how a failure there reaches the user without a
//! terminal ([`notify`]). The environment comes from `env`'s one builder through
//! `launch::prepare`, trust from `trust::gate`; every process starts through
//! `launch::command`. Never changes den's own environment, and never writes outside the
//! project's `.den/` but for the desktop entry the user asked for.

pub mod desktop;
pub mod editor;
mod hold;
pub mod instance;
pub mod launch;
pub mod menu;
pub mod notify;
pub mod open;
pub mod running;
pub mod shim;
pub mod shims;

use std::path::{Path, PathBuf};

use crate::hint::Hint;
use crate::io_error::IoError;
use crate::project::{self, Project};
use crate::trust;

/// What `den ide` is asked, besides what to do: where, which editor, and how.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The directory den acts in, the user config and offline mode.
    pub ctx: crate::launch::Context<'a>,
    /// The project's directory (it or a parent holds den.toml).
    pub dir: &'a Path,
    /// The editor named on the command line.
    pub editor: Option<&'a str>,
    /// `--trust`: trust den.toml (and its dotenv files) without asking.
    pub trust: bool,
}

/// What the caller's error is made from (den's `error::Error` is): a launch's, and this
/// module's own.
pub trait Fault: crate::launch::Fault + From<Error> {}

impl<T> Fault for T where T: crate::launch::Fault + From<Error> {}

impl Request<'_> {
    /// The project at (or above) `dir`, through the trust gate.
    fn project<E: Fault>(&self) -> Result<Project, E> {
        let project = project::find(self.dir)?
            .ok_or_else(|| project::Error::NotFound { dir: self.dir.to_path_buf() })?;
        let action = "open it in an editor";
        let how = if self.trust { trust::How::Assume { action } } else { trust::How::Ask { action } };
        trust::gate(&project, how)?;
        Ok(project)
    }

    /// The editor named on the command line, else in den.toml, else in den's config.toml.
    fn named(&self, project: Option<&Project>) -> Option<String> {
        self.editor
            .map(str::to_string)
            .or_else(|| project.and_then(|p| p.manifest.ide.editor.clone()))
            .or_else(|| self.ctx.config.ide_editor.clone())
    }

    /// [`Request::named`], or the error listing the editors found on this machine.
    fn editor_name(&self, project: &Project, data_home: &Path) -> Result<String, Error> {
        self.named(Some(project)).ok_or_else(|| Error::NoEditor {
            found: editor::available(&editor::Places::of(std::env::var("PATH").ok(), data_home)),
        })
    }
}

/// The user's data directory (`XDG_DATA_HOME`), where JetBrains Toolbox puts its scripts.
fn data_home() -> Result<PathBuf, Error> {
    directories::BaseDirs::new().map(|d| d.data_dir().to_path_buf()).ok_or(Error::NoHome)
}

/// den's own executable, which shims and desktop entries run.
fn den_exe() -> Result<PathBuf, IoError> {
    std::env::current_exe().map_err(|e| IoError::named("find", "den's own executable", e))
}

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
