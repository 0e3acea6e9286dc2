//! Fuzz target of version specs (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): arbitrary and spec-shaped text never panics, a parsed spec written
//! back parses to the same spec, matching never panics, and the version `best_with` picks
//! is one the spec accepts.

use proptest::prelude::*;
use proptest::sample::select;

use super::{Prereleases, VersionSpec, best_with};
use crate::fuzz::{VERSION_TOKENS, config, mutate, soup, version_text};
use crate::version::Version;

const SPEC_TOKENS: &[&str] =
    &["^", "~", ">", ">=", "<", "<=", "=", "==", ",", ", ", " ", ".x", ".*", "latest", "lts", "*"];

fn spec_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => (select(SPEC_TOKENS), version_text()).prop_map(|(op, v)| format!("{op}{v}")),
        2 => proptest::collection::vec((select(&[">", ">=", "<", "<=", "=", ""][..]), version_text()), 1..4)
            .prop_map(|c| c.into_iter().map(|(op, v)| format!("{op}{v}")).collect::<Vec<_>>().join(", ")),
        1 => soup(SPEC_TOKENS, 6),
        1 => mutate(version_text(), VERSION_TOKENS),
        1 => any::<String>(),
    ]
}

fn check(text: &str) -> Option<VersionSpec> {
    let spec = match VersionSpec::parse(text) {
        Ok(spec) => spec,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains(|c: char| c.is_control() && c != '\t'), "{message:?}");
            assert!(message.contains(&*crate::diag::printable(text)), "{message:?} for {text:?}");
            return None;
        }
    };
    let again = VersionSpec::parse(&spec.to_string());
    assert_eq!(again.as_ref(), Ok(&spec), "{text:?} written as {spec}");
    Some(spec)
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn any_text_never_panics(text in spec_text()) {
        check(&text);
    }

    #[test]
    fn matching_never_panics_and_best_matches(
        spec in spec_text(),
        versions in proptest::collection::vec(version_text(), 0..8),
    ) {
        let Some(spec) = check(&spec) else { return Ok(()) };
        let versions: Vec<Version> = versions.iter().filter_map(|v| Version::parse(v).ok()).collect();
        for pre in [Prereleases::OnlyWhenNamed, Prereleases::AsReleases] {
            if let Some(best) = best_with(&spec, &versions, pre) {
                prop_assert!(spec.matches_with(best, pre));
                prop_assert!(versions.iter().filter(|v| spec.matches_with(v, pre)).all(|v| v <= best));
            }
        }
    }

    /// A version written as a spec (`22.11.0`, `1.2`, `^1.2`, `~1.2`, `>=1.2`) accepts it.
    #[test]
    fn a_version_satisfies_its_own_spec(v in version_text(), op in select(&["", "^", "~", ">=", "<=", "="][..])) {
        // `1.x` is a pre-release as a version and a wildcard as a spec.
        if v.trim_end().ends_with(".x") || v.trim_end().ends_with(".*") {
            return Ok(());
        }
        let Ok(version) = Version::parse(&v) else { return Ok(()) };
        // A word with a digit (`go0`) may be an alias, which the catalog resolves first.
        let Ok(spec) = VersionSpec::parse(&format!("{op}{v}")) else { return Ok(()) };
        if matches!(spec, VersionSpec::Alias(_)) {
            return Ok(());
        }
        prop_assert!(spec.matches_with(&version, Prereleases::OnlyWhenNamed), "{} vs {}", spec, version);
    }
}

/// Found: a spec from a repository's file (`.nvmrc` holding an escape sequence) was quoted
/// raw in the error, so the file could drive the terminal and split the one-line message.
#[test]
fn control_characters_in_errors_are_escaped() {
    let e = VersionSpec::parse("\x1b[2J22\nx").unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid version spec `\\e[2J22\\nx`: `\\e[2J22\\nx` is not a version: its prefix holds \
         characters other than letters and `-_/@.`"
    );
    let e = VersionSpec::parse(">=1.\x07").unwrap_err();
    assert!(!e.to_string().contains('\x07'), "{e}");
}
