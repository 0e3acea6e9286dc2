//! Real-world version strings (`22.11.0`, `1.22`, `v1.7.1`, `jq-1.7.1`, `go1.25rc1`,
//! `bun-v1.1.38`, `3.12.7+20241016`, `2025-08-25`) parsed into comparable parts, ordered
//! the way a person expects: numeric components numerically, a pre-release before its
//! release. The original string is kept, because it is what an upstream URL needs.
//!
//! Why not a crate: `semver` rejects half of these strings, and the `versions` crate parses
//! tags such as `go1.23.4` or `jq-1.7.1` as opaque "messes" whose order is not numeric, and
//! its requirements cannot express the comparison lists or prefixes den.toml accepts. The
//! rules here are small and fully tested. This module never does I/O.

mod spec;

#[cfg(test)]
pub use spec::best;
pub use spec::{Comparator, Op, Prereleases, SpecError, VersionSpec, best_with};

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// A parsed version. Equality and order use the parsed parts, then the original string
/// as a last tie-break (so `v1.7.1` and `1.7.1` sort together but stay distinct).
#[derive(Debug, Clone)]
pub struct Version {
    raw: String,
    /// Byte offset in `raw` where the version proper starts (after `v`, `jq-`, `go`, ...).
    start: usize,
    nums: Vec<u64>,
    pre: Vec<Ident>,
    build: Vec<Ident>,
}

/// One dot-, dash- or letter/digit-separated piece of a pre-release or build tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ident {
    Num(u64),
    Word(String),
}

/// A string that is not a version at all (`nightly`, `latest`, `1..2`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a version: {reason}")]
pub struct VersionError {
    pub input: String,
    pub reason: &'static str,
}

impl crate::hint::Hint for VersionError {
    /// What the user should do next.
    fn hint(&self) -> Option<String> {
        Some(
            "a version is numbers separated by dots, optionally with a prefix such as `v` and a \
              pre-release such as `-rc.1` (e.g. `22.11.0`, `v1.7.1`, `1.25rc1`)"
                .into(),
        )
    }
}

/// The input is quoted with its control characters escaped (one-line, terminal-safe).
fn err(input: &str, reason: &'static str) -> VersionError {
    VersionError { input: crate::diag::printable(input).into_owned(), reason }
}

impl Version {
    /// Parses a version or release tag; any prefix without digits (`v`, `jq-`, `go`,
    /// `@biomejs/biome@`) is skipped and remembered.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let raw = input.trim();
        let start = raw.find(|c: char| c.is_ascii_digit()).ok_or_else(|| err(raw, "it has no digits"))?;
        let prefix = &raw[..start];
        if !prefix.chars().all(|c| c.is_ascii_alphabetic() || "-_/@.".contains(c)) {
            return Err(err(raw, "its prefix holds characters other than letters and `-_/@.`"));
        }
        let bytes = raw.as_bytes();
        let mut i = start;
        let mut nums = vec![read_num(raw, &mut i)?];
        // `2025-08-25` (rust-analyzer's tags): a date written with dashes.
        if i - start == 4 && is_date_tail(&bytes[i..]) {
            for _ in 0..2 {
                i += 1;
                nums.push(read_num(raw, &mut i)?);
            }
        }
        while i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
            i += 1;
            nums.push(read_num(raw, &mut i)?);
        }
        let rest = &raw[i..];
        let (pre_part, build_part) = match rest.split_once('+') {
            Some((pre, build)) => (pre, Some(build)),
            None => (rest, None),
        };
        let pre = match pre_part.strip_prefix(['-', '.', '_']).unwrap_or(pre_part) {
            "" if pre_part.is_empty() => Vec::new(),
            "" => return Err(err(raw, "it ends with a separator")),
            text if text.starts_with(|c: char| c.is_ascii_alphabetic()) || pre_part != text => {
                idents(raw, text)?
            }
            _ => return Err(err(raw, "its numbers are not separated by single dots")),
        };
        let build = match build_part {
            None => Vec::new(),
            Some("") => return Err(err(raw, "it ends with `+`")),
            Some(text) => idents(raw, text)?,
        };
        Ok(Version { raw: raw.to_string(), start, nums, pre, build })
    }

    /// The string as it was given (`jq-1.7.1`).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The version without its prefix (`1.7.1` for `jq-1.7.1`): what `{version}` renders.
    pub fn bare(&self) -> &str {
        &self.raw[self.start..]
    }

    /// Whether the bare version starts with `prefix` (a leading `v` ignored) at a component
    /// boundary: `1.7` takes `1.7.1`, not `1.70.0` (`den ls-remote tool 1.7`).
    pub fn has_prefix(&self, prefix: &str) -> bool {
        let prefix = prefix.trim_start_matches('v');
        match self.bare().strip_prefix(prefix) {
            Some(rest) => {
                prefix.is_empty()
                    || !prefix.ends_with(|c: char| c.is_ascii_digit())
                    || !rest.starts_with(|c: char| c.is_ascii_digit())
            }
            None => false,
        }
    }

    /// The prefix before the first digit (`jq-`, `v`, `go`, or empty).
    pub fn prefix(&self) -> &str {
        &self.raw[..self.start]
    }

    /// The numeric components (`[1, 22, 3]`).
    pub fn components(&self) -> &[u64] {
        &self.nums
    }

    /// True for `-beta.17`, `rc1`, `-alpha`: never chosen unless a spec names one.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// True when the version carries `+build` metadata (`3.12.7+20241016`).
    pub fn has_build(&self) -> bool {
        !self.build.is_empty()
    }

    pub(super) fn pre(&self) -> &[Ident] {
        &self.pre
    }

    pub(super) fn build(&self) -> &[Ident] {
        &self.build
    }
}

fn read_num(raw: &str, i: &mut usize) -> Result<u64, VersionError> {
    let digits = raw[*i..].bytes().take_while(u8::is_ascii_digit).count();
    let n = raw[*i..*i + digits].parse().map_err(|_| err(raw, "a number in it is too large"))?;
    *i += digits;
    Ok(n)
}

fn is_date_tail(b: &[u8]) -> bool {
    b.len() >= 6
        && b[0] == b'-'
        && b[1..3].iter().all(u8::is_ascii_digit)
        && b[3] == b'-'
        && b[4..6].iter().all(u8::is_ascii_digit)
        && b.get(6).is_none_or(|c| !c.is_ascii_digit())
}

/// Splits `beta.17`, `rc1`, `alpha20240807` into words and numbers.
fn idents(raw: &str, text: &str) -> Result<Vec<Ident>, VersionError> {
    if !text.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c)) {
        return Err(err(raw, "its pre-release or build part holds unexpected characters"));
    }
    let mut out = Vec::new();
    for piece in text.split(['.', '-', '_']) {
        if piece.is_empty() {
            return Err(err(raw, "its pre-release or build part has an empty piece"));
        }
        let mut rest = piece;
        while !rest.is_empty() {
            let digit = rest.starts_with(|c: char| c.is_ascii_digit());
            let len = rest.find(|c: char| c.is_ascii_digit() != digit).unwrap_or(rest.len());
            let (head, tail) = rest.split_at(len);
            out.push(if digit {
                Ident::Num(head.parse().map_err(|_| err(raw, "a number in it is too large"))?)
            } else {
                Ident::Word(head.to_ascii_lowercase())
            });
            rest = tail;
        }
    }
    Ok(out)
}

/// Where a pre-release word sits among the usual stages; unknown words come last.
fn stage(word: &str) -> u8 {
    match word {
        "dev" | "snapshot" | "nightly" => 0,
        "a" | "alpha" => 1,
        "b" | "beta" => 2,
        "pre" | "preview" => 3,
        "c" | "rc" => 4,
        _ => 5,
    }
}

impl Ord for Ident {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Ident::Num(a), Ident::Num(b)) => a.cmp(b),
            (Ident::Num(_), Ident::Word(_)) => Ordering::Less,
            (Ident::Word(_), Ident::Num(_)) => Ordering::Greater,
            (Ident::Word(a), Ident::Word(b)) => stage(a).cmp(&stage(b)).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Ident {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares numeric components as if the shorter list were padded with zeros.
pub(super) fn cmp_nums(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Pre-release order: a release (no pre-release) is newer than any of its pre-releases.
pub(super) fn cmp_pre(a: &[Ident], b: &[Ident]) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.cmp(b),
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_nums(&self.nums, &other.nums)
            .then_with(|| cmp_pre(&self.pre, &other.pre))
            .then_with(|| self.build.cmp(&other.build))
            .then_with(|| self.nums.len().cmp(&other.nums.len()))
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Eq for Version {}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_tests;
