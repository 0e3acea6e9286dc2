//! The .NET release metadata under `/dotnetcli.blob.core.windows.net/dotnet/release-metadata/`
//! in its recorded format: `releases-index.json` (one entry per channel, newest first) and
//! `<channel>/releases.json` (releases newest first, each with its `sdk` and `sdks`, one
//! file per runtime identifier with a sha512 `hash`), the archives under
//! `/builds.dotnet.microsoft.com/dotnet/Sdk/<v>/` holding `dotnet` at their top beside
//! `sdk/<v>/` and `shared/Microsoft.NETCore.App/<runtime>/`.

use serde_json::{Value, json};
use sha2::{Digest, Sha512};

use super::State;
use super::archives::{self, Entry, hex};

const RIDS: &[&str] = &["linux-x64", "linux-arm64", "osx-x64", "osx-arm64"];
const BASE: &str = "/dotnetcli.blob.core.windows.net/dotnet/release-metadata";

fn key(version: &str) -> Vec<u64> {
    version.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Publishes SDK `sdk` (`8.0.404`) shipped with runtime `runtime` (`8.0.11`).
pub fn publish(state: &mut State, sdk: &str, runtime: &str) {
    let channel = sdk.split('.').take(2).collect::<Vec<_>>().join(".");
    let dotnet = format!("#!/bin/sh\necho \"dotnet {sdk} DOTNET_ROOT=$DOTNET_ROOT\"\n");
    let entries = [
        Entry::exe("dotnet", dotnet),
        Entry::file(&format!("sdk/{sdk}/dotnet.dll"), "MZ", 0o644),
        Entry::file(
            &format!("shared/Microsoft.NETCore.App/{runtime}/System.Private.CoreLib.dll"),
            "MZ",
            0o644,
        ),
        Entry::file("LICENSE.txt", "MIT\n", 0o644),
    ];
    let mut files = Vec::new();
    for rid in RIDS {
        let name = format!("dotnet-sdk-{sdk}-{rid}.tar.gz");
        let body = archives::build(&name, &entries);
        let hash = hex(&Sha512::digest(&body));
        let path = format!("/builds.dotnet.microsoft.com/dotnet/Sdk/{sdk}/{name}");
        let url = format!("https://builds.dotnet.microsoft.com/dotnet/Sdk/{sdk}/{name}");
        state.put(&path, body, "application/x-gzip");
        files.push(json!({"name": format!("dotnet-sdk-{rid}.tar.gz"), "rid": rid, "url": url, "hash": hash}));
        // A zip of the same build, as Windows gets; never the one den takes.
        files.push(json!({"name": format!("dotnet-sdk-{rid}.zip"), "rid": rid,
            "url": format!("https://builds.dotnet.microsoft.com/dotnet/Sdk/{sdk}/dotnet-sdk-{sdk}-{rid}.zip"), "hash": "0".repeat(128)}));
    }
    let sdk_entry =
        json!({"version": sdk, "version-display": sdk, "runtime-version": runtime, "files": files});
    let release = json!({
        "release-date": "2024-11-12", "release-version": runtime, "security": false,
        "runtime": {"version": runtime, "files": []}, "sdk": sdk_entry, "sdks": [sdk_entry],
    });
    let list = state.dotnet.entry(channel.clone()).or_default();
    list.retain(|r| r["sdk"]["version"] != sdk);
    list.push(release);
    list.sort_by_key(|r| std::cmp::Reverse(key(r["sdk"]["version"].as_str().unwrap_or_default())));
    let latest = list[0]["sdk"]["version"].clone();
    let doc = json!({"channel-version": channel, "latest-release": runtime, "latest-sdk": latest, "releases": list.clone()});
    state.put(
        &format!("{BASE}/{channel}/releases.json"),
        serde_json::to_vec_pretty(&doc).unwrap(),
        "application/json",
    );
    let mut channels: Vec<&String> = state.dotnet.keys().collect();
    channels.sort_by_key(|c| std::cmp::Reverse(key(c)));
    let index: Vec<Value> = channels
        .iter()
        .map(|c| {
            let newest = &state.dotnet[*c][0];
            json!({
                "channel-version": c, "latest-release": newest["release-version"], "latest-sdk": newest["sdk"]["version"],
                "product": ".NET", "support-phase": "active", "release-type": "lts",
                "releases.json": format!("https://dotnetcli.blob.core.windows.net/dotnet/release-metadata/{c}/releases.json"),
            })
        })
        .collect();
    let body = serde_json::to_vec_pretty(&json!({"releases-index": index})).unwrap();
    state.put(&format!("{BASE}/releases-index.json"), body, "application/json");
}
