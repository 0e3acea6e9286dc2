//! One version as another tool wrote it, checked and turned into the den.toml spec that
//! means the same: a pin, a range (den takes the newest version it allows), or a floating
//! name (`latest`, `lts`, `lts/<codename>`, an alias the tool's catalog entry defines).
//! Anything else is refused with the reason, never passed on as a version string.
//!
//! Decisions: `prefix:1.20` (mise) is the den spec `1.20`; a `v` before a number is
//! dropped; `lts/*` is `lts`; `lts/<codename>` and `lts/<major>` are kept as written (den's
//! resolver reads them); `a || b` is refused, since den has no union of ranges.

use crate::version::VersionSpec;

/// How a version behaves over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One version, or the newest of one release line (`22`, `22.11.0`).
    Pin,
    /// A range: the newest version it allows (`>=18.16`, `^18`).
    Range,
    /// A name whose version changes as releases appear (`latest`, `lts`).
    Floating,
}

/// A version den can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub spec: String,
    pub kind: Kind,
}

/// Python implementations pyenv and asdf install that den does not (it installs CPython).
const PYTHONS: &[&str] = &[
    "pypy",
    "graalpy",
    "anaconda",
    "miniconda",
    "miniforge",
    "mambaforge",
    "jython",
    "ironpython",
    "micropython",
    "stackless",
    "pyston",
    "activepython",
    "cinder",
    "nogil",
];

/// Checks `raw`, a version of `tool` (a den tool name) as another tool wrote it.
pub fn check(tool: &str, raw: &str) -> Result<Checked, String> {
    let text = raw.trim();
    let quoted = crate::diag::printable(text);
    if text.is_empty() {
        return Err("its version is empty".into());
    }
    if text.contains(char::is_control) {
        return Err(format!("its version `{quoted}` holds control characters"));
    }
    if text == "system" {
        return Err(format!("`system` means the machine's own {tool}, which den does not manage"));
    }
    if ["ref:", "path:", "sub-"].iter().any(|p| text.starts_with(p)) {
        return Err(format!("`{quoted}` is not a released version (den installs released versions only)"));
    }
    if text.contains("||") {
        return Err(format!(
            "`{quoted}` is a choice of ranges, which den cannot express: write one version, such as the newest it allows"
        ));
    }
    let text = text.strip_prefix("prefix:").unwrap_or(text);
    // Java's distributions and spellings (`temurin-21.0.5+11.0.LTS`, `1.8`).
    let java;
    let text = if tool == "java" {
        java = super::java::version(text)?;
        java.as_str()
    } else {
        text
    };
    // asdf's and mise's Elixir builds (`1.17.3-otp-27`) are den's `1.17.3+otp-27`.
    let elixir;
    let text = match text.split_once("-otp-") {
        Some((v, major))
            if tool == "elixir" && !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) =>
        {
            elixir = format!("{v}+otp-{major}");
            elixir.as_str()
        }
        _ => text,
    };
    if tool == "node" && (text == "lts" || text == "lts/*") {
        return Ok(Checked { spec: "lts".into(), kind: Kind::Floating });
    }
    // nvm reads `lts/Hydrogen` as `lts/hydrogen`.
    let lowered = match text.strip_prefix("lts/") {
        Some(rest) if tool == "node" => Some(format!("lts/{}", rest.to_ascii_lowercase())),
        _ => None,
    };
    let text = lowered.as_deref().unwrap_or(text);
    if tool == "python" && text != "latest" && !cpython_release(text) {
        return Err(python_word(text, &quoted));
    }
    if tool == "node"
        && lts_line(text)
        && let Ok(node) = crate::catalog::get("node")
        && let Some(Ok(crate::catalog::Lts::Codename(_))) = node.lts(text)
    {
        return Err(format!(
            "`{quoted}` is not an LTS line den knows (it knows {}; for a newer line, write its major, such as `26`)",
            node.lts_lines().join(", ")
        ));
    }
    let text = match text.strip_prefix('v') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => text,
    };
    let not_a_version = || format!("`{quoted}` is not a version of {tool}");
    let spec = VersionSpec::parse(text).map_err(|_| not_a_version())?;
    let kind = match &spec {
        VersionSpec::Exact(_) | VersionSpec::Prefix(_) => Kind::Pin,
        VersionSpec::Caret(_) | VersionSpec::Tilde(_) | VersionSpec::Range(_) => Kind::Range,
        VersionSpec::Latest => return Ok(Checked { spec: "latest".into(), kind: Kind::Floating }),
        VersionSpec::Alias(name) => {
            if !(known_alias(tool, name) || tool == "node" && lts_line(name)) {
                return Err(not_a_version());
            }
            Kind::Floating
        }
    };
    Ok(Checked { spec: text.to_string(), kind })
}

/// `lts/<codename>` or `lts/<major>` (not nvm's `lts/-1`, which den has no meaning for).
fn lts_line(name: &str) -> bool {
    name.strip_prefix("lts/").is_some_and(|rest| {
        !rest.is_empty()
            && (rest.chars().all(|c| c.is_ascii_lowercase()) || rest.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Whether the tool's catalog entry defines the alias `name`.
fn known_alias(tool: &str, name: &str) -> bool {
    crate::catalog::get(tool).is_ok_and(|t| t.aliases.contains_key(name))
}

/// `3`, `3.12`, `3.12.1`, `3.13.0rc1` (`a`, `b`, `rc`), with or without a `v`: what
/// python.org releases, nothing else (`3.12-dev`, `3d-viewer-env` are not).
fn cpython_release(text: &str) -> bool {
    let text = text.strip_prefix('v').unwrap_or(text);
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(text.len());
    let (numbers, pre) = text.split_at(end);
    let parts: Vec<&str> = numbers.split('.').collect();
    let numbers_ok = parts.len() <= 3 && parts.iter().all(|p| !p.is_empty());
    let pre_ok = pre.is_empty()
        || ["a", "b", "rc"].iter().any(|tag| {
            pre.strip_prefix(tag).is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        }) && parts.len() == 3;
    numbers_ok && pre_ok
}

/// Why a word is not a CPython version: another implementation, or a virtualenv's name.
fn python_word(text: &str, quoted: &str) -> String {
    let lower = text.to_ascii_lowercase();
    match PYTHONS.iter().find(|p| lower.starts_with(*p)) {
        Some(imp) => format!("`{quoted}` is {imp}, which den does not install (it installs CPython)"),
        None if text.starts_with(|c: char| c.is_ascii_alphabetic()) => {
            format!("`{quoted}` is not a version: a pyenv virtualenv's name, which den does not manage")
        }
        None => format!(
            "`{quoted}` is not a version of python (a pyenv virtualenv's name or a build den does not install; \
             den installs CPython releases such as `3.12.1`)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(tool: &str, raw: &str) -> (String, Kind) {
        let c = check(tool, raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
        (c.spec, c.kind)
    }

    #[test]
    fn pins_ranges_and_floating_names() {
        assert_eq!(ok("node", "v22.1.0"), ("22.1.0".into(), Kind::Pin));
        assert_eq!(ok("node", "22"), ("22".into(), Kind::Pin));
        assert_eq!(ok("go", "prefix:1.20"), ("1.20".into(), Kind::Pin));
        assert_eq!(ok("node", ">=18.16"), (">=18.16".into(), Kind::Range));
        assert_eq!(ok("node", "^18"), ("^18".into(), Kind::Range));
        assert_eq!(ok("node", "lts/*"), ("lts".into(), Kind::Floating));
        assert_eq!(ok("node", "lts/hydrogen"), ("lts/hydrogen".into(), Kind::Floating));
        assert_eq!(ok("node", "lts/Hydrogen"), ("lts/hydrogen".into(), Kind::Floating));
        assert_eq!(ok("node", "lts/20"), ("lts/20".into(), Kind::Floating));
        assert_eq!(ok("ruff", "latest"), ("latest".into(), Kind::Floating));
        assert_eq!(ok("python", "3.12.1"), ("3.12.1".into(), Kind::Pin));
        assert_eq!(ok("python", "3.13.0rc1"), ("3.13.0rc1".into(), Kind::Pin));
        assert_eq!(ok("python", "3"), ("3".into(), Kind::Pin));
        assert_eq!(ok("node", "lts/krypton"), ("lts/krypton".into(), Kind::Floating));
    }

    #[test]
    fn refusals_say_why() {
        let err = |tool: &str, raw: &str| check(tool, raw).unwrap_err();
        assert_eq!(
            err("node", "18 || 22"),
            "`18 || 22` is a choice of ranges, which den cannot express: write one version, such as the newest it allows"
        );
        assert_eq!(err("node", "lts/-1"), "`lts/-1` is not a version of node");
        assert_eq!(err("node", "node=20"), "`node=20` is not a version of node");
        assert_eq!(err("node", "use node twenty"), "`use node twenty` is not a version of node");
        assert_eq!(err("ruff", "nightly"), "`nightly` is not a version of ruff");
        assert_eq!(
            err("python", "system"),
            "`system` means the machine's own python, which den does not manage"
        );
        assert_eq!(
            err("python", "pypy3.10-7.3.12"),
            "`pypy3.10-7.3.12` is pypy, which den does not install (it installs CPython)"
        );
        assert_eq!(
            err("python", "graalpy-23.1.0"),
            "`graalpy-23.1.0` is graalpy, which den does not install (it installs CPython)"
        );
        assert_eq!(
            err("python", "myenv"),
            "`myenv` is not a version: a pyenv virtualenv's name, which den does not manage"
        );
        assert_eq!(
            err("rust", "ref:abc"),
            "`ref:abc` is not a released version (den installs released versions only)"
        );
        assert_eq!(err("go", "1.2\x1b[2J"), "its version `1.2\\e[2J` holds control characters");
        assert_eq!(err("go", " "), "its version is empty");
        let not_cpython = "is not a version of python (a pyenv virtualenv's name or a build den does not install; \
                           den installs CPython releases such as `3.12.1`)";
        for word in ["3d-viewer-env", "3.12-dev", "2-env", "3.12t", "3.1.2.3", "3.12rc1"] {
            assert_eq!(err("python", word), format!("`{word}` {not_cpython}"));
        }
        assert!(err("node", "lts/unobtainium").starts_with(
            "`lts/unobtainium` is not an LTS line den knows (it knows lts/argon (4), lts/boron (6),"
        ));
    }
}
