//! The venv layer: a project whose den.toml names a Python venv (`venv = ".venv"` on a
//! tool) and where den vouches for that venv (`tools::venv::record`: den made or adopted
//! it, and it is still what den recorded) gets `VIRTUAL_ENV` (absolute) and the venv's `bin`
//! first on PATH, as its `bin/activate` would do, and `PYTHONHOME` unset when the outer
//! environment sets it (it would point the venv's interpreter elsewhere). A venv den does
//! not vouch for (say one a repository committed) is never applied. Reads a few small
//! files, starts no process, and never makes the venv (`tools::venv` does, outside the
//! prompt).

use std::path::PathBuf;

use super::{Origin, Outer, Target, Var};
use crate::project::{Location, Project};
use crate::tools;

/// An existing venv of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Its absolute directory.
    pub dir: PathBuf,
    /// Where den.toml names it.
    pub at: Location,
}

/// The project's venv, when den.toml names one and den vouches for it.
pub fn layer(project: &Project) -> Option<Layer> {
    let venv = project.manifest.venv.as_ref()?;
    tools::venv::record::vouched(&project.root, &venv.path)?;
    let dir = project.root.join(&venv.path);
    let at = super::load::relative(&project.root, &venv.at);
    Some(Layer { dir, at })
}

/// Why the venv den.toml names is not applied (when [`layer`] gave none), in one line with
/// what to run: it does not exist yet, or den does not vouch for it.
pub fn unapplied(project: &Project) -> Option<String> {
    let venv = project.manifest.venv.as_ref()?;
    Some(if project.root.join(&venv.path).join("pyvenv.cfg").is_file() {
        format!(
            "the venv {} is not applied: den did not make it (or it changed since) — \
             `den install` adopts it if you made it with the project's python, else moves it aside and makes a new one",
            venv.path
        )
    } else {
        format!("the venv {} does not exist yet: `den install` makes it", venv.path)
    })
}

/// The venv's variables besides PATH.
pub(super) fn insert(target: &mut Target, venv: &Layer, outer: &Outer) {
    let origin = Origin::Venv(venv.at.clone());
    let value = Some(venv.dir.to_string_lossy().into_owned());
    target.insert(Var { name: "VIRTUAL_ENV".into(), value, origin: origin.clone(), secret: None });
    if outer.get("PYTHONHOME").is_some() {
        target.insert(Var { name: "PYTHONHOME".into(), value: None, origin, secret: None });
    }
}
