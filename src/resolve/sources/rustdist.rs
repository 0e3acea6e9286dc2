//! The Rust project's dist server: one channel manifest per release
//! (`dist/channel-rust-<channel>.toml`, channel `stable`, `1.83` or `1.83.0`), TOML naming
//! the release (`[pkg.rustc] version = "1.83.0 (90b35a623 2024-11-26)"`) and, per package
//! and target triple, a tarball with its sha256 (`[pkg.cargo.target.<triple>]`, `xz_url`
//! and `xz_hash`, else `url` and `hash`). den's versions of `rust` are release versions;
//! a toolchain is the components [`REQUIRED`] plus those of [`OPTIONAL`] the release has.
//!
//! Read as hostile input: a package whose hash is not a sha256 or whose URL is not http(s)
//! is not offered. Only reads through [`Fetch`]; never downloads an artifact.

use super::{Entry, Fetch};
use crate::resolve::error::Error;
use crate::version::{Version, VersionSpec};

/// The components every toolchain den installs has, the first one the toolchain's root
/// (rustup's `minimal` profile).
pub const REQUIRED: &[&str] = &["rustc", "cargo", "rust-std"];
/// The components installed when the release has them for the target (rustup's `default`
/// profile but the documentation): their manifest names.
pub const OPTIONAL: &[&str] = &["rustfmt-preview", "clippy-preview"];

/// One dist server (the catalog's, or a `[mirrors]` rewrite of it).
pub struct RustDist<'a> {
    pub fetch: &'a Fetch,
    /// The server's base URL, without the trailing `/` (holding `dist/`).
    pub base: &'a str,
}

/// One component's tarball for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its package name in the manifest (`rust-std`, `clippy-preview`).
    pub name: String,
    pub url: String,
    /// The file name (`cargo-1.83.0-x86_64-unknown-linux-gnu.tar.xz`).
    pub file: String,
    /// Lowercase hex.
    pub sha256: String,
}

impl RustDist<'_> {
    /// The release the manifest of the channel a spec names holds: `1.83.0` reads
    /// `channel-rust-1.83.0.toml`, `1.83` (or `~1.83`) `channel-rust-1.83.toml`, anything
    /// else the `stable` channel's. A channel the server does not have lists nothing.
    pub fn versions(&self, spec: Option<&VersionSpec>) -> Result<Vec<Entry>, Error> {
        let channel = match spec {
            Some(VersionSpec::Exact(v) | VersionSpec::Prefix(v) | VersionSpec::Tilde(v))
                if v.components().len() >= 2
                    && v.as_str().bytes().all(|b| b.is_ascii_digit() || b == b'.') =>
            {
                v.components().iter().map(u64::to_string).collect::<Vec<_>>().join(".")
            }
            _ => "stable".to_string(),
        };
        let Some(doc) = self.manifest(&channel)? else { return Ok(Vec::new()) };
        Ok(release(&doc).map(Entry::plain).into_iter().collect())
    }

    /// The tarballs of release `version`'s toolchain for `triple`, its root (`rustc`)
    /// first; `None` when the release lacks a required component for it.
    pub fn components(&self, version: &Version, triple: &str) -> Result<Option<Vec<Component>>, Error> {
        let Some(doc) = self.manifest(version.bare())? else { return Ok(None) };
        if release(&doc).as_ref() != Some(version) {
            return Ok(None);
        }
        let mut found = Vec::new();
        for name in REQUIRED {
            match component(&doc, name, triple) {
                Some(c) => found.push(c),
                None => return Ok(None),
            }
        }
        found.extend(OPTIONAL.iter().filter_map(|name| component(&doc, name, triple)));
        Ok(Some(found))
    }

    /// The manifest of `channel`, `None` when the server has none.
    fn manifest(&self, channel: &str) -> Result<Option<toml::Table>, Error> {
        let url = format!("{}/dist/channel-rust-{channel}.toml", self.base);
        let text = match self.fetch.list(&self.fetch.client, &url) {
            Ok(text) => text,
            Err(crate::http::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let doc: toml::Table = text
            .parse()
            .map_err(|e| Error::BadIndex { url: url.clone(), reason: format!("bad TOML: {e}") })?;
        Ok(Some(doc))
    }
}

/// The release a manifest is of: the first word of `pkg.rustc.version`.
fn release(doc: &toml::Table) -> Option<Version> {
    let text = doc.get("pkg")?.get("rustc")?.get("version")?.as_str()?;
    let word = text.split_whitespace().next()?;
    word.bytes().all(|b| b.is_ascii_digit() || b == b'.').then(|| Version::parse(word).ok())?
}

/// Package `name`'s tarball for `triple` (`rust-std` and the others per target), the xz one
/// when listed; `None` when it is not available or not usable.
fn component(doc: &toml::Table, name: &str, triple: &str) -> Option<Component> {
    let target = doc.get("pkg")?.get(name)?.get("target")?.get(triple)?;
    if target.get("available").and_then(toml::Value::as_bool) != Some(true) {
        return None;
    }
    let field = |k: &str| target.get(k).and_then(toml::Value::as_str);
    let (url, hash) = match (field("xz_url"), field("xz_hash")) {
        (Some(url), Some(hash)) => (url, hash),
        _ => (field("url")?, field("hash")?),
    };
    let sha256 = hash.to_ascii_lowercase();
    let good_hash = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
    let good_url = url.starts_with("https://") || url.starts_with("http://");
    let file = url.rsplit('/').next()?.to_string();
    let good_file = !file.is_empty()
        && (file.ends_with(".tar.xz") || file.ends_with(".tar.gz"))
        && file.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    (good_hash && good_url && good_file).then(|| Component {
        name: name.to_string(),
        url: url.to_string(),
        file,
        sha256,
    })
}

/// A tarball's top directory, as the dist server names it: its file name without the
/// archive suffix (`rustc-1.83.0-x86_64-unknown-linux-gnu`).
pub fn top_dir(file: &str) -> &str {
    file.strip_suffix(".tar.xz").or_else(|| file.strip_suffix(".tar.gz")).unwrap_or(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
manifest-version = "2"
date = "2024-11-28"
[pkg.cargo]
version = "0.84.0 (66221abde 2024-11-19)"
[pkg.cargo.target.x86_64-unknown-linux-gnu]
available = true
url = "https://dist.invalid/dist/2024-11-28/cargo-1.83.0-x86_64-unknown-linux-gnu.tar.gz"
hash = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
[pkg.rustc]
version = "1.83.0 (90b35a623 2024-11-26)"
[pkg.rustc.target.x86_64-unknown-linux-gnu]
available = true
url = "https://dist.invalid/dist/2024-11-28/rustc-1.83.0-x86_64-unknown-linux-gnu.tar.gz"
hash = "1111111111111111111111111111111111111111111111111111111111111111"
xz_url = "https://dist.invalid/dist/2024-11-28/rustc-1.83.0-x86_64-unknown-linux-gnu.tar.xz"
xz_hash = "2222222222222222222222222222222222222222222222222222222222222222"
[pkg.rust-std.target.x86_64-unknown-linux-gnu]
available = true
xz_url = "file:///etc/rust-std.tar.xz"
xz_hash = "3333333333333333333333333333333333333333333333333333333333333333"
[pkg.clippy-preview.target.x86_64-unknown-linux-gnu]
available = false
[pkg.rustfmt-preview.target.x86_64-unknown-linux-gnu]
available = true
xz_url = "https://dist.invalid/dist/2024-11-28/rustfmt-1.83.0-x86_64-unknown-linux-gnu.tar.xz"
xz_hash = "12"
"#;

    #[test]
    fn the_xz_tarball_with_a_sha256_is_chosen_and_others_refused() {
        let doc: toml::Table = MANIFEST.parse().unwrap();
        assert_eq!(release(&doc), Version::parse("1.83.0").ok());
        let rustc = component(&doc, "rustc", "x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(rustc.file, "rustc-1.83.0-x86_64-unknown-linux-gnu.tar.xz");
        assert_eq!(rustc.sha256, "2".repeat(64));
        assert_eq!(top_dir(&rustc.file), "rustc-1.83.0-x86_64-unknown-linux-gnu");
        // No xz: the gzip one, its hash lowercased.
        let cargo = component(&doc, "cargo", "x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(cargo.sha256, "a".repeat(64));
        // Not http(s), not available, a short hash, another target.
        assert_eq!(component(&doc, "rust-std", "x86_64-unknown-linux-gnu"), None);
        assert_eq!(component(&doc, "clippy-preview", "x86_64-unknown-linux-gnu"), None);
        assert_eq!(component(&doc, "rustfmt-preview", "x86_64-unknown-linux-gnu"), None);
        assert_eq!(component(&doc, "rustc", "aarch64-apple-darwin"), None);
    }

    #[test]
    fn a_release_is_a_plain_version() {
        let doc: toml::Table =
            "[pkg.rustc]\nversion = \"1.85.0-nightly (abc 2024-12-01)\"\n".parse().unwrap();
        assert_eq!(release(&doc), None);
    }
}
