//! Trust decisions against a store in a temp dir (the real store is driven by the
//! integration tests in tests/it/trust.rs).

use std::os::unix::fs::PermissionsExt;

use super::*;

struct Fixture {
    tmp: tempfile::TempDir,
    store: Store,
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::at(tmp.path().join("data/trust-v1"));
        std::fs::create_dir(tmp.path().join("project")).unwrap();
        Fixture { tmp, store }
    }

    fn file(&self) -> PathBuf {
        self.tmp.path().canonicalize().unwrap().join("project/den.toml")
    }

    fn write(&self, content: &str) -> PathBuf {
        let f = self.tmp.path().join("project/den.toml");
        std::fs::write(&f, content).unwrap();
        f
    }

    fn status(&self) -> Status {
        let f = self.file();
        status_in(&self.store, &f, &std::fs::read(&f).unwrap()).unwrap()
    }
}

#[test]
fn trust_then_edit_then_trust_again() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    assert_eq!(fx.status(), Status::Untrusted);

    assert_eq!(trust_in(&fx.store, &f).unwrap(), None);
    assert_eq!(fx.status(), Status::Trusted);
    // Trusting again as it is: nothing to show, nothing rewritten.
    assert_eq!(trust_in(&fx.store, &f).unwrap(), None);

    fx.write("a = 2\n");
    assert_eq!(fx.status(), Status::Changed { trusted_content: "a = 1\n".into() });
    let diff = trust_in(&fx.store, &f).unwrap().unwrap();
    assert!(diff.contains("\n-a = 1\n+a = 2\n"), "{diff}");
    assert_eq!(fx.status(), Status::Trusted);

    // Back to the earlier content: that is a change from what is trusted now.
    fx.write("a = 1\n");
    assert_eq!(fx.status(), Status::Changed { trusted_content: "a = 2\n".into() });
}

#[test]
fn the_record_is_keyed_by_the_canonical_path() {
    let fx = Fixture::new();
    fx.write("a = 1\n");
    let link = fx.tmp.path().join("link");
    std::os::unix::fs::symlink(fx.tmp.path().join("project"), &link).unwrap();
    trust_in(&fx.store, &link.join("den.toml")).unwrap();
    assert_eq!(fx.status(), Status::Trusted);
    assert_eq!(list_in(&fx.store).unwrap(), vec![Record { path: fx.file(), state: RecordState::Trusted }]);
}

#[test]
fn list_reports_changed_and_missing_files() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    trust_in(&fx.store, &f).unwrap();
    let other_dir = fx.tmp.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    std::fs::write(other_dir.join("den.toml"), "b = 1\n").unwrap();
    trust_in(&fx.store, &other_dir.join("den.toml")).unwrap();

    fx.write("a = 2\n");
    std::fs::remove_file(other_dir.join("den.toml")).unwrap();
    let states: Vec<_> = list_in(&fx.store).unwrap().into_iter().map(|r| r.state.label()).collect();
    assert_eq!(states, vec!["missing", "changed since trust"]);
}

#[test]
fn untrust_finds_the_record_of_a_file_that_is_gone() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    trust_in(&fx.store, &f).unwrap();
    std::fs::remove_file(&f).unwrap();
    let canonical = canonical_lenient(&f).unwrap();
    assert_eq!(canonical, fx.file());
    assert!(fx.store.remove(&canonical).unwrap());
    assert!(list_in(&fx.store).unwrap().is_empty());
}

#[test]
fn canonical_lenient_resolves_existing_ancestors_only() {
    let fx = Fixture::new();
    let link = fx.tmp.path().join("link");
    std::os::unix::fs::symlink(fx.tmp.path().join("project"), &link).unwrap();
    let real = fx.tmp.path().canonicalize().unwrap().join("project");
    assert_eq!(canonical_lenient(&link.join("x/y/den.toml")).unwrap(), real.join("x/y/den.toml"));
    assert_eq!(canonical_lenient(&link).unwrap(), real);
}

#[test]
fn own_edits_keep_a_trusted_file_trusted() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    trust_in(&fx.store, &f).unwrap();
    write_own_edit_in(&fx.store, &f, b"a = 1\nb = 2\n").unwrap();
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "a = 1\nb = 2\n");
    assert_eq!(fx.status(), Status::Trusted);
}

#[test]
fn own_edits_never_launder_an_unreviewed_edit() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    trust_in(&fx.store, &f).unwrap();
    fx.write("a = 1\nevil = true\n");
    write_own_edit_in(&fx.store, &f, b"a = 1\nevil = true\nb = 2\n").unwrap();
    assert_eq!(fx.status(), Status::Changed { trusted_content: "a = 1\n".into() });

    // Never trusted: stays untrusted.
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    retrust_in(&fx.store, &f, b"a = 2\n").unwrap();
    std::fs::write(&f, "a = 2\n").unwrap();
    assert_eq!(fx.status(), Status::Untrusted);
}

#[test]
fn a_file_den_creates_is_trusted() {
    let fx = Fixture::new();
    let f = fx.tmp.path().join("project/den.toml");
    write_own_edit_in(&fx.store, &f, b"[tools]\n").unwrap();
    assert_eq!(fx.status(), Status::Trusted);
    assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o644);
}

#[test]
fn own_edits_keep_the_file_mode_and_write_through_symlinks() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = fx.tmp.path().join("den-link.toml");
    std::os::unix::fs::symlink(&f, &link).unwrap();
    trust_in(&fx.store, &link).unwrap();
    write_own_edit_in(&fx.store, &link, b"a = 3\n").unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "a = 3\n");
    assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(fx.status(), Status::Trusted);
}
