//! What some tests need beyond den itself: real programs (shells, shellcheck, direnv) and
//! the package registries of the live tests. A missing prerequisite fails the test with its
//! name; only an explicit opt-out turns that into a printed skip, so a test never passes
//! without checking. CI never sets these variables.

use std::path::{Path, PathBuf};

/// `DEN_TEST_SKIP_SHELLS=1`: a test whose program is not installed skips instead of failing.
pub const SKIP_SHELLS: &str = "DEN_TEST_SKIP_SHELLS";
/// `DEN_TEST_SKIP_LIVE=1`: the tests against the real registries are skipped outright.
pub const SKIP_LIVE: &str = "DEN_TEST_SKIP_LIVE";
/// `DEN_TEST_SKIP_MOUNT=1`: a test that needs to mount a small tmpfs (a real full disk)
/// skips where the machine does not allow it (not root, no CAP_SYS_ADMIN).
pub const SKIP_MOUNT: &str = "DEN_TEST_SKIP_MOUNT";

/// Whether the user opted out with `var=1`; if so, says on stderr that this test skipped
/// and why.
pub fn skipped(var: &str, why: &str) -> bool {
    let out = std::env::var(var).as_deref() == Ok("1");
    if out {
        let test = std::thread::current().name().unwrap_or("test").to_string();
        eprintln!("skipped: {test}: {why} ({var}=1)");
    }
    out
}

/// Fails the test: `what` is missing and the user did not opt out with `var`.
pub fn missing(var: &str, what: &str) -> ! {
    panic!("test prerequisite missing ({var}=1 skips the tests that need it): {what}")
}

/// Where `name` is in /usr/bin or /bin, where the tests run programs from (their PATH).
/// A missing program fails the test, or, with `DEN_TEST_SKIP_SHELLS=1`, skips it (`None`).
pub fn program(name: &str) -> Option<PathBuf> {
    if let Some(path) = ["/usr/bin", "/bin"].iter().map(|d| Path::new(d).join(name)).find(|p| p.exists()) {
        return Some(path);
    }
    if skipped(SKIP_SHELLS, &format!("{name} is not installed")) {
        return None;
    }
    missing(
        SKIP_SHELLS,
        &format!("{name} is not installed in /usr/bin or /bin; scripts/test-deps installs it"),
    )
}

/// [`program`] as a yes/no: `false` only when it is missing and the user opted out.
pub fn installed(name: &str) -> bool {
    program(name).is_some()
}

/// Whether the user opted out of the tests against the real registries (saying so).
pub fn live_skipped() -> bool {
    skipped(SKIP_LIVE, "it needs the package registries")
}

#[test]
fn a_missing_program_fails_the_test_naming_it_unless_the_user_opted_out() {
    let got = std::panic::catch_unwind(|| program("den-test-no-such-program"));
    if std::env::var(SKIP_SHELLS).as_deref() == Ok("1") {
        assert!(matches!(got, Ok(None)), "opted out: skipped");
    } else {
        let message = *got.expect_err("a missing program fails").downcast::<String>().unwrap();
        assert!(message.contains("den-test-no-such-program is not installed"), "{message}");
        assert!(message.contains("DEN_TEST_SKIP_SHELLS=1"), "{message}");
    }
    assert!(program("sh").is_some_and(|p| p.is_file() && p.ends_with("sh")), "sh is found");
}
