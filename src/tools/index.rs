//! The index of installed tools: one small JSON file at the store's root
//! (`tools-index-v1.json`) saying, for each tool den resolved and installed, its name, the
//! source it was asked from, its version, its store key and its binaries. It lets a warm
//! `den run jq@1.7` pick the newest installed `1.7.x` with one file read, without listing
//! versions or reading every receipt (the receipts lack the binaries and the source).
//!
//! Decisions: it lives beside `tools-v1/`, not in it, because the activation hook watches
//! that directory's modification time and a run must not make every prompt recompute; it
//! is a cache: a missing or damaged index is empty, an entry whose directory is gone is
//! skipped (and dropped at the next write); writers hold a file lock and write atomically,
//! and write only when the content changes. Never decides versions for a den.lock.
//!
//! A tool is found here by name and version only when den chose its artifact itself
//! ([`Entry::checked`]): an entry written from a lock (whose checksum a cache or an
//! imported bundle may have served) is kept for `den cache` and foreign locks, but never
//! makes `den x node@22.11.0` or a project without a lock run its bytes.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::catalog::Platform;
use crate::resolve::{Resolved, Version, VersionSpec};
use crate::store::Store;

/// The index file, at the store's root.
pub const FILE: &str = crate::paths::Bucket::Index.name();

/// Every indexed tool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub tools: Vec<Entry>,
}

/// One installed tool as it was resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    /// `catalog`, or the `source`/`url` it was asked from (as den.lock records it).
    pub source: String,
    pub version: String,
    pub platform: String,
    /// The store key (`sha256-<hex>`).
    pub key: String,
    /// Binaries inside the install directory.
    pub bin: Vec<String>,
    /// den chose this artifact itself: resolved it from `source`, or compared a den.lock
    /// entry with its own resolution and found them equal (not merely read from a lock).
    /// A den.lock beside foreign files only is honoured offline only for such entries.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub checked: bool,
}

fn path(store: &Store) -> PathBuf {
    store.root().join(FILE)
}

impl Index {
    /// The index as it is; empty when there is none or it cannot be read.
    pub fn read(store: &Store) -> Index {
        std::fs::read(path(store)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Installed entries of `name` from `source` for `platform` that `spec` accepts and den
    /// chose itself ([`Entry::checked`]), newest first (an alias or `latest` accepts none
    /// here: they need the version list).
    pub fn matching<'a>(
        &'a self,
        store: &Store,
        name: &str,
        source: &str,
        spec: &VersionSpec,
        platform: Platform,
    ) -> Vec<&'a Entry> {
        if matches!(spec, VersionSpec::Latest | VersionSpec::Alias(_)) {
            return Vec::new();
        }
        let platform = platform.to_string();
        let mut found: Vec<(Version, &Entry)> = self
            .tools
            .iter()
            .filter(|e| e.checked && e.name == name && e.source == source && e.platform == platform)
            .filter_map(|e| Some((Version::parse(&e.version).ok()?, e)))
            .filter(|(v, _)| spec.matches(v))
            .filter(|(_, e)| store.tool_dir(&e.key).is_dir())
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0));
        found.into_iter().map(|(_, e)| e).collect()
    }

    /// Whether den itself chose `artifact` as `resolved` (name, source, version) for
    /// `platform`, with these binaries, and it is installed: see [`Entry::checked`].
    pub fn vouches(&self, store: &Store, resolved: &Resolved, platform: Platform) -> bool {
        let Some(artifact) = resolved.artifacts.get(&platform) else { return false };
        let Some(key) = artifact.key() else { return false };
        let platform = platform.to_string();
        self.tools.iter().any(|e| {
            e.checked
                && e.name == resolved.name
                && e.source == resolved.source
                && e.version == resolved.version
                && e.platform == platform
                && e.key == key
                && e.bin == artifact.bin
        }) && store.tool_dir(&key).is_dir()
    }

    /// Versions of `name` installed for `platform` that [`Index::matching`] can give,
    /// newest first (for messages).
    pub fn versions(&self, store: &Store, name: &str, platform: Platform) -> Vec<String> {
        let platform = platform.to_string();
        let mut found: Vec<Version> = self
            .tools
            .iter()
            .filter(|e| {
                e.checked && e.name == name && e.platform == platform && store.tool_dir(&e.key).is_dir()
            })
            .filter_map(|e| Version::parse(&e.version).ok())
            .collect();
        found.sort_by(|a, b| b.cmp(a));
        found.dedup_by(|a, b| a.bare() == b.bare());
        found.iter().map(|v| v.bare().to_string()).collect()
    }
}

/// Adds `entries` (replacing any with the same name, source, platform and version) and
/// drops entries whose tool is gone; writes only when something changed.
pub fn record(store: &Store, entries: Vec<Entry>) -> std::io::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let locks = store.root().join(crate::paths::Bucket::Locks.name());
    crate::fs_util::create_private_dir_all(&locks)?;
    let lock = crate::fs_util::create_private_file(&locks.join("tools-index.lock"))?;
    lock.lock()?;
    let old = Index::read(store);
    let mut new = old.clone();
    for entry in entries {
        let same = |e: &Entry| {
            e.name == entry.name
                && e.source == entry.source
                && e.platform == entry.platform
                && e.version == entry.version
        };
        match new.tools.iter_mut().find(|e| same(e)) {
            Some(e) => {
                // Installing the same artifact again from a lock does not unmake den's check.
                let checked = entry.checked || (e.checked && e.key == entry.key && e.bin == entry.bin);
                *e = Entry { checked, ..entry };
            }
            None => new.tools.push(entry),
        }
    }
    new.tools.retain(|e| store.tool_dir(&e.key).is_dir());
    if new == old {
        return Ok(());
    }
    let text = serde_json::to_vec_pretty(&new).expect("the index serializes");
    crate::fs_util::write_atomic(&path(store), &text, 0o600)
}

/// Indexes resolved tools that are installed, so that later one-off runs find them
/// without a look-up (`den install` calls it too). A failure is only a warning.
pub fn remember(store: &Store, resolved: &[Resolved], platform: Platform) {
    record_resolved(store, resolved.iter(), platform, false);
}

/// [`remember`] for the tools den chose itself (resolved now, or a lock entry found equal to
/// den's own resolution): marked checked in the index, which is what lets a den.lock
/// beside foreign files only be honoured offline (see `foreign_lock`).
pub fn remember_checked<'a>(store: &Store, resolved: impl Iterator<Item = &'a Resolved>, platform: Platform) {
    record_resolved(store, resolved, platform, true);
}

fn record_resolved<'a>(
    store: &Store,
    resolved: impl Iterator<Item = &'a Resolved>,
    platform: Platform,
    checked: bool,
) {
    let entries = resolved
        .filter_map(|r| {
            let artifact = r.artifacts.get(&platform)?;
            Some(Entry {
                name: r.name.clone(),
                source: r.source.clone(),
                version: r.version.clone(),
                platform: platform.to_string(),
                key: artifact.key()?,
                bin: artifact.bin.clone(),
                checked,
            })
        })
        .collect();
    if let Err(e) = record(store, entries) {
        crate::ui::warn(&format!("cannot update the index of installed tools: {e}"));
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    fn entry(name: &str, version: &str, key: &str) -> Entry {
        Entry {
            name: name.into(),
            source: "catalog".into(),
            version: version.into(),
            platform: "linux-x64".into(),
            key: key.into(),
            bin: vec![name.into()],
            checked: true,
        }
    }

    #[test]
    fn newest_installed_match_first_and_gone_tools_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        for k in ["sha256-a", "sha256-b", "sha256-c"] {
            std::fs::create_dir_all(store.tool_dir(k)).unwrap();
        }
        record(
            &store,
            vec![
                entry("jq", "1.7.0", "sha256-a"),
                entry("jq", "1.7.1", "sha256-b"),
                entry("jq", "1.6", "sha256-c"),
                entry("jq", "1.7.2", "sha256-gone"),
            ],
        )
        .unwrap();
        let index = Index::read(&store);
        assert_eq!(index.tools.len(), 3, "the entry whose tool is gone is dropped");
        let linux = Platform::ALL[0];
        let spec = VersionSpec::parse("1.7").unwrap();
        let found: Vec<&str> = index
            .matching(&store, "jq", "catalog", &spec, linux)
            .iter()
            .map(|e| e.version.as_str())
            .collect();
        assert_eq!(found, ["1.7.1", "1.7.0"]);
        assert!(index.matching(&store, "jq", "github:jqlang/jq", &spec, linux).is_empty());
        assert!(index.matching(&store, "jq", "catalog", &VersionSpec::Latest, linux).is_empty());
        assert_eq!(index.versions(&store, "jq", linux), ["1.7.1", "1.7.0", "1.6"]);
        // An entry installed from a lock (a cache or a bundle may have served its bytes) is
        // never found by name and version.
        let unchecked =
            Index { tools: index.tools.iter().map(|e| Entry { checked: false, ..e.clone() }).collect() };
        assert!(unchecked.matching(&store, "jq", "catalog", &spec, linux).is_empty());
        assert!(unchecked.versions(&store, "jq", linux).is_empty());
        std::fs::remove_dir(store.tool_dir("sha256-b")).unwrap();
        let found: Vec<&str> = index
            .matching(&store, "jq", "catalog", &spec, linux)
            .iter()
            .map(|e| e.version.as_str())
            .collect();
        assert_eq!(found, ["1.7.0"]);
    }

    #[test]
    fn a_damaged_index_is_empty_and_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        std::fs::write(tmp.path().join(FILE), "{not json").unwrap();
        assert_eq!(Index::read(&store), Index::default());
        std::fs::create_dir_all(store.tool_dir("sha256-a")).unwrap();
        record(&store, vec![entry("jq", "1.7.1", "sha256-a")]).unwrap();
        assert_eq!(Index::read(&store).tools, vec![entry("jq", "1.7.1", "sha256-a")]);
    }

    #[test]
    fn vouches_only_for_what_den_checked_and_a_later_lock_install_keeps_the_mark() {
        use std::collections::BTreeMap;
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let linux = Platform::ALL[0];
        let hex = "ab".repeat(32);
        let key = format!("sha256-{}", &hex[..32]);
        std::fs::create_dir_all(store.tool_dir(&key)).unwrap();
        let artifact = crate::resolve::Artifact {
            url: "https://example.test/jq".into(),
            checksum: format!("sha256:{hex}"),
            size: None,
            format: "binary".into(),
            bin: vec!["jq".into()],
            post_install: vec![],
            served_by: "x".into(),
        };
        let resolved = Resolved {
            name: "jq".into(),
            spec: "1.7".into(),
            source: "catalog".into(),
            version: "1.7.1".into(),
            artifacts: BTreeMap::from([(linux, artifact.clone())]),
        };
        let mut e = Entry { key: key.clone(), checked: false, ..entry("jq", "1.7.1", &key) };
        record(&store, vec![e.clone()]).unwrap();
        assert!(!Index::read(&store).vouches(&store, &resolved, linux), "merely installed from a lock");
        e.checked = true;
        record(&store, vec![e.clone()]).unwrap();
        assert!(Index::read(&store).vouches(&store, &resolved, linux));
        // Installed again from a lock (not checked): the same artifact stays vouched for.
        record(&store, vec![Entry { checked: false, ..e.clone() }]).unwrap();
        assert!(Index::read(&store).vouches(&store, &resolved, linux));
        // Other binaries, another source or a missing directory are not what den checked.
        let mut other = resolved.clone();
        other.artifacts.get_mut(&linux).unwrap().bin = vec!["other".into()];
        assert!(!Index::read(&store).vouches(&store, &other, linux));
        let mut other = resolved.clone();
        other.source = "github:someone/jq".into();
        assert!(!Index::read(&store).vouches(&store, &other, linux));
        assert!(!Index::read(&store).vouches(&store, &resolved, Platform::ALL[1]));
        // Another artifact under the same name and version loses the mark.
        let other_key = format!("sha256-{}", "cd".repeat(16));
        std::fs::create_dir_all(store.tool_dir(&other_key)).unwrap();
        record(&store, vec![Entry { key: other_key, checked: false, ..e.clone() }]).unwrap();
        assert!(!Index::read(&store).vouches(&store, &resolved, linux));
        record(&store, vec![e]).unwrap();
        std::fs::remove_dir(store.tool_dir(&key)).unwrap();
        assert!(!Index::read(&store).vouches(&store, &resolved, linux));
    }
}
