//! `den logs`: the last lines of one service's log, or of every service's (each line
//! prefixed with its name), then what they append, across rotations. Reads `.den/logs/`
//! only; the caller prints.

use super::logfile::{self, Follower};
use super::{Context, Dirs, Error, declared};

/// The logs of the services asked for, read from their end.
pub struct Logs {
    /// Each service with its prefix (empty for one service asked by name) and follower.
    followers: Vec<(String, Follower)>,
}

/// Opens the logs of `service` (every declared service when `None`), handing `lines` of
/// each one's end to `out`, prefixed.
pub fn open(
    ctx: &Context,
    service: Option<&str>,
    lines: usize,
    out: &mut dyn FnMut(&str),
) -> Result<Logs, Error> {
    let project = declared::find(ctx.cwd)?;
    let names = match service {
        Some(name) => {
            declared::check_names(&project, &[name.to_string()])?;
            vec![name.to_string()]
        }
        None => declared::names(&project),
    };
    let dirs = Dirs::of(&project.root);
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let mut followers = Vec::new();
    for name in names {
        let prefix = if service.is_some() { String::new() } else { format!("{name:<width$} | ") };
        let path = dirs.log(&name);
        for line in logfile::tail(&path, lines) {
            out(&format!("{prefix}{line}"));
        }
        followers.push((prefix, Follower::at_end(&path)));
    }
    Ok(Logs { followers })
}

impl Logs {
    /// Hands what each log appended since the last call to `out`, prefixed; `out` returns
    /// whether to go on (false once the reader is gone). Returns false when it stopped.
    pub fn poll(&mut self, out: &mut dyn FnMut(&str) -> bool) -> bool {
        for (prefix, follower) in &mut self.followers {
            let mut going = true;
            follower.poll(&mut |line| {
                going &= out(&format!("{prefix}{line}"));
            });
            if !going {
                return false;
            }
        }
        true
    }
}
