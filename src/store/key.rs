//! Store keys: an artifact's checksum made path-safe (`sha256-<hex>`, `sha512-<hex>`), so
//! the same artifact has one directory whichever source or spelling of its checksum asked.

use std::str::FromStr;

use super::http::Checksum;

/// The store key of a checksum text as den.lock records it (`sha256:<hex>`,
/// `sha512-<base64>`, ...); `None` when it is not a checksum.
pub fn of(checksum: &str) -> Option<String> {
    Some(match Checksum::from_str(checksum).ok()? {
        Checksum::Sha256(d) => format!("sha256-{}", to_hex(&d)),
        Checksum::Sha512(d) => format!("sha512-{}", to_hex(&d)),
    })
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `name` has the shape of a store key (a directory of the tools bucket).
pub fn is_key(name: &str) -> bool {
    let hex =
        |h: &str, len: usize| h.len() == len && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    name.strip_prefix("sha256-").is_some_and(|h| hex(h, 64))
        || name.strip_prefix("sha512-").is_some_and(|h| hex(h, 128))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_both_spellings() {
        let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(of(&format!("sha256:{hex}")).unwrap(), format!("sha256-{hex}"));
        assert_eq!(of(&hex.to_uppercase()).unwrap(), format!("sha256-{hex}"));
        let sri =
            "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==";
        let key = of(sri).unwrap();
        assert!(key.starts_with("sha512-cf83e1357eefb8bd"), "{key}");
        assert!(is_key(&key) && is_key(&format!("sha256-{hex}")));
        assert!(!is_key("sha256-xyz") && !is_key(".tmp-1") && !is_key("CACHEDIR.TAG"));
        assert_eq!(of("md5:00"), None);
    }
}
