//! The machine-wide local checks: the store at a glance (`store::health`) and the hook's
//! stamp files of shells gone for over a week. Reads only.

use std::time::Duration;

use super::Finding;
use crate::{paths, store, tools};

/// How old a stamp is when its shell is taken to be gone (the hook removes such stamps
/// when a new shell starts).
const STALE_STAMP: Duration = Duration::from_secs(7 * 24 * 3600);

/// `store`: one finding per damaged entry, or one that says all is in place.
pub fn store() -> Vec<Finding> {
    let store = tools::store();
    let (seen, issues) = store::health::check(&store);
    if issues.is_empty() && seen == 0 {
        return vec![Finding::ok("store", format!("no tools installed in {} yet", store.root().display()))];
    }
    if issues.is_empty() {
        return vec![Finding::ok(
            "store",
            format!(
                "{seen} installed tool{} in {}, each with its receipt and files (quick check; `den cache verify` re-hashes)",
                if seen == 1 { "" } else { "s" },
                store.root().display()
            ),
        )];
    }
    issues
        .into_iter()
        .map(|i| {
            Finding::fail(
                "store",
                format!("{}: {}", i.label, i.problem),
                "run `den cache verify --repair` (it installs the tool again or removes it)",
            )
        })
        .collect()
}

/// `stamps`: the hook's per-shell stamp files not touched for a week.
pub fn stamps() -> Vec<Finding> {
    let dir = paths::Bucket::Stamps.path();
    let stale = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > STALE_STAMP))
        })
        .count();
    if stale == 0 {
        return vec![Finding::ok("stamps", "no stale hook stamps")];
    }
    vec![Finding::fail(
        "stamps",
        format!(
            "{stale} hook stamp file{} in {} not touched for over a week (their shells are gone)",
            if stale == 1 { "" } else { "s" },
            dir.display()
        ),
        format!("find {} -type f -mtime +7 -delete (a new shell's hook also removes them)", dir.display()),
    )]
}
