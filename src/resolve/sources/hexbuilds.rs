//! Hex's builds (bob): a directory per build family (`builds/otp/<arch>/ubuntu-22.04`,
//! `builds/elixir`) holding `builds.txt`, one build a line, `<name> <git ref> <date>
//! <sha256>`, and each build's archive beside it: Erlang/OTP's `OTP-27.1.2.tar.gz`,
//! Elixir's precompiled `v1.17.3-otp-27.zip` (one per OTP major it supports).
//!
//! den's versions: `OTP-<v>` is `<v>`; `v<v>-otp-<major>` is `<v>+otp-<major>` (build
//! metadata, so `1.17.3` takes the newest OTP's build and `1.17.3+otp-26` names one).
//! Branch builds (`master`, `maint-27`, `main`), lines without a sha256 and anything
//! else are not versions. Read as hostile input; only reads through [`Fetch`].

use super::{Entry, Fetch};
use crate::resolve::error::Error;
use crate::version::Version;

/// Lines read at most (the OTP list has about 700, Elixir's about 1500).
const MAX_LINES: usize = 20_000;

/// One build directory (the catalog's, rendered for the target, or a `[mirrors]`
/// rewrite of it).
pub struct HexBuilds<'a> {
    pub fetch: &'a Fetch,
    /// The directory's URL, without the trailing `/`.
    pub base: &'a str,
}

/// One build's archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub version: Version,
    pub url: String,
    /// `OTP-27.1.2.tar.gz`, `v1.17.3-otp-27.zip`.
    pub file: String,
    /// Lowercase hex.
    pub sha256: String,
}

impl HexBuilds<'_> {
    /// Every build that is a version.
    pub fn versions(&self) -> Result<Vec<Entry>, Error> {
        Ok(self.builds()?.into_iter().map(|b| Entry::plain(b.version)).collect())
    }

    /// The build of `version`, when listed.
    pub fn build(&self, version: &Version) -> Result<Option<Build>, Error> {
        Ok(self.builds()?.into_iter().find(|b| b.version.as_str() == version.as_str()))
    }

    fn builds(&self) -> Result<Vec<Build>, Error> {
        let url = format!("{}/builds.txt", self.base);
        let text = self.fetch.list(&self.fetch.client, &url)?;
        Ok(text.lines().take(MAX_LINES).filter_map(|line| parse_line(self.base, line)).collect())
    }
}

/// One line of `builds.txt` as a build, when it is a release with a sha256.
fn parse_line(base: &str, line: &str) -> Option<Build> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [name, _git_ref, _date, sha256] = words[..] else { return None };
    let sha256 = sha256.to_ascii_lowercase();
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (version, file) = if let Some(v) = name.strip_prefix("OTP-") {
        (v.to_string(), format!("{name}.tar.gz"))
    } else {
        let (v, major) = name.strip_prefix('v')?.split_once("-otp-")?;
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        (format!("{v}+otp-{major}"), format!("{name}.zip"))
    };
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._+-".contains(&b));
    if !plain(&version) || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let version = Version::parse(&version).ok()?;
    Some(Build { version, url: format!("{base}/{file}"), file, sha256 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF";

    #[test]
    fn releases_with_a_sha256_are_versions() {
        let base = "https://b.invalid/builds/otp/amd64/ubuntu-22.04";
        let otp = parse_line(base, &format!("OTP-27.1.2 a1b2 2024-10-17T10:00:00Z {SHA}")).unwrap();
        assert_eq!(otp.version.as_str(), "27.1.2");
        assert_eq!(otp.url, format!("{base}/OTP-27.1.2.tar.gz"));
        assert_eq!(otp.sha256, SHA.to_ascii_lowercase());
        let ex = parse_line(
            "https://b.invalid/builds/elixir",
            &format!("v1.17.3-otp-27 c3d4 2024-09-18T12:00:00Z {SHA}"),
        )
        .unwrap();
        assert_eq!((ex.version.as_str(), ex.file.as_str()), ("1.17.3+otp-27", "v1.17.3-otp-27.zip"));
        let rc = parse_line(base, &format!("OTP-28.0-rc1 e5 2025-02-01T00:00:00Z {SHA}")).unwrap();
        assert!(rc.version.is_prerelease());
        for bad in [
            format!("master a 2024-10-17T10:00:00Z {SHA}"),
            format!("maint-27 a 2024-10-17T10:00:00Z {SHA}"),
            "OTP-27.1.2 a 2024-10-17T10:00:00Z".to_string(),
            "OTP-27.1.2 a 2024-10-17T10:00:00Z 1234".to_string(),
            format!("OTP-../../x a 2024-10-17T10:00:00Z {SHA}"),
            format!("v1.17.3-otp- a 2024-10-17T10:00:00Z {SHA}"),
            format!("v1.17.3 a 2024-10-17T10:00:00Z {SHA}"),
        ] {
            assert_eq!(parse_line(base, &bad), None, "{bad}");
        }
    }
}
