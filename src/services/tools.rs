//! The tools the services run: each preset's server (`postgres`, `redis`, …), found in
//! den's store, remembered from its last start, or installed with progress (the project's
//! own tools come through `prepare`). The memory is den's own record (`env::service_record`, never a file of the repository's), and what it names is
//! used only when it is a tool directory of den's store. Never starts anything.

use std::collections::HashMap;
use std::path::Component;

use super::{Context, Error, preset};
use crate::env::{self, service_record};
use crate::project::{Project, ToolRequest};
use crate::tools::adhoc::{self, Request};
use crate::{tools, ui};

/// The installed tool of each preset service, by service name; missing ones are installed
/// first (with progress). Before anything is installed, a preset's `.den/state/<name>/`
/// that den did not make is refused (`preset::check_state`).
pub fn presets(ctx: &Context, project: &Project) -> Result<HashMap<String, preset::Tool>, Error> {
    let mut names = Vec::new();
    let mut requests = Vec::new();
    for service in project.manifest.services.values() {
        let Some(tool) = preset::tool_name(service) else { continue };
        preset::check_state(&project.root, service)?;
        names.push(service.name.clone());
        requests.push(Request::new(ToolRequest {
            name: tool.to_string(),
            version: service.version.clone().unwrap_or_else(|| "latest".into()),
            source: None,
            url: None,
            sha256: None,
            bin: Vec::new(),
            at: service.at.clone(),
        }));
    }
    let mut found = adhoc::find(&requests)?;
    let pending: Vec<usize> = (0..requests.len())
        .filter(|&i| found[i].is_none() && remembered(project, &names[i], &requests[i].req.version).is_none())
        .collect();
    if !pending.is_empty() {
        let batch: Vec<Request> = pending.iter().map(|&i| requests[i].clone()).collect();
        let done = adhoc::install(&batch, ctx.config, ctx.offline, Some(&project.root))?;
        for (i, tool) in pending.into_iter().zip(done) {
            found[i] = Some(tool);
        }
    }
    for service in project.manifest.services.values() {
        if let Some(note) = preset::first_start_note(&project.root, service) {
            ui::note(&note);
        }
    }
    let mut out = HashMap::new();
    for ((name, request), tool) in names.into_iter().zip(&requests).zip(found) {
        let tool = match (tool, remembered(project, &name, &request.req.version)) {
            (_, Some(known)) => known,
            (Some(t), None) => {
                let bin = t.bin_dirs.first().cloned().unwrap_or_else(|| t.dir.clone());
                let tool = preset::Tool { dir: t.dir, bin, version: t.version };
                remember(project, &name, &request.req.version, &tool);
                tool
            }
            (None, None) => continue,
        };
        out.insert(name, tool);
    }
    Ok(out)
}

/// The tool `name` ran last time, while its version spec is unchanged and it is still
/// installed: no look-up (which may need the network) to start a database again.
fn remembered(project: &Project, name: &str, spec: &str) -> Option<preset::Tool> {
    let used = service_record::read(&project.root, name)?.tool?;
    let key = used.dir.file_name()?.to_str()?;
    let inside = used.dir == tools::store().tool_dir(key)
        && used.bin.starts_with(&used.dir)
        && used.bin.components().all(|c| c != Component::ParentDir);
    (used.spec == spec && inside && used.bin.is_dir()).then_some(preset::Tool {
        dir: used.dir,
        bin: used.bin,
        version: used.version,
    })
}

/// Keeps `tool` in den's record of service `name` (made on first use, with its port and
/// password); a record den cannot write only costs a look-up next time.
fn remember(project: &Project, name: &str, spec: &str, tool: &preset::Tool) {
    if let Some(service) = project.manifest.services.get(name)
        && env::service_exports::values(&project.root, service).is_ok()
        && let Some(mut record) = service_record::read(&project.root, name)
    {
        record.tool = Some(service_record::ToolUsed {
            spec: spec.to_string(),
            dir: tool.dir.clone(),
            bin: tool.bin.clone(),
            version: tool.version.clone(),
        });
        let _ = service_record::write(&project.root, &record);
    }
}
