//! The Adoptium API (v3) under `/api.adoptium.net/`, in its recorded format:
//! `/v3/info/available_releases` and `/v3/assets/feature_releases/<n>/ga` filtered by
//! `os`, `architecture`, `image_type`, paged by `page`/`page_size` (at most 20; 404 past
//! the last page, as the real API answers), newest first. Each release's JDK archives are
//! GitHub release assets of `adoptium/temurin<n>-binaries` (served under `/github.com/`),
//! in the real layout: `jdk-21.0.5+11/bin/java` on Linux,
//! `jdk-21.0.5+11/Contents/Home/bin/java` on macOS; `jdk8u432-b06/` for Java 8.

use den_test_server::{Request, Response};
use serde_json::{Value, json};

use super::State;
use super::archives::{self, Entry, sha256_hex};

const PLATFORMS: &[(&str, &str)] =
    &[("linux", "x64"), ("linux", "aarch64"), ("mac", "x64"), ("mac", "aarch64")];
const LTS: &[u64] = &[8, 11, 17, 21, 25];
const MAX_PAGE_SIZE: usize = 20;

/// `21.0.5+11` → (21, 0, 5, 11).
fn parts(version: &str) -> (u64, u64, u64, u64) {
    let (main, build) = version.split_once('+').expect("a version with +build");
    let n: Vec<u64> = main.split('.').map(|p| p.parse().unwrap()).collect();
    (n[0], n[1], n[2], build.parse().unwrap())
}

/// The archive's top directory, as Temurin names it.
pub fn release_name(version: &str) -> String {
    let (major, _, security, build) = parts(version);
    if major == 8 { format!("jdk8u{security}-b{build:02}") } else { format!("jdk-{version}") }
}

/// A `bin/java` that prints its version as the real one does (on stderr), and JAVA_HOME.
fn java(version: &str) -> String {
    let (major, minor, security, _) = parts(version);
    format!(
        "#!/bin/sh\necho \"openjdk version \\\"{major}.{minor}.{security}\\\" (Temurin)\" >&2\necho \"JAVA_HOME=$JAVA_HOME\"\n"
    )
}

/// Publishes Temurin JDK `version` (`21.0.5+11`) for Linux and macOS, x64 and aarch64.
pub fn publish(state: &mut State, version: &str) {
    let (major, minor, security, build) = parts(version);
    let top = release_name(version);
    let tag = top.replace('+', "%2B");
    let mut binaries = Vec::new();
    for (os, arch) in PLATFORMS {
        let underscored = version.replace('+', "_");
        let name = format!("OpenJDK{major}U-jdk_{arch}_{os}_hotspot_{underscored}.tar.gz");
        let home = if *os == "mac" { format!("{top}/Contents/Home") } else { top.clone() };
        let files = [
            Entry::exe("bin/java", java(version)),
            Entry::exe("bin/javac", "#!/bin/sh\necho javac\n"),
            Entry::exe("bin/jar", "#!/bin/sh\necho jar\n"),
            Entry::exe("bin/javadoc", "#!/bin/sh\necho javadoc\n"),
            Entry::exe("bin/keytool", "#!/bin/sh\necho keytool\n"),
            Entry::file("release", format!("JAVA_VERSION=\"{major}.{minor}.{security}\"\n"), 0o644),
        ];
        let entries: Vec<Entry> = files.iter().map(|e| e.under(&home)).collect();
        let body = archives::build(&name, &entries);
        let sha = sha256_hex(&body);
        let repo = format!("adoptium/temurin{major}-binaries");
        let link = format!("https://github.com/{repo}/releases/download/{tag}/{name}");
        binaries.push(json!({
            "architecture": arch, "download_count": 1000, "heap_size": "normal", "image_type": "jdk",
            "jvm_impl": "hotspot", "os": os, "project": "jdk", "scm_ref": format!("{top}_adopt"),
            "updated_at": "2024-10-16T14:53:45Z",
            "package": {
                "checksum": sha, "checksum_link": format!("{link}.sha256.txt"), "download_count": 1000,
                "link": link, "metadata_link": format!("{link}.json"), "name": name,
                "signature_link": format!("{link}.sig"), "size": body.len(),
            },
        }));
        state.put(&format!("/github.com/{repo}/releases/download/{top}/{name}"), body, "application/x-gzip");
    }
    let lts = LTS.contains(&major);
    let openjdk = if lts { format!("{major}.{minor}.{security}+{build}-LTS") } else { version.to_string() };
    let mut data = json!({
        "build": build, "major": major, "minor": minor, "openjdk_version": openjdk, "security": security,
        "semver": format!("{version}.0{}", if lts { ".LTS" } else { "" }),
    });
    if lts {
        data["optional"] = json!("LTS");
    }
    let release = json!({
        "binaries": binaries, "download_count": 4000, "id": format!("{}.{}", top, state.id()),
        "release_link": format!("https://github.com/adoptium/temurin{major}-binaries/releases/tag/{tag}"),
        "release_name": top, "release_type": "ga", "timestamp": "2024-10-16T14:53:45Z",
        "updated_at": "2024-10-16T14:53:45Z", "vendor": "eclipse", "version_data": data,
    });
    state.adoptium.retain(|r| r["release_name"] != release["release_name"]);
    state.adoptium.push(release);
}

fn key(release: &Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| release["version_data"][k].as_u64().unwrap_or(0);
    (n("major"), n("minor"), n("security"), n("build"))
}

/// Answers the API's paths (the others are 404, like the real API's unknown routes).
pub fn serve(state: &State, req: &Request, rest: &str) -> Response {
    if rest == "info/available_releases" {
        let mut features: Vec<u64> = state.adoptium.iter().map(|r| key(r).0).collect();
        features.sort_unstable();
        features.dedup();
        let lts: Vec<u64> = features.iter().copied().filter(|f| LTS.contains(f)).collect();
        let newest = features.last().copied().unwrap_or(0);
        let body = json!({
            "available_lts_releases": lts, "available_releases": features,
            "most_recent_feature_release": newest, "most_recent_feature_version": newest + 1,
            "most_recent_lts": lts.last().copied().unwrap_or(0), "tip_version": newest + 2,
        });
        return Response::json(200, serde_json::to_vec_pretty(&body).unwrap());
    }
    let Some(feature) = rest
        .strip_prefix("assets/feature_releases/")
        .and_then(|r| r.strip_suffix("/ga"))
        .and_then(|f| f.parse::<u64>().ok())
    else {
        return Response::json(404, "{\"errorMessage\":\"Not Found\"}");
    };
    let param = |name: &str| req.param(name).map(str::to_string);
    let page: usize = param("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let size: usize = param("page_size").and_then(|p| p.parse().ok()).unwrap_or(10);
    if size > MAX_PAGE_SIZE {
        return Response::json(400, "{\"errorMessage\":\"Maximum page size is 20\"}");
    }
    let wanted = |b: &Value, field: &str, query: &str| param(query).is_none_or(|q| b[field] == q.as_str());
    let mut releases: Vec<Value> = state
        .adoptium
        .iter()
        .filter(|r| key(r).0 == feature)
        .filter_map(|r| {
            let binaries: Vec<Value> = r["binaries"]
                .as_array()?
                .iter()
                .filter(|b| {
                    wanted(b, "os", "os")
                        && wanted(b, "architecture", "architecture")
                        && wanted(b, "image_type", "image_type")
                        && wanted(b, "jvm_impl", "jvm_impl")
                })
                .cloned()
                .collect();
            let mut r = r.clone();
            r["binaries"] = Value::Array(binaries);
            (!r["binaries"].as_array()?.is_empty()).then_some(r)
        })
        .collect();
    releases.sort_by_key(|r| std::cmp::Reverse(key(r)));
    let chunk: Vec<Value> = releases.into_iter().skip(page * size).take(size).collect();
    if chunk.is_empty() {
        return Response::json(404, "{\"errorMessage\":\"No releases match the request\"}");
    }
    Response::json(200, serde_json::to_vec_pretty(&chunk).unwrap())
}
