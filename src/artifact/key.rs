//! Store keys: an artifact's checksum made path-safe and short (`sha256-<hex>`,
//! `sha512-<hex>`, the first 128 bits of the digest in hex), so the same artifact has one
//! directory whichever source or spelling of its checksum asked, and PATH entries stay
//! readable. 128 bits of a cryptographic digest are plenty to name a machine's artifacts;
//! the full checksum is still verified on every download.

use std::str::FromStr;

use super::checksum::Checksum;

/// The store key of a checksum text as den.lock records it (`sha256:<hex>`,
/// `sha512-<base64>`, ...); `None` when it is not a checksum.
pub fn of(checksum: &str) -> Option<String> {
    Some(match Checksum::from_str(checksum).ok()? {
        Checksum::Sha256(d) => format!("sha256-{}", to_hex(&d[..KEY_BYTES])),
        Checksum::Sha512(d) => format!("sha512-{}", to_hex(&d[..KEY_BYTES])),
    })
}

/// The store key of an artifact: [`of`] its checksum; when `Step::Package` or
/// `Step::Component` steps add packages to it (or `Step::PythonScripts` names an
/// interpreter), the sha256 of every checksum in order (each one checked first) and of that
/// interpreter, so that the directory names exactly what it holds.
pub fn of_artifact(artifact: &super::Artifact) -> Option<String> {
    let packages: Vec<&str> = artifact
        .post_install
        .iter()
        .filter_map(|s| match s {
            super::Step::Package { checksum, .. } | super::Step::Component { checksum, .. } => {
                Some(checksum.as_str())
            }
            _ => None,
        })
        .collect();
    // The interpreter a Python application's launchers name is part of what it holds.
    let python = artifact.post_install.iter().find_map(|s| match s {
        super::Step::PythonScripts { python } => Some(python.as_str()),
        _ => None,
    });
    let main = of(&artifact.checksum)?;
    if packages.is_empty() && python.is_none() {
        return Some(main);
    }
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for checksum in std::iter::once(artifact.checksum.as_str()).chain(packages) {
        of(checksum)?;
        hash.update(checksum.as_bytes());
        hash.update([0]);
    }
    if let Some(python) = python {
        hash.update(b"python_scripts\0");
        hash.update(python.as_bytes());
    }
    Some(format!("sha256-{}", to_hex(&hash.finalize()[..KEY_BYTES])))
}

/// Bytes of the digest kept in a key.
const KEY_BYTES: usize = 16;

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `name` has the shape of a store key (a directory of the tools bucket).
pub fn is_key(name: &str) -> bool {
    let hex =
        |h: &str, len: usize| h.len() == len && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    name.strip_prefix("sha256-").is_some_and(|h| hex(h, 2 * KEY_BYTES))
        || name.strip_prefix("sha512-").is_some_and(|h| hex(h, 2 * KEY_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_both_spellings() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let short = "sha256-e3b0c44298fc1c149afbf4c8996fb924";
        assert_eq!(of(&format!("sha256:{hex}")).unwrap(), short);
        assert_eq!(of(&hex.to_uppercase()).unwrap(), short);
        let sri =
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        let key = of(sri).unwrap();
        assert_eq!(key, "sha512-cf83e1357eefb8bdf1542850d66d8007");
        assert!(is_key(&key) && is_key(short) && !is_key(&format!("sha256-{hex}")));
        assert!(!is_key("sha256-xyz") && !is_key(".tmp-1") && !is_key("CACHEDIR.TAG"));
        assert_eq!(of("md5:00"), None);
    }

    #[test]
    fn packages_installed_into_an_artifact_change_its_key() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let mut artifact = crate::artifact::Artifact {
            url: "u".into(),
            checksum: format!("sha256:{hex}"),
            size: None,
            format: "tar.gz".into(),
            bin: vec![],
            post_install: vec![crate::artifact::Step::Chmod { path: "x".into() }],
            served_by: String::new(),
        };
        assert_eq!(artifact.key().unwrap(), "sha256-e3b0c44298fc1c149afbf4c8996fb924");
        let package = |checksum: &str| crate::artifact::Step::Package {
            name: "npm".into(),
            url: "u".into(),
            checksum: checksum.into(),
            into: "lib".into(),
        };
        artifact.post_install.push(package(&format!("sha256:{}", "ab".repeat(32))));
        let with = artifact.key().unwrap();
        assert!(is_key(&with) && with != "sha256-e3b0c44298fc1c149afbf4c8996fb924", "{with}");
        artifact.post_install[1] = package(&format!("sha256:{}", "cd".repeat(32)));
        assert_ne!(artifact.key().unwrap(), with);
        artifact.post_install[1] = package("not a checksum");
        assert_eq!(artifact.key(), None);
    }
}
