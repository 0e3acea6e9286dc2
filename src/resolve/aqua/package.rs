//! aqua's package definitions, as its Go types name them (`pkg/config/registry`), only the
//! fields den reads; and the definition that applies to one version: the package's own when
//! its `version_constraint` holds, else the first `version_overrides` entry whose
//! constraint holds, laid over it. Constraints are the forms the registry writes:
//! `"true"`, `"false"`, `semver("<range>")` (`>= 1.2.0`, `< 2`, `,` for and, `||` for
//! or), `Version == "v1.2.3"`, `!=`, and those joined by `or`/`and`; any other is an
//! error naming it, never taken as true.

use serde::Deserialize;

use crate::version::Version;

/// Largest registry text read (the merged registry is about 3 MB).
pub const MAX_BYTES: usize = 32 << 20;

/// A scalar read as text: YAML reads `386` (a GOARCH) as a number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Word(pub String);

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Word, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Word;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or number")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Word, E> {
                Ok(Word(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A registry file: its packages.
#[derive(Debug, Clone, Deserialize)]
pub struct Registry {
    #[serde(default)]
    pub packages: Vec<Package>,
}

/// A file the package installs: `name` on PATH, `src` its path in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FileDef {
    pub name: String,
    pub src: Option<String>,
}

/// `format_overrides` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct FormatOverride {
    pub goos: String,
    pub format: String,
}

/// The checksum file of a release.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChecksumDef {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub asset: Option<String>,
    pub url: Option<String>,
    pub algorithm: Option<String>,
    pub enabled: Option<bool>,
}

/// An `overrides` entry (by `goos`/`goarch`): fields that replace the package's.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Override {
    pub goos: Option<String>,
    pub goarch: Option<Word>,
    #[serde(flatten)]
    pub fields: Fields,
}

/// The fields an override or a version override may replace.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Fields {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub asset: Option<String>,
    pub url: Option<String>,
    pub format: Option<String>,
    pub files: Option<Vec<FileDef>>,
    pub replacements: Option<std::collections::BTreeMap<Word, Word>>,
    pub checksum: Option<ChecksumDef>,
    pub supported_envs: Option<Vec<String>>,
    pub format_overrides: Option<Vec<FormatOverride>>,
    pub overrides: Option<Vec<Override>>,
    pub rosetta2: Option<bool>,
    pub no_asset: Option<bool>,
    pub error_message: Option<String>,
    pub version_prefix: Option<String>,
}

/// A `version_overrides` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VersionOverride {
    pub version_constraint: Option<String>,
    #[serde(flatten)]
    pub fields: Fields,
}

/// One package.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Package {
    pub name: Option<String>,
    pub repo_owner: Option<String>,
    pub repo_name: Option<String>,
    pub description: Option<String>,
    pub version_constraint: Option<String>,
    /// Which of the repository's tags are versions of the package (`not (Version startsWith "lib-")`).
    pub version_filter: Option<String>,
    #[serde(default)]
    pub version_overrides: Vec<VersionOverride>,
    #[serde(flatten)]
    pub fields: Fields,
}

impl Registry {
    /// Parses a registry file (the merged one or one package's).
    pub fn parse(text: &str) -> Result<Registry, String> {
        if text.len() > MAX_BYTES {
            return Err(format!("it is larger than {} MB", MAX_BYTES >> 20));
        }
        serde_saphyr::from_str(text).map_err(|e| {
            let first = e.to_string();
            format!("it is not the aqua registry's format: {}", first.lines().next().unwrap_or_default())
        })
    }

    /// The package called `name` (`owner/repo`, or its `name` field), case-insensitively.
    pub fn get(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

impl Package {
    /// Its registry name: `name`, else `repo_owner/repo_name`.
    pub fn name(&self) -> String {
        match (&self.name, &self.repo_owner, &self.repo_name) {
            (Some(n), _, _) => n.clone(),
            (None, Some(o), Some(r)) => format!("{o}/{r}"),
            _ => String::new(),
        }
    }

    /// `owner/repo`, when the package names one.
    pub fn repo(&self) -> Option<String> {
        Some(format!("{}/{}", self.repo_owner.as_ref()?, self.repo_name.as_ref()?))
    }

    /// The fields that apply to the release tagged `tag`.
    pub fn for_version(&self, tag: &str) -> Result<Fields, String> {
        let own = self.version_constraint.as_deref().unwrap_or("true");
        if holds(own, tag)? {
            return Ok(self.fields.clone());
        }
        for over in &self.version_overrides {
            if holds(over.version_constraint.as_deref().unwrap_or("false"), tag)? {
                return Ok(self.fields.clone().laid_under(&over.fields));
            }
        }
        Err(format!("the registry describes no release of {} tagged `{tag}`", self.name()))
    }
}

impl Fields {
    /// These fields with `top`'s set ones in their place.
    pub fn laid_under(mut self, top: &Fields) -> Fields {
        macro_rules! take {
            ($($f:ident),*) => { $( if top.$f.is_some() { self.$f = top.$f.clone(); } )* };
        }
        take!(
            kind,
            asset,
            url,
            format,
            files,
            replacements,
            checksum,
            supported_envs,
            format_overrides,
            overrides,
            rosetta2,
            no_asset,
            error_message,
            version_prefix
        );
        self
    }
}

/// Whether `constraint` holds for the release tagged `tag`.
pub fn holds(constraint: &str, tag: &str) -> Result<bool, String> {
    let text = constraint.trim();
    if let Some((a, b)) = split_outside_quotes(text, " or ").or_else(|| split_outside_quotes(text, " || ")) {
        return Ok(holds(a, tag)? || holds(b, tag)?);
    }
    if let Some((a, b)) = split_outside_quotes(text, " and ").or_else(|| split_outside_quotes(text, " && ")) {
        return Ok(holds(a, tag)? && holds(b, tag)?);
    }
    let unreadable = || format!("den cannot read the version constraint `{}`", crate::diag::printable(text));
    match text {
        "true" => return Ok(true),
        "false" => return Ok(false),
        _ => {}
    }
    if let Some(inner) = text.strip_prefix("not (").and_then(|r| r.strip_suffix(')')) {
        return Ok(!holds(inner, tag)?);
    }
    if let Some(rest) = text.strip_prefix("Version startsWith ") {
        let lit = rest.trim().strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or_else(unreadable)?;
        return Ok(tag.starts_with(lit));
    }
    if let Some(list) = text.strip_prefix("Version in [").and_then(|r| r.strip_suffix(']')) {
        let mut words = list.split(',').map(|w| w.trim().strip_prefix('"').and_then(|w| w.strip_suffix('"')));
        return words.try_fold(false, |found, w| Ok(found || w.ok_or_else(unreadable)? == tag));
    }
    if let Some(range) = text.strip_prefix("semver(").and_then(|r| r.strip_suffix(')')) {
        let range =
            range.trim().strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or_else(unreadable)?;
        return semver(range, tag).ok_or_else(unreadable);
    }
    // `semverWithVersion(">= 0.16.0", trimPrefix(Version, "lychee-v"))`.
    if let Some(args) = text.strip_prefix("semverWithVersion(").and_then(|r| r.strip_suffix(')')) {
        let (range, version) = args.split_once("\", ").ok_or_else(unreadable)?;
        let range = range.trim().strip_prefix('"').ok_or_else(unreadable)?;
        let prefix = version
            .trim()
            .strip_prefix("trimPrefix(Version, \"")
            .and_then(|r| r.strip_suffix("\")"))
            .ok_or_else(unreadable)?;
        return semver(range, tag.strip_prefix(prefix).unwrap_or(tag)).ok_or_else(unreadable);
    }
    for (op, equal) in [("==", true), ("!=", false)] {
        if let Some((left, right)) = text.split_once(op)
            && left.trim() == "Version"
        {
            let right =
                right.trim().strip_prefix('"').and_then(|r| r.strip_suffix('"')).ok_or_else(unreadable)?;
            return Ok((right == tag) == equal);
        }
    }
    Err(unreadable())
}

fn split_outside_quotes<'t>(text: &'t str, sep: &str) -> Option<(&'t str, &'t str)> {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted && text[i..].starts_with(sep) {
            return Some((&text[..i], &text[i + sep.len()..]));
        }
    }
    None
}

/// A Masterminds-style range against a tag: `||` of `,`-joined comparisons.
fn semver(range: &str, tag: &str) -> Option<bool> {
    let bare = |text: &str| Version::parse(text).ok().and_then(|v| Version::parse(v.bare()).ok());
    let version = bare(tag)?;
    let mut any = false;
    for alternative in range.split("||") {
        let mut all = true;
        for part in alternative.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let at = part.find(|c: char| c.is_ascii_digit() || c == 'v').unwrap_or(part.len());
            let (op, bound) = (part[..at].trim(), part[at..].trim());
            let bound = bare(bound)?;
            let order = version.cmp(&bound);
            all &= match op {
                ">=" => order.is_ge(),
                ">" => order.is_gt(),
                "<=" => order.is_le(),
                "<" => order.is_lt(),
                "=" | "==" | "" => order.is_eq(),
                "!=" => order.is_ne(),
                _ => return None,
            };
        }
        any |= all;
    }
    Some(any)
}
