//! `den trust [dir]` and `den trust --list` (spec §8): record the project's den.toml, and
//! the dotenv files it names, as trusted, showing what changed since it was last trusted;
//! list the records.
//!
//! The diff and the confirmation go to stderr (they are messages about what den did, and
//! `ui::color()` decides their colour); stdout carries only `--list`'s lines. Parses
//! den.toml to learn its dotenv files, and refuses one that is not valid; never runs
//! anything.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::Ctx;
use crate::cli::TrustArgs;
use crate::error::Result;
use crate::project;
use crate::trust;
use crate::ui;

/// Trusts the den.toml found from `args.dir` upwards, or lists the records.
pub fn run(ctx: &Ctx, args: TrustArgs) -> Result<ExitCode> {
    if args.list {
        return list();
    }
    let dir = project_dir(ctx, args.dir.as_deref());
    let file = find_manifest(&dir).ok_or(trust::Error::NoManifest { dir })?;
    let root = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    let shown = display_path(&file);
    // One read: the bytes parsed for the dotenv list are the bytes trusted. A den.toml that
    // does not parse (or names a tool or version den cannot know) is refused with its
    // line: what it would apply cannot be known, so there is nothing to review.
    let p = project::load(&root)?;
    let dotenv = p.manifest.dotenv.iter().map(|d| d.path.clone()).collect::<Vec<_>>();
    let content = p.den_toml.unwrap_or_default().into_bytes();
    let subject = trust::Subject { file: &file, content: &content, root: &root, dotenv: &dotenv };
    match trust::trust(&subject)? {
        trust::Trusted::Already => ui::note(&format!("{} is already trusted", shown.display())),
        trust::Trusted::Now { diff } => {
            eprint!("{diff}");
            ui::note(&format!("trusted {}", shown.display()));
        }
    }
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

/// The path the record names (`trust::key_path`: a symlinked den.toml is named where it
/// is, not by its target), or the path as given if even that cannot be worked out.
pub(super) fn display_path(file: &Path) -> PathBuf {
    trust::key_path(file).unwrap_or_else(|_| file.to_path_buf())
}
