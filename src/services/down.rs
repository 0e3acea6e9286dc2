//! `den down`: stops services (with what depends on them) through the project's
//! supervisor, or all of them and the supervisor; stops anything a dead supervisor left;
//! with `purge`, deletes their data in `.den/state/` (and den's records of it, with their
//! ports and passwords) after a confirmation (a terminal) or `yes`. Stopping needs no
//! trust: it only ends processes. Never follows a link to delete what it points to.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::control::{self, Request};
use super::{Context, Dirs, Error, declared};
use crate::env::service_record;
use crate::io_error::IoError;
use crate::{fs_util, ui};

/// `den down --purge`: delete the data too, asking first unless `yes`.
#[derive(Debug, Clone, Copy)]
pub struct Purge {
    pub yes: bool,
}

/// Stops `names` (every service and the supervisor when empty), saying what it did, then
/// purges their data when asked.
pub fn down(ctx: &Context, names: &[String], purge: Option<Purge>) -> Result<(), Error> {
    let project = declared::find(ctx.cwd)?;
    declared::check_names(&project, names)?;
    let dirs = Dirs::of(&project.root);
    if let Some(lease) = super::supervisor(&dirs) {
        let request = if names.is_empty() { Request::Down } else { Request::Stop { names: names.to_vec() } };
        let result = control::request(&dirs, &request);
        // A supervisor that was already leaving (nothing left to run) answers nothing;
        // once it is gone, so are its services.
        let began = Instant::now();
        while lease.alive()
            && began.elapsed() < Duration::from_secs(10)
            && (result.is_err() || names.is_empty())
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        if lease.alive() {
            result?;
        }
        ui::note(&if names.is_empty() {
            "stopped every service of this project".to_string()
        } else {
            format!("stopped {} (and what depends on it)", names.join(", "))
        });
    } else {
        ui::note("no service of this project was running");
    }
    declared::swept(&dirs);
    match purge {
        Some(Purge { yes }) => self::purge(&dirs, names, yes),
        None => Ok(()),
    }
}

/// Deletes `.den/state/<name>/` for the named services (all of `.den/state/` otherwise),
/// whoever made it (a directory a repository shipped is removed whole, links not
/// followed), and den's records of them (`env::service_record`: their port and password).
fn purge(dirs: &Dirs, names: &[String], yes: bool) -> Result<(), Error> {
    let forget = || {
        if names.is_empty() {
            service_record::forget_all(&dirs.root);
        } else {
            names.iter().for_each(|n| service_record::forget(&dirs.root, n));
        }
    };
    let targets = targets(dirs, names);
    if targets.is_empty() {
        forget();
        return Ok(());
    }
    let list = targets.iter().map(|t| t.display().to_string()).collect::<Vec<_>>().join(", ");
    if !yes && (!ui::interactive() || !ui::confirm(&format!("delete {list}?"))) {
        return Err(Error::PurgeNeedsYes { state: targets[0].clone() });
    }
    for t in &targets {
        fs_util::remove_tree(t).map_err(IoError::at("delete", t))?;
    }
    forget();
    if names.is_empty() {
        // The private socket directory goes with the state (nothing runs any more).
        let _ = fs_util::remove_tree(&crate::env::service_exports::socket_dir(&dirs.root));
    }
    ui::note(&format!("deleted {list}"));
    Ok(())
}

/// What a purge deletes: a `.den` or `.den/state` that is a link (a repository may ship
/// one) is what goes, never what it points to; otherwise only what exists in real
/// directories of the project.
fn targets(dirs: &Dirs, names: &[String]) -> Vec<PathBuf> {
    let wanted: Vec<PathBuf> = if names.is_empty() {
        vec![dirs.state.clone()]
    } else {
        names.iter().map(|n| dirs.service_state(n)).collect()
    };
    let linked = [dirs.den.path(), dirs.state.as_path()]
        .into_iter()
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()));
    let beneath_project = |t: &Path| {
        t.strip_prefix(&dirs.root)
            .ok()
            .and_then(|rel| rel.parent())
            .is_some_and(|parent| fs_util::beneath::existing(&dirs.root, parent).is_ok())
    };
    match linked {
        Some(link) => vec![link.to_path_buf()],
        None => wanted
            .into_iter()
            .filter(|t| std::fs::symlink_metadata(t).is_ok() && beneath_project(t))
            .collect(),
    }
}
