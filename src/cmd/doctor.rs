//! `den doctor [--json]`: the checks of `doctor`, one line per finding on stdout
//! (`ok`, `FAIL` with its fix, `note`), or the JSON document scripts read. Exits 1 when
//! any check failed.

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::DoctorArgs;
use crate::doctor::{self, Finding, Status};
use crate::error::Result;
use crate::{env, ui};

use super::Ctx;
use super::print;

/// Runs every check and reports.
pub fn run(ctx: &Ctx, args: DoctorArgs) -> Result<ExitCode> {
    let inputs = doctor::Inputs {
        cwd: ctx.cwd.clone(),
        config: &ctx.config,
        offline: ctx.offline,
        vars: env::snapshot(),
    };
    let findings = doctor::run(&inputs);
    let failed = findings.iter().filter(|f| f.status == Status::Fail).count();
    if args.json {
        let json = Json { ok: failed == 0, findings };
        print(&format!("{}\n", serde_json::to_string_pretty(&json).expect("plain data serializes")))?;
    } else {
        print(&findings.iter().map(line).collect::<String>())?;
        if failed > 0 {
            ui::note(&format!("{failed} problem{} found", if failed == 1 { "" } else { "s" }));
        }
    }
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// `den doctor --json`: `ok` (no check failed) and every finding in report order.
#[derive(Serialize)]
struct Json {
    ok: bool,
    findings: Vec<Finding>,
}

/// `FAIL  trust: … — fix: …` and a newline.
fn line(f: &Finding) -> String {
    let tag = match f.status {
        Status::Ok => "ok",
        Status::Fail => "FAIL",
        Status::Note => "note",
    };
    let fix = f.fix.as_ref().map(|fix| format!(" — fix: {}", ui::escaped(fix))).unwrap_or_default();
    format!("{tag:<4}  {}: {}{fix}\n", f.check, ui::escaped(&f.message))
}
