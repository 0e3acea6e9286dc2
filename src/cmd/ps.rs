//! `den ps [--json] [--verbose]`: each declared service with its state, pid, port, uptime
//! and restarts, as the project's supervisor reports them (all `stopped` when none runs);
//! `--verbose` adds each one's exact command line.
//! Stops first what a dead supervisor left running. Reads only otherwise.

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use crate::cli::PsArgs;
use crate::error::Result;
use crate::services::{self, Dirs, status};

use super::{Ctx, table};

pub fn run(ctx: &Ctx, args: PsArgs) -> Result<ExitCode> {
    let project = super::up::find(ctx)?;
    let dirs = Dirs::of(&project.root);
    super::up::swept(&dirs);
    let reported = if services::supervisor(&dirs).is_some() { status::read(&dirs.run) } else { Vec::new() };
    let entries: Vec<status::Entry> = super::up::names(&project)
        .into_iter()
        .map(|name| {
            reported.iter().find(|e| e.name == name).cloned().unwrap_or(status::Entry {
                name,
                state: "stopped".into(),
                pid: None,
                port: None,
                since: None,
                restarts: 0,
                command: Vec::new(),
                check: None,
            })
        })
        .collect();
    if args.json {
        let json = serde_json::to_string_pretty(&entries).expect("entries serialize");
        let _ = writeln!(std::io::stdout(), "{json}");
        return Ok(ExitCode::SUCCESS);
    }
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let mut rows = vec![table::row(&["NAME", "STATE", "PID", "PORT", "UPTIME", "RESTARTS"])];
    for e in &entries {
        let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
        rows.push(vec![
            e.name.clone(),
            e.state.clone(),
            opt(e.pid.map(|p| p.to_string())),
            opt(e.port.map(|p| p.to_string())),
            opt(e.since.map(|s| uptime(now.saturating_sub(s)))),
            e.restarts.to_string(),
        ]);
    }
    let mut text = table::render(&rows);
    if args.verbose {
        for e in entries.iter().filter(|e| !e.command.is_empty()) {
            text.push_str(&format!("\n{}: {}\n", e.name, e.command.join(" ").replace('\n', "\\n")));
        }
    }
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// `42s`, `3m10s`, `2h5m`, `3d4h`.
fn uptime(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{}s", secs / 60, secs % 60),
        3600..86400 => format!("{}h{}m", secs / 3600, secs % 3600 / 60),
        _ => format!("{}d{}h", secs / 86400, secs % 86400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uptime_reads_at_a_glance() {
        assert_eq!(super::uptime(42), "42s");
        assert_eq!(super::uptime(190), "3m10s");
        assert_eq!(super::uptime(7500), "2h5m");
        assert_eq!(super::uptime(90000), "1d1h");
    }
}
