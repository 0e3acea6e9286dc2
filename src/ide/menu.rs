//! `den ide --desktop [--remove]`: the desktop launcher of a project and editor
//! written or removed (the entry itself is [`super::desktop`]'s), and the desktop's menus
//! told at once. Never starts the editor.

use std::path::Path;

use super::{Fault, Request, data_home, den_exe, desktop, editor};
use crate::launch::{self, Environment, oneoff};
use crate::{env, ui};

/// `den ide --desktop`: writes the launcher that runs `den ide <editor> <root>`.
pub fn add<E: Fault>(req: &Request) -> Result<(), E> {
    let project = req.project::<E>()?;
    let den = den_exe()?;
    let data_home = data_home()?;
    let name = req.editor_name(&project, &data_home)?;
    let found = editor::find(&name, &editor::Places::of(std::env::var("PATH").ok(), &data_home))?;
    let text = desktop::entry(&den, &project.root, &name, found.icon)?;
    let apps = desktop::applications_dir()?;
    let path = desktop::write(&apps, &project.root, &name, &text)?;
    refresh(&apps);
    ui::note(&format!("wrote {} (starts {name} on {})", path.display(), project.root.display()));
    Ok(())
}

/// `den ide --desktop --remove`: removes that launcher, or says there is none.
pub fn remove<E: Fault>(req: &Request) -> Result<(), E> {
    let project = req.project::<E>()?;
    den_exe()?;
    let name = req.editor_name(&project, &data_home()?)?;
    let apps = desktop::applications_dir()?;
    match desktop::remove(&apps, &project.root, &name)? {
        Some(path) => {
            refresh(&apps);
            ui::note(&format!("removed {}", path.display()));
        }
        None => ui::note(&format!("no desktop launcher of {name} for {}", project.root.display())),
    }
    Ok(())
}

/// Lets the desktop's menus see a changed entry at once: `update-desktop-database` when it
/// is installed (a helper program, started through the launch path with den's own
/// environment; its failure changes nothing, the entry is written).
fn refresh(apps: &Path) {
    let current = env::snapshot();
    let Some(program) =
        oneoff::lookup("update-desktop-database", current.get("PATH").map(String::as_str), Path::new("/"))
    else {
        return;
    };
    let mut cmd = launch::command(&program, Environment::Moved { current: &current, next: &current }, apps);
    cmd.arg("-q").arg(apps).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    let _ = cmd.status();
}
