//! `den trust [dir]` and `den trust --list` (spec §8): record the project's den.toml, and
//! the dotenv files it names, as trusted, showing what changed since it was last trusted;
//! list the records.
//!
//! The diff and the confirmation go to stderr (they are messages about what den did, and
//! `ui::color()` decides their colour); stdout carries only `--list`'s lines. Parses
//! den.toml to learn its dotenv files, and refuses one that is not valid; never runs
//! anything.

use std::path::Path;
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
    let dir = ctx.dir(args.dir.as_deref());
    let file = project::den_toml_above(&dir).ok_or(trust::Error::NoManifest { dir })?;
    let root = file.parent().unwrap_or(Path::new("/")).to_path_buf();
    let shown = trust::record_path(&file);
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
