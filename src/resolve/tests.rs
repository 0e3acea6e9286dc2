//! Spec parsing and best-match choice over realistic upstream version lists.

use super::*;
use crate::hint::Hint;

fn list(raw: &[&str]) -> Vec<Version> {
    raw.iter().map(|s| Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))).collect()
}

fn pick(spec: &str, versions: &[Version]) -> Option<String> {
    let spec = VersionSpec::parse(spec).unwrap_or_else(|e| panic!("{spec}: {e}"));
    best(&spec, versions).map(|v| v.as_str().to_string())
}

const NODE: &[&str] = &[
    "v23.4.0",
    "v22.12.0",
    "v22.11.0",
    "v22.1.0",
    "v22.0.0",
    "v21.7.3",
    "v20.18.1",
    "v20.9.0",
    "v18.20.5",
    "v18.4.0",
    "v16.20.2",
    "v0.1.14",
    "v24.0.0-rc.1",
];
const GO: &[&str] = &[
    "go1.25rc1",
    "go1.25beta1",
    "go1.24.4",
    "go1.24.0",
    "go1.23.10",
    "go1.23.4",
    "go1.22.12",
    "go1.21.0",
    "go1.20.14",
    "go1.20.1",
    "go1.20",
    "go1.19",
];
const JQ: &[&str] = &["jq-1.8.1", "jq-1.8.0", "jq-1.7.1", "jq-1.7", "jq-1.7rc2", "jq-1.6", "jq-1.5"];
const PBS: &[&str] = &[
    "3.13.15+20260814",
    "3.12.14+20260814",
    "3.12.7+20241206",
    "3.12.7+20241016",
    "3.11.16+20260814",
    "3.15.0rc1+20260814",
    "3.10.21+20260814",
];
const RUFF: &[&str] = &["0.16.4", "0.7.0", "0.6.9", "0.6.10", "0.6.2", "0.5.0", "v0.4.10", "v0.4.9", "0.1.8"];
const PG_NPM: &[&str] =
    &["17.6.0-beta.15", "18.3.0-beta.16", "18.3.0-beta.17", "18.4.0-beta.16", "18.4.0-beta.17"];

#[test]
fn node_prefixes_exact_and_ranges() {
    let node = list(NODE);
    assert_eq!(pick("22", &node).as_deref(), Some("v22.12.0"));
    assert_eq!(pick("22.11", &node).as_deref(), Some("v22.11.0"));
    assert_eq!(pick("22.11.0", &node).as_deref(), Some("v22.11.0"));
    assert_eq!(pick("v22.11.0", &node).as_deref(), Some("v22.11.0"));
    assert_eq!(pick("22.x", &node).as_deref(), Some("v22.12.0"));
    assert_eq!(pick("2", &node), None, "`2` must not match 20.x or 22.x");
    assert_eq!(pick("latest", &node).as_deref(), Some("v23.4.0"));
    assert_eq!(pick("*", &node).as_deref(), Some("v23.4.0"));
    assert_eq!(pick("^20.9", &node).as_deref(), Some("v20.18.1"));
    assert_eq!(pick("~22.1", &node).as_deref(), Some("v22.1.0"));
    assert_eq!(pick(">=18, <21", &node).as_deref(), Some("v20.18.1"));
    assert_eq!(pick(">=18 <21", &node).as_deref(), Some("v20.18.1"));
    assert_eq!(pick(">= 18, < 21", &node).as_deref(), Some("v20.18.1"));
    assert_eq!(pick(">22", &node).as_deref(), Some("v23.4.0"));
    assert_eq!(pick("<=20", &node).as_deref(), Some("v20.18.1"));
    assert_eq!(pick("<=22.11.0", &node).as_deref(), Some("v22.11.0"));
    assert_eq!(pick("=18", &node).as_deref(), Some("v18.20.5"));
    assert_eq!(pick("25", &node), None);
    assert_eq!(pick("24", &node), None, "a release candidate is not chosen for a plain spec");
    assert_eq!(pick("24.0.0-rc.1", &node).as_deref(), Some("v24.0.0-rc.1"));
    assert_eq!(pick(">=24.0.0-rc.0", &node).as_deref(), Some("v24.0.0-rc.1"));
}

#[test]
fn go_lines_with_and_without_patch_zero() {
    let go = list(GO);
    assert_eq!(pick("1.20", &go).as_deref(), Some("go1.20.14"));
    assert_eq!(pick("1.20.0", &go).as_deref(), Some("go1.20"), "go1.20 is go 1.20.0");
    assert_eq!(pick("1.2", &go), None, "`1.2` must not match 1.20 or 1.24");
    assert_eq!(pick("1", &go).as_deref(), Some("go1.24.4"));
    assert_eq!(pick(">=1.20, <1.23", &go).as_deref(), Some("go1.22.12"));
    assert_eq!(pick("~1.23", &go).as_deref(), Some("go1.23.10"));
    assert_eq!(pick("latest", &go).as_deref(), Some("go1.24.4"));
    assert_eq!(pick("1.25rc1", &go).as_deref(), Some("go1.25rc1"));
    assert_eq!(pick("go1.23.4", &go).as_deref(), Some("go1.23.4"), "a copied tag is a version");
    assert_eq!(pick("1.25beta1", &go).as_deref(), Some("go1.25beta1"));
}

#[test]
fn jq_tags() {
    let jq = list(JQ);
    assert_eq!(pick("1.7", &jq).as_deref(), Some("jq-1.7.1"));
    assert_eq!(pick("1.7.0", &jq).as_deref(), Some("jq-1.7"));
    assert_eq!(pick("1.7.1", &jq).as_deref(), Some("jq-1.7.1"));
    assert_eq!(pick("jq-1.6", &jq).as_deref(), Some("jq-1.6"));
    assert_eq!(pick("latest", &jq).as_deref(), Some("jq-1.8.1"));
    assert_eq!(pick("^1.5", &jq).as_deref(), Some("jq-1.8.1"));
    assert_eq!(pick("1.7rc2", &jq).as_deref(), Some("jq-1.7rc2"));
}

#[test]
fn python_build_standalone_builds() {
    let pbs = list(PBS);
    assert_eq!(pick("3.12", &pbs).as_deref(), Some("3.12.14+20260814"));
    assert_eq!(pick("3.12.7", &pbs).as_deref(), Some("3.12.7+20241206"), "newest build of 3.12.7");
    assert_eq!(pick("3.12.7+20241016", &pbs).as_deref(), Some("3.12.7+20241016"));
    assert_eq!(pick("~3.12", &pbs).as_deref(), Some("3.12.14+20260814"));
    assert_eq!(pick("3", &pbs).as_deref(), Some("3.13.15+20260814"));
    assert_eq!(pick("<=3.12.7", &pbs).as_deref(), Some("3.12.7+20241206"));
    assert_eq!(pick("3.15", &pbs), None);
    assert_eq!(pick("3.15.0rc1", &pbs).as_deref(), Some("3.15.0rc1+20260814"));
}

#[test]
fn ruff_with_and_without_v() {
    let ruff = list(RUFF);
    assert_eq!(pick("0.6", &ruff).as_deref(), Some("0.6.10"));
    assert_eq!(pick("^0.6", &ruff).as_deref(), Some("0.6.10"), "^0.6 stays on 0.6");
    assert_eq!(pick("0.6.9", &ruff).as_deref(), Some("0.6.9"));
    assert_eq!(pick("0.4", &ruff).as_deref(), Some("v0.4.10"));
    assert_eq!(pick("^0.4.9", &ruff).as_deref(), Some("v0.4.10"));
    assert_eq!(pick(">0.5", &ruff).as_deref(), Some("0.16.4"));
    assert_eq!(pick(">0.5, <0.7", &ruff).as_deref(), Some("0.6.10"));
    assert_eq!(pick("latest", &ruff).as_deref(), Some("0.16.4"));
}

#[test]
fn embedded_postgres_pre_releases_count_as_releases_when_asked() {
    let pg = list(PG_NPM);
    let spec = VersionSpec::parse("18").unwrap();
    assert_eq!(best(&spec, &pg), None);
    let pick_loose = |s: &str| {
        best_with(&VersionSpec::parse(s).unwrap(), &pg, Prereleases::AsReleases)
            .map(|v| v.as_str().to_string())
    };
    assert_eq!(pick_loose("18").as_deref(), Some("18.4.0-beta.17"));
    assert_eq!(pick_loose("18.3.0").as_deref(), Some("18.3.0-beta.17"));
    assert_eq!(pick_loose("18.3.0-beta.16").as_deref(), Some("18.3.0-beta.16"));
    assert_eq!(pick_loose("<18").as_deref(), Some("17.6.0-beta.15"));
    assert_eq!(pick_loose("latest").as_deref(), Some("18.4.0-beta.17"));
}

#[test]
fn caret_and_tilde_bounds() {
    let vs =
        list(&["0.0.3", "0.0.4", "0.2.3", "0.2.9", "0.3.0", "1.2.3", "1.9.9", "2.0.0-rc1", "2.0.0", "3.0.0"]);
    assert_eq!(pick("^0.0.3", &vs).as_deref(), Some("0.0.3"));
    assert_eq!(pick("^0.2.3", &vs).as_deref(), Some("0.2.9"));
    assert_eq!(pick("^0", &vs).as_deref(), Some("0.3.0"));
    assert_eq!(pick("^1.2", &vs).as_deref(), Some("1.9.9"));
    assert_eq!(pick("^1.2.4", &vs).as_deref(), Some("1.9.9"));
    assert_eq!(pick("^1.9.10", &vs), None);
    assert_eq!(pick("~1", &vs).as_deref(), Some("1.9.9"));
    assert_eq!(pick("~1.2.3", &vs).as_deref(), Some("1.2.3"));
    assert_eq!(pick("~2", &vs).as_deref(), Some("2.0.0"));
}

#[test]
fn spec_kinds() {
    let v = |s: &str| Version::parse(s).unwrap();
    assert_eq!(VersionSpec::parse("22").unwrap(), VersionSpec::Prefix(v("22")));
    assert_eq!(VersionSpec::parse("22.11").unwrap(), VersionSpec::Prefix(v("22.11")));
    assert_eq!(VersionSpec::parse("22.11.0").unwrap(), VersionSpec::Exact(v("22.11.0")));
    assert_eq!(VersionSpec::parse("latest").unwrap(), VersionSpec::Latest);
    assert_eq!(VersionSpec::parse("lts").unwrap(), VersionSpec::Alias("lts".into()));
    assert_eq!(VersionSpec::parse("lts/iron").unwrap(), VersionSpec::Alias("lts/iron".into()));
    assert_eq!(
        VersionSpec::parse(">=1.20, <1.23").unwrap(),
        VersionSpec::Range(vec![
            Comparator { op: Op::Ge, version: v("1.20") },
            Comparator { op: Op::Lt, version: v("1.23") },
        ])
    );
    for (input, shown) in
        [("^1.2", "^1.2"), ("~3.12", "~3.12"), (">=1.20 <1.23", ">=1.20, <1.23"), ("lts", "lts")]
    {
        assert_eq!(VersionSpec::parse(input).unwrap().to_string(), shown);
    }
}

#[test]
fn aliases_match_nothing_until_resolved() {
    let node = list(NODE);
    assert_eq!(pick("lts", &node), None);
    assert!(!VersionSpec::parse("lts").unwrap().matches(&node[0]));
    assert!(VersionSpec::parse("23").unwrap().matches(&node[0]));
}

#[test]
fn bad_specs_say_what_is_accepted() {
    for (input, reason) in [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("^", "no version follows the operator"),
        ("~latest", "`latest` is not a version: it has no digits"),
        (">=", "`>=` has no version after it"),
        ("=>1.2", "`=>` is not a comparison (use >, >=, <, <=, =)"),
        (">=1.2, <x1", "`x1` does not start with a number"),
        ("1.2.3 || 1.4", "den takes one range, not alternatives joined with `||`"),
        ("22..1", "`22..1` is not a version: its pre-release or build part has an empty piece"),
        ("@@", "it is neither a version, a range nor a name"),
    ] {
        let err: SpecError = VersionSpec::parse(input).unwrap_err();
        assert_eq!(err.to_string(), format!("invalid version spec `{input}`: {reason}"), "{input:?}");
        assert!(err.hint().unwrap().contains("`>=1.20, <1.23`"));
    }
    let err: VersionError = Version::parse("nightly").unwrap_err();
    assert_eq!(err.to_string(), "`nightly` is not a version: it has no digits");
}
