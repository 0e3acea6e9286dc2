//! Fuzz target of the `${}` template parser (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): arbitrary text and `${`-heavy text never panic, errors say what is
//! wrong, and a parsed template written back in template syntax parses to the same thing.

use crate::hint::Hint;
use proptest::prelude::*;

use super::{MAX_DEPTH, Part, Template, TemplateError};
use crate::fuzz::{config, mutate, soup};

const TOKENS: &[&str] = &[
    "${", "}", ":-", "$$", "$", "{", "A", "_b9", "1", "-", " ", "x", "é", "\n", "\\", "\u{0}", "${A}",
    "${A:-",
];

/// A well-formed template, nested defaults included.
fn template() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-z /:.]{0,5}",
        Just("$$".to_string()),
        Just("$x".to_string()),
        "[A-Za-z_][A-Za-z0-9_]{0,4}".prop_map(|n| format!("${{{n}}}")),
    ];
    leaf.prop_recursive(5, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|p| p.concat()),
            ("[A-Za-z_][A-Za-z0-9_]{0,4}", proptest::collection::vec(inner, 0..3))
                .prop_map(|(n, d)| format!("${{{n}:-{}}}", d.concat())),
        ]
    })
}

/// `t` in template syntax: literal `$` doubled, defaults nested.
fn write(t: &Template) -> String {
    t.parts
        .iter()
        .map(|p| match p {
            Part::Lit(s) => s.replace('$', "$$"),
            Part::Var { name, default: None } => format!("${{{name}}}"),
            Part::Var { name, default: Some(d) } => format!("${{{name}:-{}}}", write(d)),
        })
        .collect()
}

/// Parses; an error names the text it refuses; a success survives a write-back.
fn check(text: &str) {
    match Template::parse(text) {
        Ok(t) => {
            // Only a literal `}` inside a default cannot be written back; skip those.
            if !has_brace_in_default(&t) {
                assert_eq!(Template::parse(&write(&t)).as_ref(), Ok(&t), "{text:?}");
            }
        }
        Err(TemplateError::Unterminated | TemplateError::TooDeep) => {}
        Err(TemplateError::Invalid { found }) => {
            let shown = crate::diag::printable(text);
            let quoted = found.strip_suffix('…').unwrap_or(&found);
            assert!(shown.contains(&format!("${{{quoted}")), "{found:?} not in {text:?}");
            assert!(!found.contains(|c: char| c.is_control() && c != '\t'), "{found:?}");
        }
    }
}

fn has_brace_in_default(t: &Template) -> bool {
    t.parts.iter().any(|p| match p {
        Part::Lit(_) | Part::Var { default: None, .. } => false,
        Part::Var { default: Some(d), .. } => {
            d.parts.iter().any(|p| matches!(p, Part::Lit(s) if s.contains('}'))) || has_brace_in_default(d)
        }
    })
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn token_soup_never_panics(text in soup(TOKENS, 40)) {
        check(&text);
    }

    #[test]
    fn near_valid_templates_never_panic(text in mutate(template(), TOKENS)) {
        check(&text);
    }

    #[test]
    fn valid_templates_parse(text in template()) {
        prop_assert!(Template::parse(&text).is_ok(), "{:?}", text);
    }
}

/// Found: 10k nested `${A:-` overflowed the stack (the parser recursed once per level).
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for n in [MAX_DEPTH + 1, 10_000, 100_000] {
        let closed = format!("{}x{}", "${A:-".repeat(n), "}".repeat(n));
        assert_eq!(Template::parse(&closed), Err(TemplateError::TooDeep));
        assert_eq!(Template::parse(&"${A:-".repeat(n)), Err(TemplateError::TooDeep));
    }
    let e = TemplateError::TooDeep;
    assert_eq!(e.to_string(), "`${...:-...}` defaults nested more than 64 deep");
    assert!(e.hint().unwrap().contains("intermediate variable"), "{:?}", e.hint());
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let text = format!("{}x{}", "${A:-".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
    let mut t = Template::parse(&text).unwrap();
    for _ in 1..MAX_DEPTH {
        let Some(Part::Var { default: Some(d), .. }) = t.parts.pop() else { panic!("{t:?}") };
        t = d;
    }
    assert_eq!(t.parts, vec![Part::Var { name: "A".into(), default: Some(Template::literal("x")) }]);
}

/// Found: an invalid reference was quoted up to the next `}`, however far: a hostile 8 MiB
/// value made an 8 MiB message.
#[test]
fn invalid_reference_is_quoted_short() {
    let text = format!("${{-{}}}", "x".repeat(100_000));
    let Err(TemplateError::Invalid { found }) = Template::parse(&text) else { panic!() };
    assert_eq!(found, format!("-{}…", "x".repeat(59)));
}
