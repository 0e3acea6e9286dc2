//! `den trust [dir]` and `den trust --list` (spec §8): record the project's den.toml as
//! trusted, showing what changed since it was last trusted; list the records.
//!
//! The diff and the confirmation go to stderr (they are messages about what den did, and
//! `ui::color()` decides their colour); stdout carries only `--list`'s lines. Never
//! parses or runs the file it trusts.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Ctx;
use crate::cli::TrustArgs;
use crate::error::Result;
use crate::project;
use crate::trust::{self, Status};
use crate::ui;

/// Trusts the den.toml found from `args.dir` upwards, or lists the records.
pub fn run(ctx: &Ctx, args: TrustArgs) -> Result<ExitCode> {
    if args.list {
        return list();
    }
    let dir = project_dir(ctx, args.dir.as_deref());
    let file = find_manifest(&dir).ok_or(trust::Error::NoManifest { dir })?;
    let shown = display_path(&file);
    if trust::status(&file)? == Status::Trusted {
        ui::note(&format!("{} is already trusted", shown.display()));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(diff) = trust::trust(&file)? {
        eprint!("{diff}");
    }
    ui::note(&format!("trusted {}", shown.display()));
    Ok(ExitCode::SUCCESS)
}

/// One line per record on stdout: `<path>\t<state>`.
fn list() -> Result<ExitCode> {
    let records = trust::list()?;
    if records.is_empty() {
        ui::note("no trusted files");
    }
    let mut out = String::new();
    for r in records {
        out.push_str(&format!("{}\t{}\n", r.path.display(), r.state.label()));
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// The directory a trust command acts on: `dir` (relative to `-C`) or `-C` itself.
pub(super) fn project_dir(ctx: &Ctx, dir: Option<&Path>) -> PathBuf {
    dir.map_or_else(|| ctx.cwd.clone(), |d| ctx.cwd.join(d))
}

/// The nearest `den.toml` from `start` upwards, by the same rules as every other command
/// (including `DEN_CEILING_DIRS`).
pub(super) fn find_manifest(start: &Path) -> Option<PathBuf> {
    match project::discover::discover(start, &project::discover::ceilings())? {
        project::discover::Found::DenToml(root) => Some(root.join(project::discover::DEN_TOML)),
        project::discover::Found::Foreign(_) => None,
    }
}

/// The canonical path (what the record names), or the path as given if it is gone.
pub(super) fn display_path(file: &Path) -> PathBuf {
    std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
}
