//! `den down [name…] [--purge [--yes]]`: stop services (with what depends on them) through
//! the project's supervisor, or all of them and the supervisor; stop anything a dead
//! supervisor left; with `--purge`, delete their data in `.den/state/` (and den's records
//! of it, with their ports and passwords) after a confirmation (a terminal) or `--yes`. Stopping needs no trust: it only ends processes.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crate::cli::DownArgs;
use crate::env::service_record;
use crate::error::Result;
use crate::io_error::IoError;
use crate::services::control::{self, Request};
use crate::services::{self, Dirs};
use crate::{fs_util, ui};

use super::Ctx;

pub fn run(ctx: &Ctx, args: DownArgs) -> Result<ExitCode> {
    let project = super::up::find(ctx)?;
    super::up::check_names(&project, &args.services)?;
    let dirs = Dirs::of(&project.root);
    if let Some(lease) = services::supervisor(&dirs) {
        let request = if args.services.is_empty() {
            Request::Down
        } else {
            Request::Stop { names: args.services.clone() }
        };
        let result = control::request(&dirs, &request);
        // A supervisor that was already leaving (nothing left to run) answers nothing;
        // once it is gone, so are its services.
        let began = Instant::now();
        while lease.alive()
            && began.elapsed() < Duration::from_secs(10)
            && (result.is_err() || args.services.is_empty())
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        if lease.alive() {
            result?;
        }
        ui::note(&if args.services.is_empty() {
            "stopped every service of this project".to_string()
        } else {
            format!("stopped {} (and what depends on it)", args.services.join(", "))
        });
    } else {
        ui::note("no service of this project was running");
    }
    super::up::swept(&dirs);
    if args.purge {
        purge(&dirs, &args)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Deletes `.den/state/<name>/` for the named services (all of `.den/state/` otherwise),
/// whoever made it (a directory a repository shipped is removed whole, links not
/// followed), and den's records of them (`env::service_record`: their port and password).
fn purge(dirs: &Dirs, args: &DownArgs) -> Result<()> {
    let forget = || {
        if args.services.is_empty() {
            service_record::forget_all(&dirs.root);
        } else {
            args.services.iter().for_each(|n| service_record::forget(&dirs.root, n));
        }
    };
    let targets: Vec<_> = if args.services.is_empty() {
        vec![dirs.state.clone()]
    } else {
        args.services.iter().map(|n| dirs.service_state(n)).collect()
    };
    // A `.den` or `.den/state` that is a link (a repository may ship one) is what goes,
    // never what it points to; otherwise only what lies in real directories of the project.
    let linked = [dirs.den.path(), dirs.state.as_path()]
        .into_iter()
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()));
    let beneath_project = |t: &std::path::Path| {
        t.strip_prefix(&dirs.root)
            .ok()
            .and_then(|rel| rel.parent())
            .is_some_and(|parent| fs_util::beneath::existing(&dirs.root, parent).is_ok())
    };
    let targets: Vec<_> = match linked {
        Some(link) => vec![link.to_path_buf()],
        None => targets
            .into_iter()
            .filter(|t| std::fs::symlink_metadata(t).is_ok() && beneath_project(t))
            .collect(),
    };
    if targets.is_empty() {
        forget();
        return Ok(());
    }
    let list = targets.iter().map(|t| t.display().to_string()).collect::<Vec<_>>().join(", ");
    if !args.yes {
        if !ui::interactive() {
            return Err(services::Error::PurgeNeedsYes { state: targets[0].clone() }.into());
        }
        if !ui::confirm(&format!("delete {list}?")) {
            return Err(services::Error::PurgeNeedsYes { state: targets[0].clone() }.into());
        }
    }
    for t in &targets {
        fs_util::remove_tree(t).map_err(IoError::at("delete", t))?;
    }
    forget();
    if args.services.is_empty() {
        // The private socket directory goes with the state (nothing runs any more).
        let _ = fs_util::remove_tree(&crate::env::service_exports::socket_dir(&dirs.root));
    }
    ui::note(&format!("deleted {list}"));
    Ok(())
}
