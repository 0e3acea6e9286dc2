//! `den untrust [dir]` (spec §8): withdraw trust from the project's den.toml. Works for a
//! project whose den.toml is gone, so `den trust --list`'s `missing` lines can be cleared.
//! Never touches the project's files.

use std::process::ExitCode;

use super::Ctx;
use crate::cli::DirArgs;
use crate::error::Result;
use crate::ui;
use crate::{project, trust};

/// Removes the trust record of the den.toml found from `args.dir` upwards (or of
/// `<dir>/den.toml` when that file is gone but still has a record).
pub fn run(ctx: &Ctx, args: DirArgs) -> Result<ExitCode> {
    let dir = ctx.dir(args.dir.as_deref());
    let (file, was_trusted) = match project::den_toml_above(&dir) {
        Some(file) => {
            let was = trust::untrust(&file)?;
            (file, was)
        }
        None => {
            let file = dir.join("den.toml");
            if !trust::untrust(&file)? {
                return Err(trust::Error::NoManifest { dir }.into());
            }
            (file, true)
        }
    };
    let shown = trust::record_path(&file);
    if was_trusted {
        ui::note(&format!("untrusted {}", shown.display()));
    } else {
        ui::note(&format!("{} was not trusted", shown.display()));
    }
    Ok(ExitCode::SUCCESS)
}
