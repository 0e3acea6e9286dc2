//! The services a project declares, as the services' commands address them: the project
//! found from the directory den acts in, the names a command was given checked against its
//! `[services]`, and what a supervisor that is gone left running stopped first (`swept`).
//! Reads den.toml only; never starts anything.

use std::path::Path;

use super::{Dirs, Error};
use crate::project::{self, Project};
use crate::ui;

/// What the services' front ends are handed by the command line.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The directory den acts in (`-C` or the working directory).
    pub cwd: &'a Path,
    pub config: &'a crate::config::Config,
    /// Installs only from what is already downloaded or cached.
    pub offline: bool,
}

/// The project at (or above) the directory den acts in.
pub fn find(cwd: &Path) -> Result<Project, Error> {
    Ok(project::find(cwd)?.ok_or_else(|| project::Error::NotFound { dir: cwd.to_path_buf() })?)
}

/// The declared services, by name.
pub fn names(project: &Project) -> Vec<String> {
    project.manifest.services.keys().cloned().collect()
}

/// An error naming the first of `wanted` the project does not declare.
pub fn check_names(project: &Project, wanted: &[String]) -> Result<(), Error> {
    match wanted.iter().find(|w| !project.manifest.services.contains_key(*w)) {
        Some(bad) => Err(Error::Unknown {
            name: bad.clone(),
            declared: {
                let list: Vec<String> = names(project).iter().map(|n| format!("`{n}`")).collect();
                format!("the services declared are {}", list.join(", "))
            },
        }),
        None => Ok(()),
    }
}

/// Stops what a crashed supervisor left behind (`services::sweep`) and says which.
pub fn swept(dirs: &Dirs) {
    for (name, pid) in super::sweep(dirs) {
        ui::note(&format!("stopped {name} (pid {pid}), left running by a supervisor that is gone"));
    }
}
