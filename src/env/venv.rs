//! The venv layer: a project whose den.toml names a Python venv (`venv = ".venv"` on a
//! tool) and where that venv exists gets `VIRTUAL_ENV` (absolute) and the venv's `bin`
//! first on PATH, as its `bin/activate` would do, and `PYTHONHOME` unset when the outer
//! environment sets it (it would point the venv's interpreter elsewhere). Looks at one
//! file (`pyvenv.cfg`) and never makes the venv (`tools::venv` does, outside the prompt).

use std::path::PathBuf;

use super::{Origin, Outer, Target, Var};
use crate::project::{Location, Project};

/// An existing venv of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Its absolute directory.
    pub dir: PathBuf,
    /// Where den.toml names it.
    pub at: Location,
}

/// The project's venv, when den.toml names one and it exists (has a `pyvenv.cfg`).
pub fn layer(project: &Project) -> Option<Layer> {
    let venv = project.manifest.venv.as_ref()?;
    let dir = project.root.join(&venv.path);
    let at = super::load::relative(&project.root, &venv.at);
    dir.join("pyvenv.cfg").is_file().then_some(Layer { dir, at })
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
