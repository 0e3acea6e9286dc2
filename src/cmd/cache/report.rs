//! `den cache ls [--json]` and `den cache prune [--dry-run]`: what the store holds, how big
//! it is and which known projects use each tool (their den.lock pins it, `tools::pins`),
//! and what prune keeps and why. Lists go to stdout, prune's report to stderr. Only
//! renders: the decisions are `store::gc`'s.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::error::Result;
use crate::http::human_bytes;
use crate::store::{Store, gc};
use crate::ui::table::{self, row};
use crate::{tools, ui};

/// `den cache ls`: one row per tool (by name and version), then the total.
pub fn ls(store: &Store, json: bool) -> Result<()> {
    let installed = gc::installed(store)?;
    let pins = tools::pins::pinned(store)?;
    warn_unreadable(&pins);
    let now = SystemTime::now();
    let entries: Vec<JsonTool> = installed
        .iter()
        .map(|t| JsonTool {
            name: t.receipt.as_ref().map(|r| r.name.clone()),
            version: t.receipt.as_ref().map(|r| r.version.clone()),
            key: t.key.clone(),
            size: t.size,
            last_used: crate::store::receipt::last_used(store, &t.key).map(unix),
            used_by: pins.users_of(&t.key).iter().map(|p| p.to_string_lossy().into_owned()).collect(),
        })
        .collect();
    let total: u64 = entries.iter().map(|e| e.size).sum();
    if json {
        let out = JsonLs { store: store.root().to_path_buf(), total_size: total, tools: entries };
        println!("{}", serde_json::to_string_pretty(&out).expect("plain data serializes"));
        return Ok(());
    }
    if entries.is_empty() {
        ui::note("no tools installed yet");
        return Ok(());
    }
    let mut rows = vec![row(&["TOOL", "VERSION", "SIZE", "LAST USED", "KEY", "USED BY"])];
    for e in &entries {
        let used =
            e.last_used.map_or("-".into(), |t| ago(SystemTime::UNIX_EPOCH + Duration::from_secs(t), now));
        let by = if e.used_by.is_empty() { "-".into() } else { e.used_by.join(", ") };
        let (name, version) = (e.name.as_deref().unwrap_or("?"), e.version.as_deref().unwrap_or("?"));
        rows.push(row(&[name, version, &human_bytes(e.size), &used, &e.key, &by]));
    }
    print!("{}", table::render(&rows));
    let n = entries.len();
    println!("{n} tool{}, {} in all", if n == 1 { "" } else { "s" }, human_bytes(total));
    Ok(())
}

/// `den cache prune`: removes (or with `dry_run`, names) what no known project uses and no
/// run used within `older_than` days, and says why each other tool stays.
pub fn prune(store: &Store, older_than: u32, dry_run: bool) -> Result<()> {
    let age = Duration::from_secs(u64::from(older_than) * 86_400);
    let pins = tools::pins::pinned(store)?;
    let now = SystemTime::now();
    let pruned = gc::prune(store, &pins.keep, age, now, dry_run)?;
    for (_, problem) in &pins.unreadable {
        ui::warn(&format!("{problem}; the tools it pins were not kept for it"));
    }
    for kept in &pruned.kept {
        let why = match kept.why {
            gc::Why::Pinned => {
                let users = pins.users_of(&kept.tool.key);
                let shown: Vec<String> = users.iter().map(|p| p.display().to_string()).collect();
                let n = users.len();
                format!("used by {n} project{} ({})", if n == 1 { "" } else { "s" }, shown.join(", "))
            }
            gc::Why::Used(when) => format!("used {} (within {older_than} days)", ago(when, now)),
        };
        ui::note(&format!("kept {} ({}): {why}", kept.tool.label(), human_bytes(kept.tool.size)));
    }
    let verb = if dry_run { "would remove" } else { "removed" };
    for removed in &pruned.removed {
        let why = match removed.last_used {
            Some(when) => format!(": no known project uses it, last used {}", ago(when, now)),
            None => String::new(),
        };
        ui::note(&format!("{verb} {} ({}){why}", removed.label, human_bytes(removed.size)));
    }
    let imported = tools::share::prune_imported(age, now, dry_run);
    if imported.files > 0 {
        ui::note(&format!(
            "{verb} {} files of imported bundles ({}): imported more than {older_than} days ago",
            imported.files,
            human_bytes(imported.bytes)
        ));
    }
    let freed = human_bytes(pruned.removed.iter().map(|r| r.size).sum::<u64>() + imported.bytes);
    match (pruned.removed.is_empty() && imported.files == 0, dry_run) {
        (true, _) => ui::note("nothing to remove"),
        (false, true) => ui::note(&format!("would free {freed}; run without --dry-run to remove")),
        (false, false) => ui::note(&format!("freed {freed}")),
    }
    Ok(())
}

fn warn_unreadable(pins: &tools::pins::Pins) {
    for (_, problem) in &pins.unreadable {
        ui::warn(&format!("{problem}; the tools it pins are not counted for it"));
    }
}

/// `today`, `1 day ago`, `12 days ago`.
fn ago(when: SystemTime, now: SystemTime) -> String {
    match now.duration_since(when).unwrap_or_default().as_secs() / 86_400 {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `den cache ls --json`: the store's directory, the total of the tools' sizes in bytes,
/// and every tool.
#[derive(Serialize)]
struct JsonLs {
    store: PathBuf,
    total_size: u64,
    tools: Vec<JsonTool>,
}

/// One installed tool: name and version from its receipt (`null` without one), its store
/// key, its size in bytes, when it was last used (Unix seconds; `null` when unknown), and
/// the roots of the known projects whose den.lock pins it.
#[derive(Serialize)]
struct JsonTool {
    name: Option<String>,
    version: Option<String>,
    key: String,
    size: u64,
    last_used: Option<u64>,
    used_by: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_whole_days() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100 * 86_400);
        let days = |d: u64| now - Duration::from_secs(d * 86_400 + 60);
        assert_eq!(ago(now, now), "today");
        assert_eq!(ago(days(1), now), "1 day ago");
        assert_eq!(ago(days(45), now), "45 days ago");
        assert_eq!(ago(now + Duration::from_secs(5), now), "today");
    }
}
