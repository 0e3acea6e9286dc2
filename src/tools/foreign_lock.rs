//! The lock of a project with foreign version files only (`.nvmrc`, `.tool-versions`, no
//! den.toml). Such a repository does not use den, so den leaves it untouched: the lock
//! lives in den's own state ([`path`]: `<data dir>/foreign-locks-v1/<name>-<hash>/den.lock`,
//! private to the user), never as a new `den.lock` in someone else's repository, and a
//! `den.lock` found there is not read (`den init` is how a project adopts den).
//!
//! Such a project needs no trust, so its lock must not choose anything den would not
//! choose itself: a locked tool is honoured only when den vouches for its entry, that is
//! when den resolved that exact version from the tool's own sources (the catalog) and got
//! the same artifact (URL, checksum, binaries, steps). Otherwise the entry is ignored with
//! one line on stderr and den resolves the tool itself. (Only den writes that lock, so this
//! is defence in depth.)
//!
//! What it costs: offline (activation, `den run`), one read of the installed-tools index,
//! which remembers what den checked (`index::Entry::checked`); an entry it does not vouch
//! for is a missing tool, never an unchecked one on PATH. `den install` checks each entry
//! the index does not vouch for by resolving its exact version (for node: the version
//! list, usually cached, and that version's SHASUMS256.txt), before any download. Never
//! downloads or installs anything itself.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use super::fetch::Job;
use super::index::Index;
use crate::catalog::Platform;
use crate::project::ToolRequest;
use crate::resolve::lock::{self, Lock};
use crate::resolve::{Artifact, Resolved, Resolver};
use crate::store::Store;
use crate::ui::{self, escaped};

/// Where den keeps the lock of the foreign-files project at `root`: one directory per
/// project, named after its last component and a hash of its absolute path (so that
/// `projects::record` can list it and `den cache prune` keeps what it pins).
pub fn path(root: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let hash = Sha256::digest(root.as_os_str().as_encoded_bytes());
    let hex: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let name = root.file_name().map(|n| crate::paths::name_part(&n.to_string_lossy())).unwrap_or_default();
    crate::paths::Bucket::ForeignLocks.path().join(format!("{name}-{hex}")).join(lock::DEN_LOCK)
}

/// Writes `lock` to `file` (under [`path`]), in a private directory with a private file,
/// and beside it which project it is for (`root`, read by [`project_of`]).
pub fn write(lock: &Lock, file: &Path, root: &Path) -> Result<bool, lock::Error> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let failed = |source| lock::Error::Write { path: file.to_path_buf(), source };
    let Some(dir) = file.parent() else { return lock.write(file) };
    crate::fs_util::create_private_dir_all(dir).map_err(failed)?;
    let written = lock.write(file)?;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).map_err(failed)?;
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if project_of(dir).as_deref() != Some(root.as_path()) {
        let mut text = root.as_os_str().as_bytes().to_vec();
        text.push(b'\n');
        let at = dir.join(ROOT);
        crate::fs_util::write_atomic(&at, &text, 0o600)
            .map_err(|source| lock::Error::Write { path: at, source })?;
    }
    Ok(written)
}

/// The file beside a kept lock naming its project's root (one line).
const ROOT: &str = "root";

/// The project whose lock den keeps in `dir`, when `dir` is such a directory (one under
/// `foreign-locks-v1/`) and records it; `None` otherwise (a den.toml project's root, or
/// a lock kept before den recorded roots).
pub fn project_of(dir: &Path) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    if dir.parent()? != crate::paths::Bucket::ForeignLocks.path() {
        return None;
    }
    let bytes = crate::fs_util::read_input(&dir.join(ROOT)).ok()?;
    let line = bytes.strip_suffix(b"\n")?;
    (!line.is_empty()).then(|| PathBuf::from(std::ffi::OsStr::from_bytes(line)))
}

/// Removes the lock den kept in `dir` for a project that is gone (and the directory, when
/// nothing else is in it); the caller drops it from the known projects.
pub fn forget(dir: &Path) {
    for name in [lock::DEN_LOCK, ROOT] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let _ = std::fs::remove_dir(dir);
}

/// Checks every locked job against den's own resolution; a job whose entry den does not
/// vouch for loses it (den resolves the tool itself) and the entry leaves `lock`, so that
/// none of its platforms is kept. Returns the names of the jobs whose entry was checked
/// now, for the index.
pub fn check(
    resolver: &Resolver,
    store: &Store,
    lock_path: &Path,
    lock: &mut Lock,
    jobs: &mut [Job],
    platform: Platform,
    upstreams: &lock::Upstreams,
) -> Vec<String> {
    let index = Index::read(store);
    let mut checked = Vec::new();
    for job in jobs.iter_mut() {
        let Some(locked) = &job.locked else { continue };
        let outside: Vec<String> =
            lock::vet(&job.req, locked, platform, upstreams).iter().map(|m| m.to_string()).collect();
        let found = if !outside.is_empty() {
            Some(outside.join("; "))
        } else if index.vouches(store, locked, platform) {
            continue;
        } else {
            difference(resolver, &job.req, locked, platform)
        };
        match found {
            None => checked.push(job.req.name.clone()),
            Some(why) => {
                ui::warn(&format!(
                    "ignoring `{}` in {}: {why}; den resolves it from its own sources",
                    job.req.name,
                    lock_path.display()
                ));
                lock.tools.remove(&job.req.name);
                job.locked = None;
            }
        }
    }
    checked
}

/// How `locked` differs from what den resolves for its exact version, if it does.
fn difference(
    resolver: &Resolver,
    req: &ToolRequest,
    locked: &Resolved,
    platform: Platform,
) -> Option<String> {
    let exact = ToolRequest { version: locked.version.clone(), ..req.clone() };
    let label = format!("{} {}", req.name, locked.version);
    let ours = match resolver.resolve(&exact, &[platform]) {
        Ok(r) => r,
        Err(e) => return Some(format!("den cannot check it against {label} ({e})")),
    };
    let (Some(theirs), Some(ours_a)) = (locked.artifacts.get(&platform), ours.artifacts.get(&platform))
    else {
        return Some(format!("den finds no artifact of {label} for {platform}"));
    };
    if ours.version != locked.version {
        return Some(format!("den resolves {} instead of {}", ours.version, locked.version));
    }
    differs(theirs, ours_a).map(|what| format!("its {what} is not what den resolves for {label}"))
}

/// The first field in which a locked artifact differs from den's; an empty checksum or
/// binary list in den's (the upstream publishes none, or the binaries are found once
/// unpacked) leaves the lock's standing, since the download is verified against it.
fn differs(theirs: &Artifact, ours: &Artifact) -> Option<String> {
    if theirs.url != ours.url {
        return Some(format!("URL `{}` (den: `{}`)", escaped(&theirs.url), escaped(&ours.url)));
    }
    if !ours.checksum.is_empty() && !same_checksum(&theirs.checksum, &ours.checksum) {
        return Some(format!(
            "checksum `{}` (den: `{}`)",
            escaped(&theirs.checksum),
            escaped(&ours.checksum)
        ));
    }
    if !ours.bin.is_empty() && theirs.bin != ours.bin {
        let list =
            |bin: &[String]| bin.iter().map(|b| format!("\"{}\"", escaped(b))).collect::<Vec<_>>().join(", ");
        return Some(format!("`bin` [{}] (den: [{}])", list(&theirs.bin), list(&ours.bin)));
    }
    if theirs.post_install != ours.post_install || theirs.format != ours.format {
        return Some("unpacking steps".into());
    }
    None
}

fn same_checksum(a: &str, b: &str) -> bool {
    use crate::http::Checksum;
    match (a.parse::<Checksum>(), b.parse::<Checksum>()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The entries of `lock` den vouches for (see [`Index::vouches`]), for activation and
/// `den run`: offline, one read of the index, and none at all for an empty lock.
pub fn vouched(
    store: &Store,
    tools: &IndexMap<String, ToolRequest>,
    mut lock: Lock,
    platform: Platform,
    upstreams: &lock::Upstreams,
) -> Lock {
    if lock.tools.is_empty() {
        return lock;
    }
    let index = Index::read(store);
    lock.tools.retain(|name, resolved| {
        tools.get(name).is_some_and(|req| lock::vet(req, resolved, platform, upstreams).is_empty())
            && index.vouches(store, resolved, platform)
    });
    lock
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact() -> Artifact {
        Artifact {
            url: "https://example.test/node.tar.xz".into(),
            checksum: format!("sha256:{}", "ab".repeat(32)),
            size: Some(1),
            format: "tar.xz".into(),
            bin: vec!["node/bin/node".into()],
            post_install: vec![],
            served_by: "example.test".into(),
        }
    }

    #[test]
    fn every_field_den_chooses_must_agree() {
        let ours = artifact();
        assert_eq!(differs(&artifact(), &ours), None);
        // Size and the serving source's name do not change what is installed.
        assert_eq!(differs(&Artifact { size: None, served_by: "x".into(), ..artifact() }, &ours), None);
        let theirs = Artifact { url: "https://example.test/evil.tar.xz".into(), ..artifact() };
        assert_eq!(
            differs(&theirs, &ours).unwrap(),
            "URL `https://example.test/evil.tar.xz` (den: `https://example.test/node.tar.xz`)"
        );
        let theirs = Artifact { checksum: format!("sha256:{}", "cd".repeat(32)), ..artifact() };
        assert!(differs(&theirs, &ours).unwrap().starts_with("checksum `sha256:cdcd"));
        let theirs = Artifact { bin: vec!["node/bin/npx".into()], ..artifact() };
        assert!(differs(&theirs, &ours).unwrap().starts_with("`bin`"));
        let theirs = Artifact { format: "zip".into(), ..artifact() };
        assert_eq!(differs(&theirs, &ours).unwrap(), "unpacking steps");
        // Where den's own resolution leaves a field open (no published checksum, binaries
        // found once unpacked), the lock's stands: the download is verified against it.
        let open = Artifact { checksum: String::new(), bin: vec![], ..artifact() };
        assert_eq!(differs(&artifact(), &open), None);
    }
}
