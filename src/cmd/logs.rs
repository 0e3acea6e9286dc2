//! `den logs [name] [-f] [-n N]`: the last lines of one service's log, or of every
//! service's (each line prefixed with its name), then — with `-f` — what they append,
//! across rotations, until interrupted. Reads `.den/logs/` only.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::LogsArgs;
use crate::error::Result;
use crate::services::Dirs;
use crate::services::logfile::{self, Follower};

use super::Ctx;

pub fn run(ctx: &Ctx, args: LogsArgs) -> Result<ExitCode> {
    let project = super::up::find(ctx)?;
    let names = match &args.service {
        Some(name) => {
            super::up::check_names(&project, std::slice::from_ref(name))?;
            vec![name.clone()]
        }
        None => super::up::names(&project),
    };
    let dirs = Dirs::of(&project.root);
    let width = names.iter().map(String::len).max().unwrap_or(0);
    let prefix =
        |name: &str| if args.service.is_some() { String::new() } else { format!("{name:<width$} | ") };
    let mut out = std::io::stdout().lock();
    let mut followers = Vec::new();
    for name in &names {
        let path = dirs.log(name);
        for line in logfile::tail(&path, args.lines) {
            let _ = writeln!(out, "{}{line}", prefix(name));
        }
        followers.push((name.clone(), Follower::at_end(&path)));
    }
    let _ = out.flush();
    drop(out);
    if !args.follow {
        return Ok(ExitCode::SUCCESS);
    }
    loop {
        for (name, follower) in &mut followers {
            let p = prefix(name);
            let mut out = std::io::stdout().lock();
            follower.poll(&mut |line| {
                let _ = writeln!(out, "{p}{line}");
            });
            if out.flush().is_err() {
                return Ok(ExitCode::SUCCESS);
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
