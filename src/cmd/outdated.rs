//! `den outdated [--json] [--exit-code]`: for every tool of the project, the locked
//! version, the newest its den.toml spec accepts (what `den upgrade` would lock) and the
//! newest of all, as a table on stdout (or JSON), asking the upstreams what is newest now.
//! Changes nothing. A tool whose upstream cannot be asked gets `?` (`null` and its `error`
//! in JSON) and a warning, and the exit status is 1; a URL tool without a version list gets
//! `-` (`null`). With `--exit-code` (for CI) the status is also 1 when a tool is outdated:
//! not locked, or its locked version is not the newest its spec accepts or the newest of
//! all.

use std::process::ExitCode;

use serde::Serialize;

use crate::cli::OutdatedArgs;
use crate::error::Result;
use crate::project::ToolRequest;
use crate::resolve::Resolver;
use crate::resolve::lock::Lock;
use crate::ui::table::{self, row};
use crate::{tools, ui};

use super::Ctx;

/// `den outdated --json`: `{"tools": [...]}` in den.toml order.
#[derive(Serialize)]
struct Json {
    tools: Vec<JsonTool>,
}

/// One tool: name, den.toml spec, the locked version (`null`: none), the newest the spec
/// accepts and the newest of all (`null` when the source has no version list or could not
/// be asked), and why it could not be asked (`null` when it could).
#[derive(Serialize)]
struct JsonTool {
    name: String,
    spec: String,
    locked: Option<String>,
    wanted: Option<String>,
    latest: Option<String>,
    error: Option<String>,
}

/// Prints what an upgrade would change.
pub fn run(ctx: &Ctx, args: &OutdatedArgs) -> Result<ExitCode> {
    let project = crate::project::require(&ctx.cwd)?;
    let lock = Lock::read(&tools::lock_path(&project))?.unwrap_or_default();
    let specs = project.manifest.tools.values().map(|r| (r.name.as_str(), r.version.as_str()));
    let resolver = Resolver::fresh(&ctx.config, ctx.offline, Some(&project.root))
        .with_companions(crate::resolve::Companions::from_specs(specs));
    let mut rows = vec![row(&["TOOL", "SPEC", "LOCKED", "WANTED", "LATEST"])];
    let mut tools = Vec::new();
    for req in project.manifest.tools.values() {
        let locked =
            lock.tools.get(&req.name).filter(|r| tools::locked_for(req, r)).map(|r| r.version.clone());
        if tools::system::is_system(req) {
            // The machine's binary: nothing for den to upgrade (`null` in JSON).
            let shown_lock = locked.clone().unwrap_or_else(|| "-".into());
            rows.push(row(&[&req.name, &req.version, &shown_lock, "system", "system"]));
            let (name, spec) = (req.name.clone(), req.version.clone());
            tools.push(JsonTool { name, spec, locked, wanted: None, latest: None, error: None });
            continue;
        }
        let latest_req = ToolRequest { version: "latest".into(), ..req.clone() };
        let (wanted, latest) = (newest(&resolver, req), newest(&resolver, &latest_req));
        let cell = |r: &Newest| match r {
            Ok(Some(v)) => v.clone(),
            Ok(None) => "-".into(),
            Err(_) => "?".into(),
        };
        let shown_lock = locked.clone().unwrap_or_else(|| "-".into());
        rows.push(row(&[&req.name, &req.version, &shown_lock, &cell(&wanted), &cell(&latest)]));
        let error = wanted.as_ref().err().or(latest.as_ref().err()).cloned();
        let (wanted, latest) = (wanted.ok().flatten(), latest.ok().flatten());
        tools.push(JsonTool {
            name: req.name.clone(),
            spec: req.version.clone(),
            locked,
            wanted,
            latest,
            error,
        });
    }
    let failed = tools.iter().any(|t| t.error.is_some());
    // Nothing to compare with (`null`) is not outdated; a failure already is exit 1.
    let outdated = tools.iter().any(|t| {
        t.locked.is_none()
            || [&t.wanted, &t.latest].into_iter().flatten().any(|v| Some(v) != t.locked.as_ref())
    });
    match args.json {
        true => println!("{}", serde_json::to_string_pretty(&Json { tools }).expect("plain data serializes")),
        false => print!("{}", table::render(&rows)),
    }
    Ok(if failed || (args.exit_code && outdated) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// A newest version; `None` when there is nothing to compare with; the error's text when
/// the upstream could not say.
type Newest = std::result::Result<Option<String>, String>;

/// The newest version `req` accepts; `None` for a URL tool with no version list, an error
/// (after a warning) when the upstream could not say.
fn newest(resolver: &Resolver, req: &ToolRequest) -> Newest {
    match resolver.latest_matching(req) {
        Ok(v) => Ok(Some(v.bare().to_string())),
        Err(crate::resolve::Error::NeedsExact { .. }) => Ok(None),
        Err(e) => {
            ui::warn(&format!("{}: {e}", req.name));
            Err(e.to_string())
        }
    }
}
