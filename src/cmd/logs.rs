//! `den logs [name] [-f] [-n N]`: the last lines of one service's log, or of every
//! service's (each line prefixed with its name), then — with `-f` — what they append,
//! across rotations, until interrupted or the reader goes (`services::logs`).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::LogsArgs;
use crate::error::Result;
use crate::services::logs;

use super::Ctx;

pub fn run(ctx: &Ctx, args: LogsArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut logs = logs::open(&ctx.services(), args.service.as_deref(), args.lines, &mut |line| {
        let _ = writeln!(out, "{line}");
    })?;
    let _ = out.flush();
    drop(out);
    if !args.follow {
        return Ok(ExitCode::SUCCESS);
    }
    loop {
        let mut out = std::io::stdout().lock();
        let going = logs.poll(&mut |line| writeln!(out, "{line}").is_ok());
        if !going || out.flush().is_err() {
            return Ok(ExitCode::SUCCESS);
        }
        drop(out);
        std::thread::sleep(Duration::from_millis(200));
    }
}
