//! The one trust gate: every front end that applies a project's environment (the hook,
//! `den export`/`den explain`, `den enter`, `den run`/`den x`) asks here, and only here,
//! whether it may. The decision is made on the bytes the project was parsed from
//! (`Project::den_toml`), never on a second read of den.toml; a project described only by
//! other tools' version files cannot run anything and needs no trust. Dotenv files follow
//! the rule of `dotenv_allowed`: `--trust` (and a yes at the terminal) trusts their current
//! content too. Never computes an environment.

use super::{Error, Status, Subject, record, review, status_of};
use crate::project::{Origin, Project};
use crate::ui;

/// How a front end meets a project that is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// `den enter`, `den run`: ask on a terminal (showing what changed, dotenv files
    /// included, then "trust … and <action>?"); refuse elsewhere.
    Ask { action: &'static str },
    /// `--trust`: trust it (and its current dotenv files) without asking.
    Assume { action: &'static str },
    /// The prompt: never ask, never fail; one line on stderr says why nothing applies.
    Quiet,
    /// `den export --format json`, `den explain`: refuse with the way to trust it.
    Require,
}

/// Whether `project` may be applied. `Ok(false)` only for [`How::Quiet`], after its line
/// on stderr; a refusal is `Error::NotTrusted` with `den trust` as help.
pub fn gate(project: &Project, how: How) -> Result<bool, Error> {
    let Origin::DenToml(file) = &project.origin else { return Ok(true) };
    let content = project.den_toml.as_deref().unwrap_or_default().as_bytes();
    let status = status_of(file, content)?;
    let assume = matches!(how, How::Assume { .. });
    if status == Status::Trusted && !assume {
        return Ok(true);
    }
    let changed = matches!(status, Status::Changed { .. });
    let refused = || Error::NotTrusted { path: file.clone(), changed };
    let action = match how {
        How::Quiet => {
            match status {
                Status::Changed { .. } => ui::note(&format!(
                    "{} changed since you trusted it: run `den trust` to see the changes and trust them",
                    file.display()
                )),
                _ => ui::note(&format!("{} is not trusted: review it, then run `den trust`", file.display())),
            }
            return Ok(false);
        }
        How::Require => return Err(refused()),
        How::Ask { .. } if !ui::interactive() => return Err(refused()),
        How::Ask { action } | How::Assume { action } => action,
    };
    let dotenv: Vec<String> = project.manifest.dotenv.iter().map(|d| d.path.clone()).collect();
    let subject = Subject { file, content, root: &project.root, dotenv: &dotenv };
    let review = review(&subject, !assume)?;
    if review.already {
        return Ok(true);
    }
    eprint!("{}", review.diff);
    if !assume && !ui::confirm(&format!("trust {} and {action}?", file.display())) {
        return Err(refused());
    }
    record(&review)?;
    ui::note(&format!("trusted {}", file.display()));
    Ok(true)
}
