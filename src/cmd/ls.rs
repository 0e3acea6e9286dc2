//! `den ls [--json]`: the project's tools, one per line on stdout in den.toml order, in
//! aligned columns: name, requested spec, locked version, installed (`yes`/`no`), install
//! directory; or the same as JSON. No network and no look-up: den.toml, den.lock and the
//! store only.

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::JsonArgs;
use crate::error::Result;
use crate::resolve::lock::Lock;
use crate::tools;
use crate::ui::table::{self, row};

use super::Ctx;

/// `den ls --json`: `{"tools": [...]}` in den.toml order.
#[derive(Serialize)]
struct Json {
    tools: Vec<JsonTool>,
}

/// One tool: its name, the spec den.toml asks for, the version den.lock pins for it
/// (`null`: none that satisfies the spec), whether it is installed for this machine and
/// where (`null` when not).
#[derive(Serialize)]
struct JsonTool {
    name: String,
    spec: String,
    locked: Option<String>,
    installed: bool,
    dir: Option<String>,
}

/// Lists the project's tools.
pub fn run(ctx: &Ctx, args: JsonArgs) -> Result<ExitCode> {
    let project = crate::project::require(&ctx.cwd)?;
    let lock = Lock::read(&tools::lock_path(&project))?.unwrap_or_default();
    let (installed, _) = tools::locate(&project, &ctx.config)?;
    let tools: Vec<JsonTool> = project
        .manifest
        .tools
        .values()
        .map(|req| {
            let locked = lock.tools.get(&req.name).filter(|r| tools::locked_for(req, r));
            let here = installed.iter().find(|t| t.name == req.name);
            JsonTool {
                name: req.name.clone(),
                spec: req.version.clone(),
                locked: locked.map(|r| r.version.clone()),
                installed: here.is_some(),
                dir: here.map(|t| t.dir.display().to_string()),
            }
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&Json { tools }).expect("plain data serializes"));
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = tools
        .iter()
        .map(|t| {
            row(&[
                t.name.as_str(),
                t.spec.as_str(),
                t.locked.as_deref().unwrap_or("-"),
                if t.installed { "yes" } else { "no" },
                t.dir.as_deref().unwrap_or("-"),
            ])
        })
        .collect();
    print!("{}", table::render(&rows));
    Ok(ExitCode::SUCCESS)
}
