//! What a `[tools]` entry may name, checked when den.toml is read rather than at install:
//! a tool den knows (a built-in definition, or one the entry gives a `source`/`url`), a
//! version spec den can read (`^22 || 20` is not one: den has no `||`), and a spec some
//! version could satisfy (a range whose bounds cross, a name the tool does not define, a
//! `url` tool's spec that is not one version: a URL has no list to choose from).
//! Each problem is a diagnostic at the key or the spec, with a suggestion.
//!
//! Decisions: a spec that is readable but matches no release today (`>=99`, `9.9`) is
//! not an error here — a release may come, and only the resolver knows the list; it is
//! reported when resolving. Never touches the network; reads only the embedded catalog.

use std::ops::Range;

use crate::catalog;
use crate::diag::suggest;
use crate::hint::Hint;
use crate::project::ToolRequest;
use crate::version::{Comparator, Op, VersionSpec};

use super::walk::{Doc, Res};

/// Checks `tool` (read at `key` with its spec at `spec`) against the catalog and the spec
/// grammar.
pub fn check(doc: &Doc<'_>, tool: &ToolRequest, key: Range<usize>, spec: Range<usize>) -> Res<()> {
    let name = &tool.name;
    let custom = tool.source.is_some() || tool.url.is_some();
    let known = custom || catalog::known(name);
    if !known {
        let near = suggest(name, catalog::names());
        let message = format!("den has no tool `{name}`");
        let give =
            format!("give `{name}` a `source` (github:owner/repo, npm:<package>, pypi:<package>) or a `url`");
        let help = match near {
            Some(near) => format!("did you mean `{near}`? Otherwise {give}"),
            None => give,
        };
        return Err(doc.err_help(key, message, help));
    }
    let parsed = match VersionSpec::parse(&tool.version) {
        Ok(parsed) => parsed,
        Err(e) => {
            let help = match tool.version.split_once("||") {
                Some((first, _)) if !first.trim().is_empty() => {
                    format!("write the one range you mean, e.g. `{}`", first.trim())
                }
                _ => e.hint().unwrap_or_default(),
            };
            return Err(doc.err_help(spec, format!("`{name}`: {e}"), help));
        }
    };
    match parsed {
        // A `url` has no list of versions to choose from: the spec is the version.
        VersionSpec::Exact(_) | VersionSpec::Prefix(_) => Ok(()),
        _ if tool.url.is_some() => Err(doc.err_help(
            spec,
            format!("`{name}` downloads one `url`, so its version must be exact, not `{}`", tool.version),
            "write the version the URL names, e.g. `2.1.0`",
        )),
        VersionSpec::Range(list) => match crossing(&list) {
            Some((low, high)) => Err(doc.err_help(
                spec,
                format!("`{name}`: no version is {} and {}", shown(low), shown(high)),
                "write bounds that leave room for a version, e.g. `>=1.20, <1.23`",
            )),
            None => Ok(()),
        },
        VersionSpec::Alias(alias) if !custom => unknown_alias(doc, name, &alias, spec),
        _ => Ok(()),
    }
}

/// A name the tool's built-in definition does not give (`node = "lst"`, `jq = "stable"`).
/// `lts/<…>` forms pass when the tool defines `lts`: their meaning is the resolver's.
fn unknown_alias(doc: &Doc<'_>, name: &str, alias: &str, spec: Range<usize>) -> Res<()> {
    let Ok(tool) = catalog::get(name) else { return Ok(()) };
    let defined: Vec<&str> = tool.aliases.keys().map(String::as_str).collect();
    let base = alias.split('/').next().unwrap_or(alias);
    if defined.contains(&alias) || (base != alias && defined.contains(&base)) {
        return Ok(());
    }
    let message = format!("`{name}` has no version named `{alias}`");
    let help = match (suggest(alias, defined.iter().copied()), defined.as_slice()) {
        (Some(near), _) => format!("did you mean `{near}`?"),
        (None, []) => format!("write a version (`1.2`, `^1.2`) or `latest`: {name} names no versions"),
        (None, list) => format!(
            "write a version (`1.2`, `^1.2`), `latest`, or one of {name}'s names: {}",
            list.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    Err(doc.err_help(spec, message, help))
}

/// A lower and an upper bound of `list` that no version satisfies together (`>=3, <2`,
/// `>2, <=2`). Only what is certain: an upper bound that is a prefix of the lower one
/// (`>=1.2.5, <=1.2`, which means `<1.3`) is not a crossing, and `=` is left out.
fn crossing(list: &[Comparator]) -> Option<(&Comparator, &Comparator)> {
    use std::cmp::Ordering;
    let lows = list.iter().filter(|c| matches!(c.op, Op::Ge | Op::Gt));
    let highs = || list.iter().filter(|c| matches!(c.op, Op::Le | Op::Lt));
    lows.flat_map(|low| highs().map(move |high| (low, high))).find(|(low, high)| {
        match low.version.cmp(&high.version) {
            Ordering::Greater => !low.version.components().starts_with(high.version.components()),
            Ordering::Equal => low.op == Op::Gt || high.op == Op::Lt,
            Ordering::Less => false,
        }
    })
}

fn shown(c: &Comparator) -> String {
    let op = match c.op {
        Op::Eq => "=",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
    };
    format!("{op}{}", c.version.bare())
}
