//! The OCI image manifest den pushes for one artifact (image-spec 1.1, an "artifact"
//! manifest: den's own `artifactType`, the empty config, one layer holding the artifact),
//! and the few fields den reads back. Written by hand: these are a dozen serde fields, and
//! the crates that model the whole image spec bring builders and derive macros den's
//! binary does not need (see Cargo.toml).

use serde::{Deserialize, Serialize};

use super::super::Want;
use std::collections::BTreeMap;

pub const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// den's artifact type: what a registry UI shows for these manifests.
pub const ARTIFACT_TYPE: &str = "application/vnd.den.artifact.v1";
pub const LAYER_TYPE: &str = "application/vnd.den.artifact.layer.v1";
pub const EMPTY_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The empty config `{}` and its digest (image-spec's "empty descriptor").
pub const EMPTY: &[u8] = b"{}";
pub const EMPTY_DIGEST: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// Annotation keys, in den's reverse-DNS namespace.
pub const TOOL: &str = "dev.den.tool";
pub const VERSION: &str = "dev.den.version";
pub const PLATFORM: &str = "dev.den.platform";
/// The upstream URL the artifact came from (den.lock's `url`).
pub const URL: &str = "dev.den.url";
/// den.lock's checksum of the artifact (sha256, or npm's sha512 integrity).
pub const CHECKSUM: &str = "dev.den.checksum";
/// The name of a package bundled into tools (node's npm), in place of the tool, version
/// and platform: one manifest serves every tool that bundles the same tarball.
pub const PACKAGE: &str = "dev.den.package";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// The manifest of `want`, whose bytes have the sha256 `digest` and `size` bytes.
pub fn for_artifact(want: &Want, digest: &str, size: u64) -> Manifest {
    let title = want.url.rsplit('/').next().unwrap_or_default().split(['?', '#']).next().unwrap_or_default();
    let mut layer_notes = BTreeMap::new();
    if !title.is_empty() {
        layer_notes.insert("org.opencontainers.image.title".to_string(), title.to_string());
    }
    let names = match want.package {
        Some(package) => vec![(PACKAGE, package.to_string())],
        None => vec![
            (TOOL, want.tool.to_string()),
            (VERSION, want.version.to_string()),
            (PLATFORM, want.platform.to_string()),
        ],
    };
    let annotations =
        names.into_iter().chain([(URL, want.url.to_string()), (CHECKSUM, want.checksum.to_string())]);
    Manifest {
        schema_version: 2,
        media_type: Some(MANIFEST_TYPE.into()),
        artifact_type: Some(ARTIFACT_TYPE.into()),
        config: Descriptor {
            media_type: EMPTY_TYPE.into(),
            digest: EMPTY_DIGEST.into(),
            size: EMPTY.len() as u64,
            annotations: BTreeMap::new(),
        },
        layers: vec![Descriptor {
            media_type: LAYER_TYPE.into(),
            digest: digest.to_string(),
            size,
            annotations: layer_notes,
        }],
        annotations: annotations.map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

impl Manifest {
    /// The layer holding the artifact den.lock pins as `checksum`, if this manifest is
    /// den's manifest of it.
    pub fn layer_for(&self, checksum: &str) -> Option<&Descriptor> {
        let pinned = self.annotations.get(CHECKSUM)?;
        (pinned == checksum && self.layers.len() == 1).then(|| &self.layers[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn empty_digest_is_that_of_the_empty_object() {
        let hex: String = sha2::Sha256::digest(EMPTY).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(EMPTY_DIGEST, format!("sha256:{hex}"));
    }

    #[test]
    fn round_trip_and_layer_lookup() {
        let sum: crate::http::Checksum =
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
                .parse()
                .unwrap();
        let want = Want {
            tool: "x",
            version: "1",
            platform: "linux-x64",
            checksum: &sum,
            size: None,
            url: "https://u/x-1.tgz",
            package: None,
        };
        let text = serde_json::to_string(&for_artifact(&want, "sha256:ab", 3)).unwrap();
        assert!(text.contains("\"artifactType\":\"application/vnd.den.artifact.v1\""), "{text}");
        assert!(text.contains("\"org.opencontainers.image.title\":\"x-1.tgz\""), "{text}");
        let back: Manifest = serde_json::from_str(&text).unwrap();
        assert_eq!(back.layer_for(&sum.to_string()).unwrap().digest, "sha256:ab");
        assert!(back.layer_for("sha256:00").is_none());

        // A bundled package is named by itself, not by the tool it was pushed with.
        let text =
            serde_json::to_string(&for_artifact(&Want { package: Some("npm"), ..want }, "sha256:ab", 3))
                .unwrap();
        assert!(text.contains("\"dev.den.package\":\"npm\""), "{text}");
        assert!(!text.contains(TOOL) && !text.contains(PLATFORM), "{text}");
    }
}
