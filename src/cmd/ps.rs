//! `den ps [--json] [--verbose]`: each declared service with its state, pid, port, uptime
//! and restarts, as the project's supervisor reports them (all `stopped` when none runs);
//! `--verbose` adds each one's exact command line.
//! `services::ps` gathers them (stopping first what a dead supervisor left running).

use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

use crate::cli::PsArgs;
use crate::error::Result;
use crate::services;

use super::Ctx;
use crate::ui::table;

pub fn run(ctx: &Ctx, args: PsArgs) -> Result<ExitCode> {
    let entries = services::ps(&ctx.services())?;
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
