//! Lock entries for platforms other than this machine's (spec §3: a team on mixed machines
//! shares one den.lock): `den lock --platform` adds them at the version already locked,
//! and a tool resolved here (added, upgraded, spec changed) gets every platform den.lock
//! already covers, at its new version. A tool taken from the lock as it is gets nothing
//! more unless asked, so that a locked install stays free of look-ups. Only resolves;
//! never downloads or installs an artifact.

use std::collections::BTreeSet;

use indexmap::IndexMap;

use super::Error;
use crate::catalog::Platform;
use crate::project::ToolRequest;
use crate::resolve::lock::Lock;
use crate::resolve::{Resolved, Resolver};
use crate::ui;

/// Gives each of `resolved` an artifact for every platform of `wanted` (an error when one
/// has none) and, when it was resolved now rather than taken from `old`, for every platform
/// `old` covers (a warning, and left out, when one has none). Each is resolved at the
/// version `resolved` already has, never a newer one.
pub fn complete(
    resolver: &Resolver,
    tools: &IndexMap<String, ToolRequest>,
    old: &Lock,
    wanted: &[Platform],
    resolved: &mut [Resolved],
) -> Result<(), Error> {
    let covered: BTreeSet<Platform> = old.tools.values().flat_map(|r| r.artifacts.keys().copied()).collect();
    for tool in resolved.iter_mut() {
        let previous = old.tools.get(&tool.name);
        let fresh = previous != Some(&*tool);
        if let Some(prev) = previous.filter(|p| same_pin(p, tool)) {
            for (platform, artifact) in &prev.artifacts {
                tool.artifacts.entry(*platform).or_insert_with(|| artifact.clone());
            }
        }
        let inherited = if fresh { covered.iter().copied().collect() } else { Vec::new() };
        let mut missing: Vec<Platform> = wanted.iter().chain(&inherited).copied().collect();
        missing.retain(|p| !tool.artifacts.contains_key(p));
        missing.sort();
        missing.dedup();
        let Some(req) = tools.get(&tool.name) else { continue };
        for platform in missing {
            // The exact version: a spec could pick a newer release for another platform.
            let pinned = ToolRequest { version: tool.version.clone(), ..req.clone() };
            match resolver.resolve(&pinned, &[platform]) {
                Ok(mut found) if found.version == tool.version => {
                    if let Some(artifact) = found.artifacts.remove(&platform) {
                        tool.artifacts.insert(platform, artifact);
                    }
                }
                Ok(found) if wanted.contains(&platform) => {
                    return Err(Error::Resolve(crate::resolve::Error::NoArtifact {
                        tool: tool.name.clone(),
                        version: tool.version.clone(),
                        platform,
                        why: format!("the closest release there is {}", found.version),
                    }));
                }
                Err(e) if wanted.contains(&platform) => return Err(e.into()),
                Ok(_) | Err(_) => ui::warn(&format!(
                    "{} {} has no artifact for {platform}; den.lock no longer pins that platform for it",
                    tool.name, tool.version
                )),
            }
        }
    }
    Ok(())
}

/// Whether two lock entries pin the same thing, so that their artifacts are interchangeable.
fn same_pin(a: &Resolved, b: &Resolved) -> bool {
    a.spec == b.spec && a.source == b.source && a.version == b.version
}
