//! services.gradle.org under `/services.gradle.org/`: `versions/all` in its recorded format
//! (every build, newest first: releases, release candidates, nightly snapshots, each with
//! its flags and URLs; two-space indentation), `distributions/gradle-{v}-bin.zip` holding
//! `gradle-{v}/bin/gradle` and `lib/`, and its bare-digest `.sha256`.

use serde_json::{Value, json};

use super::State;
use super::archives::{self, Entry, sha256_hex};

/// A `bin/gradle` that says its version and the java it would run on.
fn gradle(version: &str) -> String {
    format!("#!/bin/sh\necho \"Gradle {version} GRADLE_HOME=$GRADLE_HOME JAVA_HOME=$JAVA_HOME\"\n")
}

fn key(version: &str) -> Vec<u64> {
    version.split(['.', '-']).map(|p| p.parse().unwrap_or(0)).collect()
}

/// Publishes Gradle `version`; a `snapshot` is listed under `distributions-snapshots/`.
pub fn publish(state: &mut State, version: &str, snapshot: bool) {
    let dir = if snapshot { "distributions-snapshots" } else { "distributions" };
    let name = format!("gradle-{version}-bin.zip");
    let top = format!("gradle-{version}");
    let entries = [
        Entry::exe(&format!("{top}/bin/gradle"), gradle(version)),
        Entry::file(&format!("{top}/bin/gradle.bat"), "@echo off\r\n", 0o644),
        Entry::file(&format!("{top}/lib/gradle-launcher-{version}.jar"), "PK", 0o644),
    ];
    let body = archives::build(&name, &entries);
    let sha = sha256_hex(&body);
    state.put(&format!("/services.gradle.org/{dir}/{name}"), body, "application/zip");
    state.put(&format!("/services.gradle.org/{dir}/{name}.sha256"), sha.into_bytes(), "text/plain");
    let url = format!("https://services.gradle.org/{dir}/{name}");
    let entry = json!({
        "version": version, "buildTime": "20240923212839+0000", "current": false, "snapshot": snapshot,
        "nightly": false, "releaseNightly": snapshot, "activeRc": false, "rcFor": "", "milestoneFor": "",
        "broken": false, "downloadUrl": url, "checksumUrl": format!("{url}.sha256"),
        "wrapperChecksumUrl": format!("https://services.gradle.org/{dir}/gradle-{version}-wrapper.jar.sha256"),
    });
    state.gradle.retain(|e| e["version"] != entry["version"]);
    state.gradle.push(entry);
    state.gradle.sort_by_key(|e| std::cmp::Reverse(key(e["version"].as_str().unwrap_or_default())));
    let newest = state.gradle.iter().position(|e| e["snapshot"] == false);
    for (i, e) in state.gradle.iter_mut().enumerate() {
        e["current"] = Value::Bool(Some(i) == newest);
    }
    let text = serde_json::to_vec_pretty(&Value::Array(state.gradle.clone())).unwrap();
    state.put("/services.gradle.org/versions/all", text, "application/json");
}
