//! Parsing and ordering of real-world version strings.

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn prefixes_are_skipped_and_kept() {
    for (raw, prefix, bare, nums) in [
        ("v1.7.1", "v", "1.7.1", &[1, 7, 1][..]),
        ("jq-1.7.1", "jq-", "1.7.1", &[1, 7, 1]),
        ("go1.23.4", "go", "1.23.4", &[1, 23, 4]),
        ("bun-v1.1.38", "bun-v", "1.1.38", &[1, 1, 38]),
        ("@biomejs/biome@2.5.10", "@biomejs/biome@", "2.5.10", &[2, 5, 10]),
        ("cli/v1.9.4", "cli/v", "1.9.4", &[1, 9, 4]),
        ("1.22", "", "1.22", &[1, 22]),
        ("2024.10.1", "", "2024.10.1", &[2024, 10, 1]),
        ("0.6.9", "", "0.6.9", &[0, 6, 9]),
        ("  22.11.0 ", "", "22.11.0", &[22, 11, 0]),
    ] {
        let parsed = v(raw);
        assert_eq!((parsed.prefix(), parsed.bare(), parsed.components()), (prefix, bare, nums), "{raw}");
        assert!(!parsed.is_prerelease(), "{raw}");
        assert_eq!(parsed.as_str(), raw.trim());
    }
}

#[test]
fn pre_releases_and_builds_are_recognised() {
    for raw in ["18.4.0-beta.17", "go1.25rc1", "1.0.0-alpha", "3.15.0rc1", "1.10.0-alpha20240807"] {
        assert!(v(raw).is_prerelease(), "{raw}");
    }
    let pbs = v("3.12.7+20241016");
    assert!(!pbs.is_prerelease());
    assert!(pbs.has_build());
    assert_eq!(pbs.components(), &[3, 12, 7]);
    let zig = v("0.16.0-dev.1225+bf9082518");
    assert!(zig.is_prerelease() && zig.has_build());
}

#[test]
fn dates_with_dashes_are_numeric_components() {
    assert_eq!(v("2025-08-25").components(), &[2025, 8, 25]);
    assert_eq!(v("2026-08-17.4").components(), &[2026, 8, 17, 4]);
    assert!(v("2025-08-25") < v("2025-09-01"));
    assert!(v("2026-08-17") < v("2026-08-17.4"));
    assert!(!v("2025-08-25").is_prerelease());
}

#[test]
fn non_versions_are_refused() {
    for bad in
        ["", "nightly", "latest", "canary", "1..2", "1.2-", "1.2+", "v 1.2", "1.2.3-be ta", "1.2.3-a..b"]
    {
        assert!(Version::parse(bad).is_err(), "{bad:?} should not parse");
    }
    let e = Version::parse("99999999999999999999999").unwrap_err();
    assert_eq!(e.to_string(), "`99999999999999999999999` is not a version: a number in it is too large");
    assert!(crate::hint::Hint::hint(&e).unwrap().contains("`v1.7.1`"));
}

#[test]
fn ordering_is_numeric_with_pre_releases_first() {
    let ordered = [
        "0.9.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.2",
        "1.9.0",
        "1.10.0",
        "1.22",
        "1.22.1",
        "2.0.0",
        "2024.10.1",
    ];
    for pair in ordered.windows(2) {
        assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
    }
}

#[test]
fn go_tags_order_like_go_itself() {
    let mut tags: Vec<Version> =
        ["go1.25rc1", "go1.24.4", "go1.25beta1", "go1.20", "go1.25.0", "go1.20.1", "go1.9"]
            .into_iter()
            .map(v)
            .collect();
    tags.sort();
    let sorted: Vec<&str> = tags.iter().map(Version::as_str).collect();
    assert_eq!(sorted, ["go1.9", "go1.20", "go1.20.1", "go1.24.4", "go1.25beta1", "go1.25rc1", "go1.25.0"]);
}

#[test]
fn dev_and_rc_numbers_compare_numerically() {
    assert!(v("3.15.0rc2") < v("3.15.0rc10"));
    assert!(v("1.9.0-rc1") < v("1.9.0"));
    assert!(v("0.16.0-dev.1225+bf9082518") < v("0.16.0"));
    assert!(v("1.10.0-alpha20240807") < v("1.10.0-beta1"));
    assert!(v("18.3.0-beta.17") < v("18.4.0-beta.16"));
}

#[test]
fn build_tags_break_ties_newest_last() {
    assert!(v("3.12.7+20241016") < v("3.12.7+20241206"));
    assert!(v("3.12.7+20241206") < v("3.12.8+20240101"));
    assert!(v("3.12.7") < v("3.12.7+20241016"));
}

#[test]
fn equality_is_the_original_string() {
    assert_ne!(v("v1.7.1"), v("1.7.1"));
    assert_eq!(v("v1.7.1"), v(" v1.7.1"));
    assert_eq!(v("1.20").cmp(&v("1.20.0")), Ordering::Less);
    assert_eq!(cmp_nums(&[1, 20], &[1, 20, 0]), Ordering::Equal);
}

#[test]
fn prefixes_stop_at_component_boundaries() {
    let has = |version: &str, prefix: &str| v(version).has_prefix(prefix);
    assert!(has("1.7.1", "1.7"));
    assert!(has("1.7.1", "1.7."));
    assert!(has("1.7.1", "v1"));
    assert!(has("1.7.1", ""));
    assert!(has("1.7.1", "1.7.1"));
    assert!(has("jq-1.7.1", "1.7"));
    assert!(!has("1.70.0", "1.7"));
    assert!(!has("21.0.0", "2"));
    assert!(has("18.4.0-beta.17", "18.4.0-"));
}
