//! Checksums as upstreams publish them: sha256 in hex (SHASUMS files, release checksum
//! assets, PyPI) and npm's Subresource Integrity `sha512-<base64>`; and the hasher that
//! computes both while a download streams, so the bytes are read once. Here, below `http`
//! (which verifies downloads with them) and the store `key`; never does I/O.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256, Sha512};

use crate::ui::escaped;

/// A checksum string that is neither hex sha256/sha512 nor an SRI `sha512-<base64>`.
#[derive(Debug, thiserror::Error)]
#[error("`{}` is not a checksum (expected a sha256 in hex or `sha512-<base64>`)", escaped(value))]
pub struct BadChecksum {
    pub value: String,
}

impl crate::hint::Hint for BadChecksum {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        Some("write it as 64 hex digits (sha256) or `sha512-<base64>`".into())
    }
}

/// An expected or computed digest of an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Checksum {
    /// Shown as `sha256:<hex>`.
    Sha256([u8; 32]),
    /// Shown as `sha512-<base64>`, the form of npm's `dist.integrity`.
    Sha512([u8; 64]),
}

impl FromStr for Checksum {
    type Err = BadChecksum;

    /// Accepts `<64 hex>`, `<128 hex>`, `sha256:<hex>`, `sha512:<hex>`, `sha256-<base64>`,
    /// `sha512-<base64>`, and a space-separated SRI list (the strongest known one wins).
    fn from_str(value: &str) -> Result<Self, BadChecksum> {
        let bad = || BadChecksum { value: value.to_string() };
        let parsed: Vec<Checksum> = value.split_whitespace().filter_map(parse_one).collect();
        let strongest = parsed.iter().find(|c| matches!(c, Checksum::Sha512(_))).or(parsed.first());
        strongest.cloned().ok_or_else(bad)
    }
}

fn parse_one(token: &str) -> Option<Checksum> {
    let lower = token.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("sha256:").or_else(|| lower.strip_prefix("sha256=")) {
        return decode_hex(hex).and_then(|b| b.try_into().ok()).map(Checksum::Sha256);
    }
    if let Some(hex) = lower.strip_prefix("sha512:").or_else(|| lower.strip_prefix("sha512=")) {
        return decode_hex(hex).and_then(|b| b.try_into().ok()).map(Checksum::Sha512);
    }
    if let Some(b64) = token.strip_prefix("sha256-") {
        return STANDARD.decode(b64).ok().and_then(|b| b.try_into().ok()).map(Checksum::Sha256);
    }
    if let Some(b64) = token.strip_prefix("sha512-") {
        return STANDARD.decode(b64).ok().and_then(|b| b.try_into().ok()).map(Checksum::Sha512);
    }
    let bytes = decode_hex(&lower)?;
    match bytes.len() {
        32 => bytes.try_into().ok().map(Checksum::Sha256),
        64 => bytes.try_into().ok().map(Checksum::Sha512),
        _ => None,
    }
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect()
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Checksum {
    /// `sha256` or `sha512`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Checksum::Sha256(_) => "sha256",
            Checksum::Sha512(_) => "sha512",
        }
    }

    /// The digest in lowercase hex.
    pub fn hex(&self) -> String {
        match self {
            Checksum::Sha256(d) => to_hex(d),
            Checksum::Sha512(d) => to_hex(d),
        }
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Checksum::Sha256(d) => write!(f, "sha256:{}", to_hex(d)),
            Checksum::Sha512(d) => write!(f, "sha512-{}", STANDARD.encode(d)),
        }
    }
}

/// One digest computed while streaming: sha512 for npm's integrity, sha256 otherwise.
pub enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    /// The hasher that checks `expected`: the same algorithm.
    pub fn for_checksum(expected: &Checksum) -> Hasher {
        Hasher::new(matches!(expected, Checksum::Sha512(_)))
    }

    pub fn new(sha512: bool) -> Hasher {
        if sha512 { Hasher::Sha512(Sha512::new()) } else { Hasher::Sha256(Sha256::new()) }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> Checksum {
        match self {
            Hasher::Sha256(h) => Checksum::Sha256(h.finalize().into()),
            Hasher::Sha512(h) => Checksum::Sha512(h.finalize().into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const ABC512: &str =
        "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";

    fn digests(data: &[u8]) -> (Checksum, Checksum) {
        let digest = |sha512| {
            let mut h = Hasher::new(sha512);
            h.update(data);
            h.finish()
        };
        (digest(false), digest(true))
    }

    #[test]
    fn parses_hex_and_integrity_forms() {
        let (sha256, sha512) = digests(b"abc");
        assert_eq!(ABC256.parse::<Checksum>().unwrap(), sha256);
        assert_eq!(format!("sha256:{}", ABC256.to_uppercase()).parse::<Checksum>().unwrap(), sha256);
        assert_eq!(ABC512.parse::<Checksum>().unwrap(), sha512);
        assert_eq!(
            format!("sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0= {ABC512}").parse::<Checksum>().unwrap(),
            sha512
        );
        let Checksum::Sha512(bytes) = &sha512 else { unreachable!() };
        assert_eq!(to_hex(bytes).parse::<Checksum>().unwrap(), sha512);
        assert_eq!(sha256.to_string(), format!("sha256:{ABC256}"));
        assert_eq!(sha512.to_string(), ABC512);
    }

    #[test]
    fn rejects_what_is_not_a_checksum() {
        for bad in
            ["", "abc", "sha256:xyz", "sha512-notbase64!", "sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0=", &ABC256[2..]]
        {
            let err = bad.parse::<Checksum>().unwrap_err();
            assert_eq!(err.value, bad, "{err}");
        }
    }
}
