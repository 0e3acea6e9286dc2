//! Where things are in a directory cache (and in an exported bundle, which is the same
//! layout in a tar file): `v1/blobs/<sha256|sha512>/<hex>` holds an artifact under the
//! checksum den.lock pins, `v1/index/<tag>.toml` its den.lock entry. Plain files, so any
//! static HTTP server or bucket can serve the tree. Pure string work.

use crate::http::Checksum;

/// The version of this layout: a change is a new directory, never a migration.
pub const ROOT: &str = "v1";

/// `v1/blobs/sha256/<hex>` for `checksum`.
pub fn blob(checksum: &Checksum) -> String {
    format!("{ROOT}/blobs/{}/{}", checksum.algorithm(), checksum.hex())
}

/// `v1/index/<tag>.toml`.
pub fn index(tool: &str, version: &str, platform: &str) -> String {
    format!("{ROOT}/index/{}.toml", tag(tool, version, platform))
}

/// The OCI tag of what is addressed by its checksum alone (a package bundled into tools):
/// `<algorithm>-<hex>`, cut to a tag's 128 characters (484 bits of a sha512 still name
/// one tarball; the manifest's annotation holds the whole checksum, compared on every read).
pub fn content_tag(checksum: &Checksum) -> String {
    let mut tag = format!("{}-{}", checksum.algorithm(), checksum.hex());
    tag.truncate(128);
    tag
}

/// `<tool>-<version>-<platform>` as an OCI tag may be spelled (`[A-Za-z0-9_][A-Za-z0-9._-]*`,
/// at most 128 characters): anything else becomes `_`.
pub fn tag(tool: &str, version: &str, platform: &str) -> String {
    let raw = format!("{tool}-{version}-{platform}");
    let mut tag: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .collect();
    if tag.starts_with(['.', '-']) {
        tag.insert(0, '_');
    }
    tag.truncate(128);
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_tags() {
        let sum: Checksum =
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".parse().unwrap();
        assert_eq!(
            blob(&sum),
            "v1/blobs/sha256/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(tag("jq", "1.7.1", "linux-x64"), "jq-1.7.1-linux-x64");
        assert_eq!(tag("@scope/x", "1.0.0+b", "linux-x64"), "_scope_x-1.0.0_b-linux-x64");
        assert_eq!(tag(".x", "1", "p"), "_.x-1-p");
        assert_eq!(tag(&"a".repeat(200), "1", "p").len(), 128);
        assert_eq!(index("jq", "1.7.1", "linux-x64"), "v1/index/jq-1.7.1-linux-x64.toml");
        assert_eq!(content_tag(&sum), format!("sha256-{}", sum.hex()));
        let npm: Checksum =
            "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="
                .parse()
                .unwrap();
        assert_eq!(content_tag(&npm), format!("sha512-{}", &npm.hex()[..121]));
    }
}
