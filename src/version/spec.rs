//! Version specs as written in den.toml (`22`, `22.11.0`, `^1.2`, `~3.12`, `>=1.20, <1.23`,
//! `latest`, `lts`) and the choice of the newest version a spec accepts. Named aliases
//! (`lts`) are only recognised here; their meaning comes from the tool's catalog entry and
//! is resolved by the caller. This module never does I/O.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Ident, Version, cmp_nums, cmp_pre};

/// A parsed version spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    /// `latest` (also `*`): the newest release.
    Latest,
    /// `22.11.0`, `1.25rc1`, `3.12.7+20241016`: that version (build metadata, when the spec
    /// leaves it out, is free: `3.12.7` takes the newest `3.12.7+<build>`).
    Exact(Version),
    /// `22`, `22.11`, `22.x`: the newest version whose leading components are these.
    Prefix(Version),
    /// `^1.2`: compatible versions (the first non-zero component is fixed).
    Caret(Version),
    /// `~3.12`: the same minor line (`~3` the same major line).
    Tilde(Version),
    /// `>=1.20, <1.23`: every comparator holds.
    Range(Vec<Comparator>),
    /// A name the tool's catalog entry defines (`lts`), resolved by the caller.
    Alias(String),
}

/// One `<op><version>` of a comparison list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparator {
    pub op: Op,
    pub version: Version,
}

/// A comparison operator. Partial versions follow cargo and npm: `>1` means `>=2.0.0`,
/// `<=1.2` means `<1.3.0`, `=1.2` means any `1.2.x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

/// How pre-release versions take part in matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prereleases {
    /// Only when the spec itself names a pre-release (`1.25rc1`, `>=18.0.0-beta.1`).
    #[default]
    OnlyWhenNamed,
    /// The upstream publishes nothing but pre-release-tagged versions
    /// (`@embedded-postgres/*`: `18.4.0-beta.17`): the tag is ignored for matching, so `18`
    /// or `18.4.0` take the newest `18.4.0-beta.N`.
    AsReleases,
}

/// A spec den cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version spec `{spec}`: {reason}")]
pub struct SpecError {
    pub spec: String,
    pub reason: String,
}

impl crate::hint::Hint for SpecError {
    /// What the user should do next: the accepted forms.
    fn hint(&self) -> Option<String> {
        Some(
            "write `22.11.0` (exact), `22` or `22.11` (newest matching), `^1.2`, `~3.12`, \
             `>=1.20, <1.23`, `latest`, or a name the tool defines such as `lts`"
                .into(),
        )
    }
}

/// Both parts quote the spec as a repository wrote it: control characters are escaped, so
/// the message stays one line and cannot drive the terminal.
fn spec_err(spec: &str, reason: impl Into<String>) -> SpecError {
    use crate::diag::printable;
    SpecError { spec: printable(spec).into_owned(), reason: printable(&reason.into()).into_owned() }
}

impl VersionSpec {
    /// Parses a den.toml version string.
    pub fn parse(input: &str) -> Result<VersionSpec, SpecError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(spec_err(input, "it is empty"));
        }
        if text == "latest" || text == "*" {
            return Ok(VersionSpec::Latest);
        }
        if text.contains("||") {
            return Err(spec_err(input, "den takes one range, not alternatives joined with `||`"));
        }
        // nvm's "newest LTS line" (`lts/<codename>` and `lts/<major>` are plain names).
        if text == "lts/*" {
            return Ok(VersionSpec::Alias(text.to_string()));
        }
        if let Some(rest) = text.strip_prefix('^') {
            return Ok(VersionSpec::Caret(plain_version(input, rest)?));
        }
        if let Some(rest) = text.strip_prefix('~') {
            return Ok(VersionSpec::Tilde(plain_version(input, rest)?));
        }
        if text.contains(['<', '>', '=', ',']) || text.split_whitespace().count() > 1 {
            return parse_range(input, text).map(VersionSpec::Range);
        }
        if text.starts_with(|c: char| c.is_ascii_digit()) || is_v_version(text) {
            return Ok(classify(plain_version(input, text)?));
        }
        // A copied release tag (`jq-1.7.1`, `go1.23.4`) is a version, a word is an alias.
        if let Ok(version) = Version::parse(text)
            && version.components().len() >= 2
        {
            return Ok(classify(version));
        }
        if text.starts_with(|c: char| c.is_ascii_alphabetic())
            && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        {
            return Ok(VersionSpec::Alias(text.to_string()));
        }
        Err(spec_err(input, "it is neither a version, a range nor a name"))
    }

    /// True when the spec names a pre-release, which lets pre-releases match.
    pub fn names_prerelease(&self) -> bool {
        match self {
            VersionSpec::Exact(v)
            | VersionSpec::Prefix(v)
            | VersionSpec::Caret(v)
            | VersionSpec::Tilde(v) => v.is_prerelease(),
            VersionSpec::Range(list) => list.iter().any(|c| c.version.is_prerelease()),
            VersionSpec::Latest | VersionSpec::Alias(_) => false,
        }
    }

    /// Whether `version` satisfies the spec (an alias matches nothing: resolve it first).
    pub fn matches(&self, version: &Version) -> bool {
        self.matches_with(version, Prereleases::OnlyWhenNamed)
    }

    /// [`matches`](Self::matches) with an explicit pre-release policy.
    pub fn matches_with(&self, version: &Version, pre: Prereleases) -> bool {
        let loose = pre == Prereleases::AsReleases;
        if version.is_prerelease() && !loose && !self.names_prerelease() {
            return false;
        }
        let key = Key::of(version, loose);
        match self {
            VersionSpec::Latest => true,
            VersionSpec::Alias(_) => false,
            VersionSpec::Exact(s) => same_release(s, version, loose, version.components().len()),
            VersionSpec::Prefix(s) => same_release(s, version, loose, s.components().len()),
            VersionSpec::Caret(s) => key.ge(s) && key.lt_nums(&caret_upper(s.components())),
            VersionSpec::Tilde(s) => key.ge(s) && key.lt_nums(&tilde_upper(s.components())),
            VersionSpec::Range(list) => list.iter().all(|c| c.holds(version, loose)),
        }
    }
}

#[cfg(test)]
/// The newest version the spec accepts (pre-releases only when the spec names one).
pub fn best<'a>(spec: &VersionSpec, versions: impl IntoIterator<Item = &'a Version>) -> Option<&'a Version> {
    best_with(spec, versions, Prereleases::OnlyWhenNamed)
}

/// [`best`] with an explicit pre-release policy (see [`Prereleases`]).
pub fn best_with<'a>(
    spec: &VersionSpec,
    versions: impl IntoIterator<Item = &'a Version>,
    pre: Prereleases,
) -> Option<&'a Version> {
    versions.into_iter().filter(|v| spec.matches_with(v, pre)).max()
}

/// `version` read for comparisons: its numbers, and its pre-release unless ignored.
struct Key<'a> {
    nums: &'a [u64],
    pre: &'a [Ident],
}

impl<'a> Key<'a> {
    fn of(v: &'a Version, loose: bool) -> Self {
        Key { nums: v.components(), pre: if loose { &[] } else { v.pre() } }
    }

    fn cmp(&self, other: &Version) -> Ordering {
        cmp_nums(self.nums, other.components()).then_with(|| cmp_pre(self.pre, other.pre()))
    }

    fn ge(&self, other: &Version) -> bool {
        self.cmp(other).is_ge()
    }

    /// Strictly below a bare upper bound; a pre-release of the bound itself is not below it
    /// (`^1.2` must not take `2.0.0-rc1`).
    fn lt_nums(&self, upper: &[u64]) -> bool {
        cmp_nums(self.nums, upper).is_lt()
    }
}

/// Leading `n` components equal, same pre-release (unless `loose`), same build if named.
fn same_release(spec: &Version, v: &Version, loose: bool, n: usize) -> bool {
    let n = n.max(spec.components().len());
    let padded = |nums: &[u64]| (0..n).map(|i| nums.get(i).copied().unwrap_or(0)).collect::<Vec<_>>();
    padded(spec.components()) == padded(v.components())
        && (spec.pre() == v.pre() || (loose && !spec.is_prerelease()))
        && (!spec.has_build() || spec.build() == v.build())
}

/// `^1.2.3` → `2`, `^0.2.3` → `0.3`, `^0.0.3` → `0.0.4`, `^0` → `1`.
fn caret_upper(nums: &[u64]) -> Vec<u64> {
    let at = nums.iter().position(|&n| n != 0).unwrap_or(nums.len() - 1);
    bump(nums, at)
}

/// `~1.2.3` → `1.3`, `~1.2` → `1.3`, `~1` → `2`.
fn tilde_upper(nums: &[u64]) -> Vec<u64> {
    bump(nums, if nums.len() >= 2 { 1 } else { 0 })
}

fn bump(nums: &[u64], at: usize) -> Vec<u64> {
    let mut out = nums[..=at].to_vec();
    out[at] = out[at].saturating_add(1);
    out
}

impl Comparator {
    fn holds(&self, v: &Version, loose: bool) -> bool {
        let s = &self.version;
        let key = Key::of(v, loose);
        let partial = s.components().len() < 3 && !s.is_prerelease();
        match self.op {
            Op::Eq => same_release(s, v, loose, s.components().len()),
            Op::Ge => key.ge(s),
            Op::Lt => key.cmp(s).is_lt(),
            Op::Gt if partial => !key.lt_nums(&bump(s.components(), s.components().len() - 1)),
            Op::Gt => key.cmp(s).is_gt(),
            Op::Le if partial => key.lt_nums(&bump(s.components(), s.components().len() - 1)),
            Op::Le => key.cmp(s).is_le(),
        }
    }
}

fn is_v_version(text: &str) -> bool {
    text.strip_prefix(['v', 'V']).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// A version with at most a `v` prefix; trailing `.x` / `.*` wildcards are dropped.
fn plain_version(input: &str, text: &str) -> Result<Version, SpecError> {
    let text = text.trim();
    let mut trimmed = text;
    while let Some(rest) = trimmed.strip_suffix(".x").or_else(|| trimmed.strip_suffix(".*")) {
        trimmed = rest;
    }
    if trimmed.is_empty() {
        return Err(spec_err(input, "no version follows the operator"));
    }
    let version = Version::parse(trimmed).map_err(|e| spec_err(input, e.to_string()))?;
    if !version.prefix().is_empty() && !is_v_version(trimmed) {
        return Err(spec_err(input, format!("`{text}` does not start with a number")));
    }
    Ok(version)
}

fn classify(version: Version) -> VersionSpec {
    if version.components().len() >= 3 || version.is_prerelease() || version.has_build() {
        VersionSpec::Exact(version)
    } else {
        VersionSpec::Prefix(version)
    }
}

/// `>=1.20, <1.23`, `>=1.20 <1.23`, `>= 1.20`, `=1.2`.
fn parse_range(input: &str, text: &str) -> Result<Vec<Comparator>, SpecError> {
    let mut tokens = text.split([',', ' ', '\t']).filter(|t| !t.is_empty()).peekable();
    let mut out = Vec::new();
    while let Some(token) = tokens.next() {
        let op_len = token.find(|c: char| !"<>=".contains(c)).unwrap_or(token.len());
        let (op_text, mut rest) = token.split_at(op_len);
        let op = match op_text {
            "" | "=" | "==" => Op::Eq,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            "<=" => Op::Le,
            other => {
                return Err(spec_err(input, format!("`{other}` is not a comparison (use >, >=, <, <=, =)")));
            }
        };
        if rest.is_empty() {
            rest = tokens
                .next()
                .ok_or_else(|| spec_err(input, format!("`{op_text}` has no version after it")))?;
        }
        out.push(Comparator { op, version: plain_version(input, rest)? });
    }
    if out.is_empty() {
        return Err(spec_err(input, "the comparison list is empty"));
    }
    Ok(out)
}

impl FromStr for VersionSpec {
    type Err = SpecError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VersionSpec::parse(s)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        })
    }
}

impl fmt::Display for VersionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSpec::Latest => f.write_str("latest"),
            VersionSpec::Exact(v) | VersionSpec::Prefix(v) => write!(f, "{v}"),
            VersionSpec::Caret(v) => write!(f, "^{v}"),
            VersionSpec::Tilde(v) => write!(f, "~{v}"),
            VersionSpec::Range(list) => {
                let parts: Vec<String> = list.iter().map(|c| format!("{}{}", c.op, c.version)).collect();
                f.write_str(&parts.join(", "))
            }
            VersionSpec::Alias(name) => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod fuzz_tests;
