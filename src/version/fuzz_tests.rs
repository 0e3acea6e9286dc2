//! Fuzz target of version strings (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): arbitrary and version-shaped text never panics, a parsed version keeps
//! its text and splits it into prefix and bare version, and the order is a total order that
//! agrees with equality.

use std::cmp::Ordering;

use proptest::prelude::*;

use super::Version;
use crate::fuzz::{VERSION_TOKENS, config, mutate, version_text};

fn check(text: &str) -> Option<Version> {
    let v = match Version::parse(text) {
        Ok(v) => v,
        Err(e) => {
            assert!(!e.to_string().contains(|c: char| c.is_control() && c != '\t'), "{e:?}");
            return None;
        }
    };
    assert_eq!(v.as_str(), text.trim());
    assert_eq!(format!("{}{}", v.prefix(), v.bare()), v.as_str());
    assert!(!v.components().is_empty() && v.bare().starts_with(|c: char| c.is_ascii_digit()), "{v:?}");
    assert_eq!(Version::parse(&v.to_string()).as_ref(), Ok(&v));
    Some(v)
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn any_text_never_panics(text in version_text()) {
        check(&text);
    }

    #[test]
    fn near_valid_versions_never_panic(text in mutate(version_text(), VERSION_TOKENS)) {
        check(&text);
    }

    /// `cmp` is antisymmetric, transitive and `Equal` exactly when `==`, so sorting and
    /// `max` (the resolver's choice of version) are well defined.
    #[test]
    fn order_is_total(a in version_text(), b in version_text(), c in version_text()) {
        let (Some(a), Some(b), Some(c)) = (check(&a), check(&b), check(&c)) else { return Ok(()) };
        prop_assert_eq!(a.cmp(&b), b.cmp(&a).reverse());
        prop_assert_eq!(a.cmp(&b) == Ordering::Equal, a == b);
        if a <= b && b <= c {
            prop_assert!(a <= c, "{} <= {} <= {}", a, b, c);
        }
    }
}
