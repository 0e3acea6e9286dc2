//! go.dev/dl under `/go.dev/dl/`: the JSON release list (`?mode=json[&include=all]`, one
//! space indentation, newest first), downloads that answer 302 to `/dl.google.com/go/`
//! as go.dev does, and dl.google.com's bare-digest `.sha256` files.

use serde_json::{Value, json};

use super::archives::{self, Entry, script, sha256_hex};
use super::{File, State};

const PLATFORMS: &[(&str, &str)] =
    &[("darwin", "amd64"), ("darwin", "arm64"), ("linux", "amd64"), ("linux", "arm64")];

fn key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Publishes Go `version` (`1.23.4`): `go/bin/go` and `go/bin/gofmt` scripts unless
/// `files` (paths under `go/`) are given.
pub fn publish(state: &mut State, version: &str, files: &[Entry]) {
    let files = if files.is_empty() {
        vec![
            Entry::exe("bin/go", script(&format!("go version go{version} linux/amd64"))),
            Entry::exe("bin/gofmt", script("usage: gofmt [flags] [path ...]")),
            Entry::file("VERSION", format!("go{version}\ntime 2024-12-03T17:40:00Z\n"), 0o644),
        ]
    } else {
        files.to_vec()
    };
    let entries: Vec<Entry> = files.iter().map(|e| e.under("go")).collect();
    let mut listed = Vec::new();
    for (os, arch) in PLATFORMS {
        let filename = format!("go{version}.{os}-{arch}.tar.gz");
        let body = archives::build(&filename, &entries);
        let sha = sha256_hex(&body);
        listed.push(json!({
            "filename": filename, "os": os, "arch": arch, "version": format!("go{version}"),
            "sha256": sha, "size": body.len(), "kind": "archive",
        }));
        state.put(&format!("/dl.google.com/go/{filename}"), body, "application/x-gzip");
        state.put(&format!("/dl.google.com/go/{filename}.sha256"), sha.into_bytes(), "text/plain");
        state.files.insert(
            format!("/go.dev/dl/{filename}"),
            File::Redirect(format!("/dl.google.com/go/{filename}")),
        );
    }
    let release = json!({"version": format!("go{version}"), "stable": true, "files": listed});
    state.godev.retain(|r| r["version"] != release["version"]);
    state.godev.push(release);
    state
        .godev
        .sort_by_key(|r| std::cmp::Reverse(key(r["version"].as_str().unwrap().trim_start_matches("go"))));
    let mut text = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut text, fmt);
    serde::Serialize::serialize(&Value::Array(state.godev.clone()), &mut ser).unwrap();
    text.push(b'\n');
    state.put("/go.dev/dl/", text, "application/json");
}
