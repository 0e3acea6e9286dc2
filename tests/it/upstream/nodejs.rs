//! A nodejs.org dist folder under `/nodejs.org/dist/`: `index.json` (newest first, one
//! compact object per line, the real field order, `lts` false or a codename),
//! `v{v}/SHASUMS256.txt` (two spaces, byte-sorted) and `node-v{v}-{os}-{arch}.tar.{xz,gz}`
//! with one top directory and `bin/npm`, `bin/npx` as symlinks. Never lists a file it
//! does not serve.

use serde_json::json;

use super::State;
use super::archives::{self, Entry, Format, script, sha256_hex};

/// The platforms published, as `index.json` `files` ids and file-name parts.
const PLATFORMS: &[(&str, &str)] = &[
    ("linux-arm64", "linux-arm64"),
    ("linux-x64", "linux-x64"),
    ("osx-arm64-tar", "darwin-arm64"),
    ("osx-x64-tar", "darwin-x64"),
];

#[derive(Debug, Clone)]
struct Published {
    version: String,
    lts: Option<String>,
}

/// The published versions.
#[derive(Debug, Default)]
pub struct Dist {
    versions: Vec<Published>,
}

/// What a real Node.js tarball's `bin/` holds, as scripts.
fn default_files(version: &str) -> Vec<Entry> {
    vec![
        Entry::exe("bin/node", script(&format!("v{version}"))),
        Entry::symlink("bin/npm", "../lib/node_modules/npm/bin/npm-cli.js"),
        Entry::symlink("bin/npx", "../lib/node_modules/npm/bin/npx-cli.js"),
        Entry::exe("lib/node_modules/npm/bin/npm-cli.js", script("10.9.0")),
        Entry::exe("lib/node_modules/npm/bin/npx-cli.js", script("10.9.0")),
        Entry::file("LICENSE", "Node.js is licensed for use as follows: MIT\n", 0o644),
        Entry::file("README.md", "# Node.js\n", 0o644),
    ]
}

fn key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Publishes version `version` (without `v`).
pub fn publish(state: &mut State, version: &str, lts: Option<&str>, files: &[Entry]) {
    let files = if files.is_empty() { default_files(version) } else { files.to_vec() };
    let dir = format!("/nodejs.org/dist/v{version}");
    let mut sums = Vec::new();
    for (_, plat) in PLATFORMS {
        let top = format!("node-v{version}-{plat}");
        let entries: Vec<Entry> = files.iter().map(|e| e.under(&top)).collect();
        for ext in ["tar.gz", "tar.xz"] {
            let name = format!("{top}.{ext}");
            let body = archives::build(&name, &entries);
            sums.push((name.clone(), sha256_hex(&body)));
            state.put(&format!("{dir}/{name}"), body, Format::from_name(&name).content_type());
        }
    }
    sums.sort();
    let text: String = sums.iter().map(|(n, h)| format!("{h}  {n}\n")).collect();
    state.put(&format!("{dir}/SHASUMS256.txt"), text.into_bytes(), "text/plain");
    state.nodejs.versions.retain(|p| p.version != version);
    state.nodejs.versions.push(Published { version: version.into(), lts: lts.map(str::to_string) });
    state.nodejs.versions.sort_by_key(|p| std::cmp::Reverse(key(&p.version)));
    let lines: Vec<String> = state
        .nodejs
        .versions
        .iter()
        .map(|p| {
            let lts = p.lts.as_ref().map_or(json!(false), |c| json!(c));
            let files: Vec<&str> = PLATFORMS.iter().map(|(id, _)| *id).collect();
            json!({
                "version": format!("v{}", p.version), "date": "2024-10-29", "files": files,
                "npm": "10.9.0", "v8": "12.4.254.21-node.21", "uv": "1.49.1", "zlib": "1.3.0.1-motley-82a5fec",
                "openssl": "3.0.15+quic", "modules": "127", "lts": lts, "security": false,
            })
            .to_string()
        })
        .collect();
    let index = format!("[\n{}\n]\n", lines.join(",\n"));
    for path in ["/nodejs.org/dist/index.json", "/nodejs.org/download/release/index.json"] {
        state.put(path, index.clone().into_bytes(), "application/json");
    }
}
