//! The dependency set of a Python application for one interpreter and platform, the way
//! pip and uv install it: `Requires-Dist` of each chosen version's core metadata (PEP 658),
//! environment markers (PEP 508) evaluated for that interpreter, version specifiers
//! (PEP 440) intersected; each name gets the newest version every requirement seen so far
//! allows (no backtracking: a later conflict is an error naming both requirements).
//!
//! Pure: pages and metadata come from the caller. Never picks a version a specifier
//! excludes, never grows past `MAX_PACKAGES`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::pep440::allows;
use crate::version::Version;

/// The most distributions one application may bring.
const MAX_PACKAGES: usize = 1000;

/// What markers are evaluated against.
#[derive(Debug, Clone)]
pub struct Env {
    /// `3.12`.
    pub python_version: String,
    /// `3.12.3`.
    pub python_full_version: String,
    /// `linux`/`darwin`.
    pub sys_platform: String,
    /// `x86_64`/`aarch64`/`arm64`.
    pub platform_machine: String,
}

impl Env {
    fn var(&self, name: &str, extra: &str) -> Option<String> {
        Some(match name {
            "python_version" => self.python_version.clone(),
            "python_full_version" => self.python_full_version.clone(),
            "sys_platform" => self.sys_platform.clone(),
            "platform_system" => if self.sys_platform == "darwin" { "Darwin" } else { "Linux" }.into(),
            "platform_machine" => self.platform_machine.clone(),
            "os_name" => "posix".into(),
            "platform_python_implementation" => "CPython".into(),
            "implementation_name" => "cpython".into(),
            "implementation_version" => self.python_full_version.clone(),
            "platform_release" | "platform_version" => String::new(),
            "extra" => extra.into(),
            _ => return None,
        })
    }
}

/// One `Requires-Dist` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Normalized (PEP 503).
    pub name: String,
    pub extras: Vec<String>,
    /// `>=1,<2` (may be empty).
    pub spec: String,
    pub marker: Option<String>,
}

/// Parses `name[extra,…] (>=1,<2) ; marker` (or without the parentheses).
pub fn requirement(line: &str) -> Option<Requirement> {
    let (body, marker) = match line.split_once(';') {
        Some((b, m)) => (b.trim(), Some(m.trim().to_string())),
        None => (line.trim(), None),
    };
    let end = body.find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c))).unwrap_or(body.len());
    let name = super::pypi::normalize(&body[..end]);
    if name.is_empty() {
        return None;
    }
    let mut rest = body[end..].trim();
    let mut extras = Vec::new();
    if let Some(inner) = rest.strip_prefix('[') {
        let (list, after) = inner.split_once(']')?;
        extras =
            list.split(',').map(|e| super::pypi::normalize(e.trim())).filter(|e| !e.is_empty()).collect();
        rest = after.trim();
    }
    if rest.contains('@') {
        return None; // a direct URL: not from the index
    }
    let spec = rest.trim_start_matches('(').trim_end_matches(')').trim().to_string();
    Some(Requirement { name, extras, spec, marker })
}

/// Evaluates a PEP 508 marker for `env` with `extra` (`""` for none); a marker den cannot
/// read is false (the dependency is left out, as for another platform).
pub fn marker(text: &str, env: &Env, extra: &str) -> bool {
    let tokens = tokenize(text);
    let mut at = 0;
    let value = or_expr(&tokens, &mut at, env, extra);
    value == Some(true) && at == tokens.len()
}

fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            out.push(c.to_string());
            i += 1;
        } else if c == '\'' || c == '"' {
            let end = chars[i + 1..].iter().position(|d| *d == c).map_or(chars.len(), |p| i + 1 + p);
            out.push(chars[i..end.min(chars.len())].iter().collect::<String>() + &c.to_string());
            i = end + 1;
        } else if "=!<>~".contains(c) {
            let start = i;
            while i < chars.len() && "=!<>~".contains(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !"()'\"=!<>~".contains(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        }
    }
    out
}

fn or_expr(t: &[String], at: &mut usize, env: &Env, extra: &str) -> Option<bool> {
    let mut value = and_expr(t, at, env, extra)?;
    while t.get(*at).map(String::as_str) == Some("or") {
        *at += 1;
        let right = and_expr(t, at, env, extra)?;
        value = value || right;
    }
    Some(value)
}

fn and_expr(t: &[String], at: &mut usize, env: &Env, extra: &str) -> Option<bool> {
    let mut value = atom(t, at, env, extra)?;
    while t.get(*at).map(String::as_str) == Some("and") {
        *at += 1;
        let right = atom(t, at, env, extra)?;
        value = value && right;
    }
    Some(value)
}

fn atom(t: &[String], at: &mut usize, env: &Env, extra: &str) -> Option<bool> {
    if t.get(*at)? == "(" {
        *at += 1;
        let value = or_expr(t, at, env, extra)?;
        (t.get(*at)? == ")").then_some(())?;
        *at += 1;
        return Some(value);
    }
    let left = operand(t.get(*at)?, env, extra)?;
    *at += 1;
    let mut op = t.get(*at)?.clone();
    *at += 1;
    if op == "not" {
        (t.get(*at)? == "in").then_some(())?;
        *at += 1;
        op = "not in".into();
    }
    let right = operand(t.get(*at)?, env, extra)?;
    *at += 1;
    let is_extra = t[*at - 3] == "extra" || t[*at - 1] == "extra";
    let (l, r) = if is_extra {
        (super::pypi::normalize(&left), super::pypi::normalize(&right))
    } else {
        (left, right)
    };
    Some(match op.as_str() {
        "in" => r.contains(&l),
        "not in" => !r.contains(&l),
        _ => match (Version::parse(&l), Version::parse(&r)) {
            (Ok(a), Ok(_)) if !is_extra && l.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                allows(&format!("{op}{r}"), &a, true)
            }
            _ => match op.as_str() {
                "==" | "===" => l == r,
                "!=" => l != r,
                _ => return None,
            },
        },
    })
}

fn operand(token: &str, env: &Env, extra: &str) -> Option<String> {
    if let Some(q) = token.chars().next().filter(|c| *c == '\'' || *c == '"') {
        return Some(token.trim_start_matches(q).trim_end_matches(q).to_string());
    }
    env.var(token, extra)
}

/// The `Requires-Dist` and `Requires-Python` of a METADATA file.
pub fn metadata(text: &str) -> (Vec<Requirement>, Option<String>) {
    let mut reqs = Vec::new();
    let mut python = None;
    for line in text.lines() {
        if line.is_empty() {
            break; // the body (description) follows the headers
        }
        if let Some(value) = line.strip_prefix("Requires-Dist:") {
            reqs.extend(requirement(value.trim()));
        } else if let Some(value) = line.strip_prefix("Requires-Python:") {
            python = Some(value.trim().to_string());
        }
    }
    (reqs, python)
}

/// A project's versions with a wheel for the interpreter, as the caller found them.
pub trait Index {
    /// Versions that have a fitting wheel (and whose `Requires-Python` allows it).
    fn versions(&mut self, name: &str) -> Result<Vec<Version>, String>;
    /// The `Requires-Dist` of that version's fitting wheel.
    fn requires(&mut self, name: &str, version: &Version) -> Result<Vec<Requirement>, String>;
}

/// Every distribution `root==version` needs for `env`, root first: (name, version).
pub fn resolve(
    root: &str,
    version: &Version,
    env: &Env,
    index: &mut dyn Index,
) -> Result<Vec<(String, Version)>, String> {
    let root = super::pypi::normalize(root);
    let mut chosen: BTreeMap<String, Version> = BTreeMap::from([(root.clone(), version.clone())]);
    let mut order = vec![root.clone()];
    // Every requirement seen per name, with who asked, to check later choices against.
    let mut seen: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut extras: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut queue = VecDeque::from([root.clone()]);
    while let Some(name) = queue.pop_front() {
        let version = chosen[&name].clone();
        let wanted: Vec<String> = extras.get(&name).map(|e| e.iter().cloned().collect()).unwrap_or_default();
        for req in index.requires(&name, &version)? {
            let applies = match &req.marker {
                None => true,
                Some(m) => marker(m, env, "") || wanted.iter().any(|x| marker(m, env, x)),
            };
            if !applies {
                continue;
            }
            let who = format!("{name} {version}");
            seen.entry(req.name.clone()).or_default().push((req.spec.clone(), who.clone()));
            let new_extras = {
                let set = extras.entry(req.name.clone()).or_default();
                req.extras.iter().filter(|e| set.insert((*e).clone())).count() > 0
            };
            if let Some(have) = chosen.get(&req.name) {
                if !allows(&req.spec, have, true) {
                    return Err(format!(
                        "{who} needs {} {}, but {} {have} was chosen for an earlier requirement",
                        req.name, req.spec, req.name
                    ));
                }
                if new_extras {
                    queue.push_back(req.name.clone());
                }
                continue;
            }
            let specs = &seen[&req.name];
            let versions = index.versions(&req.name)?;
            let fits = |pre: bool| {
                versions.iter().filter(|v| specs.iter().all(|(s, _)| allows(s, v, pre))).max().cloned()
            };
            let pick = fits(false).or_else(|| fits(true)).ok_or_else(|| {
                format!(
                    "no version of {} with a wheel for this python matches `{}` (needed by {who})",
                    req.name, req.spec
                )
            })?;
            if chosen.len() >= MAX_PACKAGES {
                return Err(format!("it needs more than {MAX_PACKAGES} distributions"));
            }
            chosen.insert(req.name.clone(), pick);
            order.push(req.name.clone());
            queue.push_back(req.name.clone());
        }
    }
    Ok(order.into_iter().map(|n| (n.clone(), chosen[&n].clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        Env {
            python_version: "3.12".into(),
            python_full_version: "3.12.3".into(),
            sys_platform: "linux".into(),
            platform_machine: "x86_64".into(),
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn requirements_and_specifiers() {
        let r = requirement("typing_extensions (>=4.0.1) ; python_version < \"3.11\"").unwrap();
        assert_eq!((r.name.as_str(), r.spec.as_str()), ("typing-extensions", ">=4.0.1"));
        assert!(!marker(r.marker.as_deref().unwrap(), &env(), ""));
        let r = requirement("aiohttp[speedups]>=3.7.4,!=3.9.0; extra == 'd'").unwrap();
        assert_eq!(r.extras, ["speedups"]);
        assert!(!marker(r.marker.as_deref().unwrap(), &env(), ""));
        assert!(marker(r.marker.as_deref().unwrap(), &env(), "d"));
        assert!(allows(">=3.7.4,!=3.9.0", &v("3.9.1"), false));
        assert!(!allows(">=3.7.4,!=3.9.0", &v("3.9.0"), false));
        assert!(allows("~=1.4.2", &v("1.4.9"), false));
        assert!(!allows("~=1.4.2", &v("1.5.0"), false));
        assert!(allows("==2.*", &v("2.31.0"), false));
        assert!(allows("", &v("1.0"), false));
        assert!(allows(">=1.0", &v("1"), false));
        assert!(marker(
            "sys_platform == 'linux' and (python_version >= '3.8' or os_name == 'nt')",
            &env(),
            ""
        ));
        assert!(!marker("platform_system == \"Windows\"", &env(), ""));
        assert!(marker("python_full_version >= \"3.10.0\"", &env(), ""));
        assert!(!marker("garbage ===", &env(), ""));
        assert!(requirement("pkg @ https://example.invalid/pkg.whl").is_none());
    }

    #[test]
    fn metadata_headers_only() {
        let text = "Metadata-Version: 2.1\nName: x\nRequires-Python: >=3.8\nRequires-Dist: click>=8.0.0\n\nRequires-Dist: not-a-header\n";
        let (reqs, python) = metadata(text);
        assert_eq!(reqs.len(), 1);
        assert_eq!(python.as_deref(), Some(">=3.8"));
    }
}
