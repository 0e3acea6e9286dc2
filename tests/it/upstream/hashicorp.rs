//! releases.hashicorp.com under `/releases.hashicorp.com/`: `/{product}/index.json` (all
//! versions, keyed by version), `/{product}/{v}/index.json`, the zips
//! `{product}_{v}_{os}_{arch}.zip` (binary at the zip root) and `{product}_{v}_SHA256SUMS`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::State;
use super::archives::{self, Entry, sha256_hex};

const PLATFORMS: &[(&str, &str)] =
    &[("darwin", "amd64"), ("darwin", "arm64"), ("linux", "amd64"), ("linux", "arm64")];

/// The published product versions: product → version → its index entry.
#[derive(Debug, Default)]
pub struct Releases {
    products: BTreeMap<String, BTreeMap<String, Value>>,
}

/// Publishes `product` `version`; `files` sit at the zip root (a default `{product}`
/// script printing `Terraform v{version}`-style output when empty).
pub fn publish(state: &mut State, product: &str, version: &str, files: &[Entry]) {
    let files = if files.is_empty() {
        let mut title = product.to_string();
        title[..1].make_ascii_uppercase();
        vec![
            Entry::exe(product, archives::script(&format!("{title} v{version}"))),
            Entry::file("LICENSE.txt", "MPL-2.0\n", 0o644),
        ]
    } else {
        files.to_vec()
    };
    let host = format!("{}/releases.hashicorp.com", state.base);
    let dir = format!("/releases.hashicorp.com/{product}/{version}");
    let mut sums = Vec::new();
    let mut builds = Vec::new();
    for (os, arch) in PLATFORMS {
        let filename = format!("{product}_{version}_{os}_{arch}.zip");
        let body = archives::zip(&files);
        sums.push(format!("{}  {filename}\n", sha256_hex(&body)));
        state.put(&format!("{dir}/{filename}"), body, "application/zip");
        builds.push(json!({
            "arch": arch, "filename": filename, "name": product, "os": os,
            "url": format!("{host}/{product}/{version}/{filename}"), "version": version,
        }));
    }
    let shasums = format!("{product}_{version}_SHA256SUMS");
    state.put(&format!("{dir}/{shasums}"), sums.concat().into_bytes(), "text/plain; charset=utf-8");
    let entry = json!({
        "builds": builds, "name": product, "shasums": shasums,
        "shasums_signature": format!("{shasums}.sig"),
        "shasums_signatures": [format!("{shasums}.72D7468F.sig"), format!("{shasums}.sig")],
        "version": version,
    });
    state.put(&format!("{dir}/index.json"), format!("{entry:#}\n").into_bytes(), "application/json");
    let versions = state.hashicorp.products.entry(product.into()).or_default();
    versions.insert(version.into(), entry);
    let all = json!({"name": product, "versions": versions});
    state.put(
        &format!("/releases.hashicorp.com/{product}/index.json"),
        format!("{all:#}\n").into_bytes(),
        "application/json",
    );
}
