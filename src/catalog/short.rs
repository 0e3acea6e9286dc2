//! The short names asdf plugins and mise give tools the catalog does not define
//! (`terragrunt`, `actionlint`), each an aqua registry package (`short_names.toml`, a data
//! file in the repository, never the user's or a project's). `catalog::get` asks the
//! catalog first, then this index; a name here is den's own choice of source, so it needs
//! no trust, like the catalog's tools. Never shadows a catalog tool.

use std::sync::OnceLock;

use super::model::Tool;
use super::{Error, source_from_request};

const TEXT: &str = include_str!("short_names.toml");

/// `(short name, source)`, sorted by name.
pub fn index() -> &'static [(String, String)] {
    static INDEX: OnceLock<Vec<(String, String)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let table: toml::Table = toml::from_str(TEXT).unwrap_or_default();
        let mut out: Vec<(String, String)> = table
            .into_iter()
            .filter_map(|(name, source)| Some((name, source.as_str()?.to_string())))
            .filter(|(name, _)| super::names().all(|n| n != name))
            .collect();
        out.sort();
        out
    })
}

/// The source the index gives `name`.
pub fn source_of(name: &str) -> Option<&'static str> {
    index().iter().find(|(n, _)| n == name).map(|(_, s)| s.as_str())
}

/// The definition of an indexed name: its one source, as a den.toml `source` would give it.
pub fn tool(name: &str) -> Option<Result<Tool, Error>> {
    let source = source_of(name)?;
    Some(
        source_from_request(name, Some(source), None, None, &[])
            .map(|source| Tool::with_source(name, source)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_an_aqua_source_den_reads_and_no_catalog_name() {
        let lines = TEXT.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count();
        assert_eq!(index().len(), lines, "an entry did not parse or shadows a catalog tool");
        assert!(index().len() >= 60);
        for (name, source) in index() {
            assert!(source.starts_with("aqua:"), "{name}");
            let tool = tool(name).unwrap().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(matches!(tool.sources[0].kind, super::super::SourceKind::Aqua { .. }));
        }
        for name in
            ["terragrunt", "actionlint", "sops", "kustomize", "hadolint", "lychee", "taplo", "git-cliff"]
        {
            assert!(source_of(name).is_some(), "{name}");
        }
        assert_eq!(source_of("jq"), None);
    }
}
