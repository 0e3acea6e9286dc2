//! PEP 440 version specifiers (`>=1.2,!=1.3.*,<2`, `~=1.4.2`, `==2.*`) against den's
//! `Version`: what a Python requirement or a file's `Requires-Python` allows. Pure.

use crate::version::Version;

/// Whether PEP 440 `spec` (`>=1.2,!=1.3.*,<2`) allows `version`; pre-releases only when
/// `pre` (none matched otherwise).
pub fn allows(spec: &str, version: &Version, pre: bool) -> bool {
    if version.is_prerelease() && !pre {
        return false;
    }
    spec.split(',').map(str::trim).filter(|c| !c.is_empty()).all(|clause| {
        let op_end = clause.find(|c: char| !"=!<>~".contains(c)).unwrap_or(clause.len());
        let (op, text) = (&clause[..op_end], clause[op_end..].trim());
        if let Some(prefix) = text.strip_suffix(".*") {
            let starts = Version::parse(prefix).is_ok_and(|p| prefix_of(&p, version));
            return match op {
                "==" => starts,
                "!=" => !starts,
                _ => false,
            };
        }
        let Ok(want) = Version::parse(text) else { return false };
        let cmp = compare(version, &want);
        match op {
            "==" | "===" => cmp == std::cmp::Ordering::Equal,
            "!=" => cmp != std::cmp::Ordering::Equal,
            ">=" => cmp != std::cmp::Ordering::Less,
            "<=" => cmp != std::cmp::Ordering::Greater,
            ">" => cmp == std::cmp::Ordering::Greater,
            "<" => cmp == std::cmp::Ordering::Less,
            "~=" => {
                let parts = want.components();
                if parts.len() < 2 {
                    return false;
                }
                let head: Vec<String> = parts[..parts.len() - 1].iter().map(u64::to_string).collect();
                cmp != std::cmp::Ordering::Less
                    && Version::parse(&head.join(".")).is_ok_and(|p| prefix_of(&p, version))
            }
            _ => false,
        }
    })
}

/// Numeric comparison with missing components as zeros (`1.0 == 1`), then den's order.
fn compare(a: &Version, b: &Version) -> std::cmp::Ordering {
    let (x, y) = (a.components(), b.components());
    for i in 0..x.len().max(y.len()) {
        let o = x.get(i).copied().unwrap_or(0).cmp(&y.get(i).copied().unwrap_or(0));
        if o.is_ne() {
            return o;
        }
    }
    match (a.is_prerelease(), b.is_prerelease()) {
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => std::cmp::Ordering::Equal,
    }
}

fn prefix_of(prefix: &Version, version: &Version) -> bool {
    let (p, v) = (prefix.components(), version.components());
    p.iter().enumerate().all(|(i, n)| v.get(i).copied().unwrap_or(0) == *n)
}
