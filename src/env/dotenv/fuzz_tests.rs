//! Fuzz target of the dotenv parser (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): arbitrary text and dotenv-shaped text never panic, every error names
//! a line of the file and every entry starts on one (that what `den export dotenv` writes
//! is read back byte for byte is `shell`'s property, in `shell/dotenv_fuzz_tests.rs`).

use proptest::prelude::*;
use proptest::sample::select;

use super::parse;
use crate::fuzz::{config, mutate, soup};

const TOKENS: &[&str] = &[
    "A",
    "_x9",
    "PATH",
    "export",
    "export ",
    "=",
    " = ",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "#",
    " # c",
    "'",
    "\"",
    "\\",
    "\\n",
    "\\\"",
    "\\$",
    "\\q",
    "${A}",
    "${A:-d}",
    "${A:-${B}}",
    "${",
    "}",
    ":-",
    "$$",
    "$",
    "1",
    "-",
    "é",
    "\u{0}",
    "\u{feff}",
    "\u{2028}",
];

/// One dotenv line: `[export ]NAME = value [# comment]`, values unquoted, single- or
/// double-quoted (possibly spanning lines), with escapes and `${}` references.
fn line() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        select(&["A", "B_1", "_", "PATH", "export"][..]).prop_map(str::to_string),
        "[A-Za-z_][A-Za-z0-9_]{0,6}"
    ];
    let body = soup(
        &["x", " ", "${A}", "${B:-y}", "$$", "$", "#", "\n", "é", "'", "\"", "\\", "\\n", "\\$", "\\\""],
        6,
    );
    let value = prop_oneof![
        body.clone().prop_map(|b| b.replace(['\n', '\'', '"'], "")),
        body.clone().prop_map(|b| format!("'{}'", b.replace('\'', ""))),
        body.prop_map(|b| format!("\"{}\"", b.replace("\\\"", "").replace('"', ""))),
    ];
    let export = select(&["", "export ", "  export\t"][..]);
    let around = select(&["=", " = ", "\t=", "= "][..]);
    let end = select(&["", " # note", "\t#", "   "][..]);
    let eol = select(&["\n", "\r\n", "\n\n# comment\n"][..]);
    (export, name, around, value, end, eol).prop_map(|(x, n, a, v, e, l)| format!("{x}{n}{a}{v}{e}{l}"))
}

fn dotenv_text() -> impl Strategy<Value = String> {
    mutate(proptest::collection::vec(line(), 0..8).prop_map(|l| l.concat()), TOKENS)
}

/// The number of lines of `text` as the parser counts them (CRLF is one break).
fn lines(text: &str) -> usize {
    text.replace("\r\n", "\n").split('\n').count()
}

/// Parses, and checks that every line number it reports is a line of `text`.
fn check(text: &str) {
    let max = lines(text);
    match parse(text) {
        Ok(entries) => {
            let mut last = 0;
            for e in entries {
                assert!(
                    e.line >= 1 && e.line <= max && e.line > last,
                    "entry line {} of {max}: {text:?}",
                    e.line
                );
                assert!(crate::env::template::is_valid_name(&e.name), "{:?} from {text:?}", e.name);
                last = e.line;
            }
        }
        Err(e) => {
            assert!(e.line >= 1 && e.line <= max, "error line {} of {max}: {text:?}", e.line);
            let control = |c: char| c.is_control() && c != '\t';
            assert!(!e.message.is_empty() && !e.message.contains(control), "{e:?} from {text:?}");
        }
    }
}

proptest! {
    #![proptest_config(config(800))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn token_soup_never_panics(text in soup(TOKENS, 40)) {
        check(&text);
    }

    #[test]
    fn near_valid_files_never_panic(text in dotenv_text()) {
        check(&text);
    }
}

/// 100k nested quotes and references: parsed without deep recursion.
#[test]
fn deep_inputs_do_not_overflow_the_stack() {
    check(&"${A:-".repeat(100_000));
    check(&format!("A=\"{}\"", "${A:-".repeat(100_000)));
    check(&format!("A={}{}", "${A:-".repeat(10_000), "}".repeat(10_000)));
    check(&"A='\n".repeat(50_000));
}

/// Found: the message quoted the file's control characters raw (an escape sequence reached
/// the terminal, a newline split the one-line error).
#[test]
fn control_characters_in_errors_are_escaped() {
    let e = parse("A='x'\x1b[31m").unwrap_err();
    assert_eq!(e.message, "unexpected `\\e` after the closing quote");
    let e = parse("A\x07B=1").unwrap_err();
    assert_eq!(e.message, "expected `=` after `A`");
    let e = parse("1\x1b[2J=x").unwrap_err();
    assert_eq!(e.message, "expected `NAME=value`, found `1\\e[2J=x`");
    let e = parse("A=\"${B\x1b}\"").unwrap_err();
    assert!(e.message.starts_with("`${B\\e}` is not a variable reference"), "{}", e.message);
}

/// Found: a line that is not an assignment was quoted whole in the message, however long.
#[test]
fn a_long_bad_line_is_quoted_short() {
    let e = parse(&format!("1{}", "x".repeat(100_000))).unwrap_err();
    assert_eq!(e.message, format!("expected `NAME=value`, found `1{}…`", "x".repeat(59)));
}
