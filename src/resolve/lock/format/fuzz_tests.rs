//! Fuzz target of den.lock's reader and writer (see `crate::fuzz` for the time bound and
//! `PROPTEST_CASES`): any lock den writes reads back as the same lock and renders to the
//! same bytes; arbitrary text, TOML token soup and damaged locks never panic, and every
//! error points at a line and column of the file.

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;

use super::{parse, render};
use crate::catalog::Platform;
use crate::fuzz::{TOML_TOKENS, assert_located, config, mutate, soup, toml_doc};
use crate::http::Checksum;
use crate::resolve::lock::{Error, Lock};
use crate::resolve::{Artifact, Resolved, Step};

/// A checksum in any text form den writes (`sha256:<hex>`, `sha512-<base64>`).
fn checksum() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<[u8; 32]>().prop_map(|d| Checksum::Sha256(d).to_string()),
        proptest::collection::vec(any::<u8>(), 64)
            .prop_map(|d| Checksum::Sha512(d.try_into().unwrap()).to_string()),
    ]
}

/// A relative path inside the tool's directory, the only kind a lock's `bin` may hold.
fn inner_path() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_é-][a-zA-Z0-9._é -]{0,8}(/[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,8}){0,2}"
}

fn step() -> impl Strategy<Value = Step> {
    let s = any::<String>;
    prop_oneof![
        s().prop_map(|path| Step::Chmod { path }),
        s().prop_map(|dir| Step::OtpInstall { dir }),
        s().prop_map(|python| Step::PythonScripts { python }),
        (s(), s()).prop_map(|(from, to)| Step::Rename { from, to }),
        (s(), s()).prop_map(|(link, target)| Step::Symlink { link, target }),
        (s(), s()).prop_map(|(file, base)| Step::SymlinksFromJson { file, base }),
        (s(), s(), s(), s()).prop_map(|(name, url, checksum, into)| Step::Package {
            name,
            url,
            checksum,
            into
        }),
        (s(), s(), s(), s()).prop_map(|(name, url, checksum, into)| Step::Component {
            name,
            url,
            checksum,
            into
        }),
    ]
}

fn artifact() -> impl Strategy<Value = Artifact> {
    let lists = (proptest::collection::vec(inner_path(), 0..3), proptest::collection::vec(step(), 0..3));
    (any::<String>(), checksum(), any::<Option<u64>>(), any::<String>(), lists, any::<String>()).prop_map(
        |(url, checksum, size, format, (bin, post_install), served_by)| Artifact {
            url,
            checksum,
            size,
            format,
            bin,
            post_install,
            served_by,
        },
    )
}

fn resolved() -> impl Strategy<Value = Resolved> {
    let platforms = proptest::collection::btree_map(select(Platform::ALL.to_vec()), artifact(), 0..3);
    (any::<String>(), any::<String>(), any::<String>(), any::<String>(), platforms).prop_map(
        |(name, spec, source, version, artifacts)| Resolved { name, spec, source, version, artifacts },
    )
}

fn lock() -> impl Strategy<Value = Lock> {
    proptest::collection::vec(resolved(), 0..3).prop_map(Lock::from_resolved)
}

const HEADERS: &[&str] = &[
    "tools.node",
    "tools.node.platforms.linux-x64",
    "tools.jq.platforms.darwin-arm64",
    "tools.x.platforms.plan9-x64",
    "tools",
    "tools.node.platforms",
];
const VOCAB: &[&str] = &[
    "version",
    "spec",
    "source",
    "url",
    "checksum",
    "size",
    "format",
    "bin",
    "post_install",
    "served_by",
    "chmod",
    "rename",
    "from",
    "to",
    "symlink",
    "link",
    "target",
    "symlinks_from_json",
    "file",
    "base",
    "tools",
    "platforms",
    "1",
    "22",
    "catalog",
    "tar.gz",
    "bin/node",
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "sha256:xyz",
    "linux-x64",
];

fn check(text: &str) {
    let file = Path::new("den.lock");
    match parse(file, text) {
        Ok(lock) => assert_eq!(parse(file, &render(&lock)).ok().as_ref(), Some(&lock), "{text:?}"),
        Err(Error::Invalid(d)) => assert_located(&d, file, text),
        Err(e) => panic!("{e} from {text:?}"),
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Written, read back: the same lock, and writing it again gives the same bytes.
    #[test]
    fn written_locks_read_back_identically(lock in lock()) {
        let text = render(&lock);
        let back = parse(Path::new("den.lock"), &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(&back, &lock);
        prop_assert_eq!(render(&back), text);
    }

    #[test]
    fn damaged_locks_never_panic(text in mutate(lock().prop_map(|l| render(&l)), TOML_TOKENS)) {
        check(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn token_soup_never_panics(text in soup(TOML_TOKENS, 40)) {
        check(&text);
    }

    #[test]
    fn lock_shaped_toml_never_panics(
        text in mutate(toml_doc(HEADERS, VOCAB).prop_map(|t| format!("version = 1\n{t}")), TOML_TOKENS)
    ) {
        check(&text);
    }
}

/// Deep nesting in den.lock: an error, never a stack overflow.
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    for n in [10_000, 100_000] {
        check(&"[".repeat(n));
        check(&format!("version = 1\n[tools.a]\nspec = {}", "[".repeat(n)));
        check(&format!("version = {}1{}", "{a = ".repeat(n), "}".repeat(n)));
        check(&format!("version = 1\n[{}]", vec!["tools"; n].join(".")));
    }
}

/// Found: a checksum holding an escaped newline made a two-line error message.
#[test]
fn checksum_with_a_newline_is_a_one_line_error() {
    let text = "version = 1\n[tools.a]\nspec = \"1\"\nsource = \"catalog\"\nversion = \"1\"\n\
                [tools.a.platforms.linux-x64]\nurl = \"u\"\nchecksum = \"sha256:ab\\ncd\"\nformat = \"zip\"\n\
                served_by = \"s\"\n";
    let Err(Error::Invalid(d)) = parse(Path::new("den.lock"), text) else { panic!("accepted") };
    assert_eq!(d.message, "`sha256:ab\\ncd` is not a checksum");
    assert_located(&d, Path::new("den.lock"), text);
}
