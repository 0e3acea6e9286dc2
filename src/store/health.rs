//! A quick look at the store for `den doctor`: every installed tool has its receipt and
//! file list, every receipt its tool, and every file and link the list names is there.
//! Stats files, never hashes them (`gc::verify`, `den cache verify`, does that), and never
//! changes anything.

use std::collections::BTreeSet;
use std::fs;

use super::layout::{Store, TOOLS};
use super::{manifest, receipt};
use crate::artifact::key;

/// One thing wrong with one entry of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// `node 22.11.0`, or the key when there is no receipt.
    pub label: String,
    pub problem: String,
}

/// What is wrong in the store, by key; and how many tools were looked at.
pub fn check(store: &Store) -> (usize, Vec<Issue>) {
    let tools = store.root().join(TOOLS);
    let mut keys = BTreeSet::new();
    for entry in fs::read_dir(&tools).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = name.strip_suffix(".toml").or_else(|| name.strip_suffix(".files.json")).unwrap_or(&name);
        if key::is_key(key) {
            keys.insert(key.to_string());
        }
    }
    let mut issues = Vec::new();
    let mut seen = 0;
    for key in keys {
        let installed = store.is_installed(&key);
        let receipt = receipt::read(store, &key);
        let label = match &receipt {
            Ok(Some(r)) => format!("{} {}", r.name, r.version),
            _ => key.clone(),
        };
        let mut issue = |problem: String| issues.push(Issue { label: label.clone(), problem });
        match (&receipt, installed) {
            (Err(e), _) => issue(format!("its receipt cannot be read: {e}")),
            (Ok(None), true) => issue("installed without a receipt (an install was interrupted)".into()),
            (Ok(Some(_)), false) => issue("has a receipt but its directory is gone".into()),
            _ => {}
        }
        if !installed {
            continue;
        }
        seen += 1;
        match manifest::read(store, &key) {
            Err(e) => issue(format!("its file list cannot be read: {e}")),
            // Installed by a den that kept no file list: nothing to compare with.
            Ok(None) => {}
            Ok(Some(m)) => {
                let dir = store.tool_dir(&key);
                let missing: Vec<&String> = m
                    .files
                    .keys()
                    .chain(m.links.keys())
                    .filter(|p| fs::symlink_metadata(dir.join(p)).is_err())
                    .collect();
                if let Some(first) = missing.first() {
                    let n = missing.len();
                    issue(format!(
                        "{n} file{} missing (first: {first})",
                        if n == 1 { " is" } else { "s are" }
                    ));
                }
            }
        }
    }
    (seen, issues)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn missing_files_receipts_and_directories_are_found_without_hashing() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::new(tmp.path().to_path_buf());
        let tools = tmp.path().join(TOOLS);
        let key = |c: char| format!("sha256-{}", c.to_string().repeat(32));
        let receipt = |c: char, name: &str| {
            let text = format!(
                "name = \"{name}\"\nversion = \"1.0.0\"\nurl = \"https://example.test/{name}\"\n\
                 checksum = \"sha256:{}\"\ninstalled_at = 2026-01-02T03:04:05Z\n",
                c.to_string().repeat(64)
            );
            fs::write(tools.join(format!("{}.toml", key(c))), text).unwrap();
        };
        // a: fine (a changed file is not this check's business); b: a file gone;
        // c: a receipt without its tool; d: a tool without a receipt.
        for c in ['a', 'b', 'd'] {
            fs::create_dir_all(tools.join(key(c)).join("bin")).unwrap();
            fs::write(tools.join(key(c)).join("bin/t"), "changed").unwrap();
            let list = r#"{"files": {"bin/t": "00", "bin/u": "00"}, "links": {}}"#;
            let list = if c == 'b' { list.to_string() } else { list.replace(", \"bin/u\": \"00\"", "") };
            fs::write(tools.join(format!("{}.files.json", key(c))), list).unwrap();
        }
        receipt('a', "fine");
        receipt('b', "broken");
        receipt('c', "gone");
        let (seen, issues) = check(&store);
        assert_eq!(seen, 3);
        let got: Vec<String> = issues.iter().map(|i| format!("{}: {}", i.label, i.problem)).collect();
        assert_eq!(
            got,
            [
                "broken 1.0.0: 1 file is missing (first: bin/u)".to_string(),
                "gone 1.0.0: has a receipt but its directory is gone".to_string(),
                format!("{}: installed without a receipt (an install was interrupted)", key('d')),
            ]
        );
    }
}
