//! What `den search` lists: every tool den installs by name — the catalog's, the short
//! names of its index (aqua packages) — then every github_release or http package of the
//! aqua registry, which a den.toml names with `source = "aqua:<package>"`. Only gathers and
//! filters; never fetches (the caller hands in the registry it has, if any).

use super::aqua::Registry;
use crate::catalog;

/// One line of `den search`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What to write in den.toml or after `den add`/`den x`: a name, or `aqua:<package>`.
    pub name: String,
    /// Where it comes from: `catalog`, or its aqua package.
    pub from: String,
    pub description: String,
}

/// Every tool, in that order, whose name, origin or description holds `term` (any case).
pub fn find(registry: Option<&Registry>, term: Option<&str>) -> Vec<Found> {
    let mut out = Vec::new();
    for name in catalog::names() {
        let description = catalog::get(name).map(|t| t.description).unwrap_or_default();
        out.push(Found { name: name.into(), from: "catalog".into(), description });
    }
    let describe = |package: &str| {
        registry.and_then(|r| r.get(package)).and_then(|p| p.description.clone()).unwrap_or_default()
    };
    for (name, source) in catalog::short::index() {
        let package = source.strip_prefix("aqua:").unwrap_or(source);
        out.push(Found { name: name.clone(), from: source.clone(), description: describe(package) });
    }
    for package in registry.map(|r| r.packages.as_slice()).unwrap_or_default() {
        let kind = package.fields.kind.as_deref().unwrap_or("github_release");
        let name = package.name();
        if !matches!(kind, "github_release" | "http") || name.is_empty() {
            continue;
        }
        let source = format!("aqua:{name}");
        if out.iter().any(|f| f.from == source) {
            continue;
        }
        out.push(Found {
            name: source,
            from: "aqua registry".into(),
            description: package.description.clone().unwrap_or_default(),
        });
    }
    let term = term.map(str::to_lowercase);
    out.retain(|f| {
        term.as_deref()
            .is_none_or(|t| [&f.name, &f.from, &f.description].iter().any(|s| s.to_lowercase().contains(t)))
    });
    for f in &mut out {
        // One line each: a description is cut at its first line, and never holds controls.
        let first = f.description.lines().next().unwrap_or_default().trim();
        f.description = crate::diag::printable(first).into_owned();
        f.name = crate::diag::printable(&f.name).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_short_names_then_the_registry_filtered() {
        let registry = Registry::parse(include_str!("../../tests/fixtures/aqua/registry.yaml")).unwrap();
        let all = find(Some(&registry), None);
        assert_eq!(all[0].from, "catalog");
        let lint = find(Some(&registry), Some("ACTIONLINT"));
        assert_eq!(
            lint,
            [Found {
                name: "actionlint".into(),
                from: "aqua:rhysd/actionlint".into(),
                description: "Static checker for GitHub Actions workflow files".into()
            }]
        );
        // Packages of the registry that no short name covers are listed by their source.
        let packer = find(Some(&registry), Some("packer"));
        assert_eq!(packer.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["packer"]);
        let mut evil = Registry::parse(
            "packages:\n  - repo_owner: a\n    repo_name: b\n    description: \"x\\e[2Jy\\nz\"\n",
        )
        .unwrap();
        evil.packages[0].fields.kind = None;
        let found = find(Some(&evil), Some("a/b"));
        assert_eq!((found[0].name.as_str(), found[0].description.as_str()), ("aqua:a/b", "x\\e[2Jy"));
        assert!(find(None, Some("rhysd")).iter().all(|f| f.description.is_empty()));
    }
}
