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

    /// `den trust` of `file` as it is now, with `dotenv` named in it.
    fn trust_with(&self, file: &Path, dotenv: &[&str]) -> Trusted {
        let content = std::fs::read(file).unwrap();
        let dotenv: Vec<String> = dotenv.iter().map(|d| d.to_string()).collect();
        let root = file.parent().unwrap();
        let review =
            review_in(&self.store, &Subject { file, content: &content, root, dotenv: &dotenv }, false)
                .unwrap();
        if review.already {
            return Trusted::Already;
        }
        record_in(&self.store, &review).unwrap();
        Trusted::Now { diff: review.diff }
    }

    fn trust(&self, file: &Path) -> Trusted {
        self.trust_with(file, &[])
    }
}

fn now(diff: &str) -> Trusted {
    Trusted::Now { diff: diff.into() }
}

#[test]
fn trust_then_edit_then_trust_again() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    assert_eq!(fx.status(), Status::Untrusted);

    assert_eq!(fx.trust(&f), now(""));
    assert_eq!(fx.status(), Status::Trusted);
    // Trusting again as it is: nothing to show, nothing rewritten.
    assert_eq!(fx.trust(&f), Trusted::Already);

    fx.write("a = 2\n");
    assert_eq!(fx.status(), Status::Changed { trusted_content: "a = 1\n".into() });
    let Trusted::Now { diff } = fx.trust(&f) else { panic!("not trusted again") };
    assert!(diff.contains("\n-a = 1\n+a = 2\n"), "{diff}");
    assert_eq!(fx.status(), Status::Trusted);

    // Back to the earlier content: that is a change from what is trusted now.
    fx.write("a = 1\n");
    assert_eq!(fx.status(), Status::Changed { trusted_content: "a = 2\n".into() });
}

#[test]
fn the_record_is_keyed_by_the_canonical_directory() {
    let fx = Fixture::new();
    fx.write("a = 1\n");
    let link = fx.tmp.path().join("link");
    std::os::unix::fs::symlink(fx.tmp.path().join("project"), &link).unwrap();
    fx.trust(&link.join("den.toml"));
    assert_eq!(fx.status(), Status::Trusted);
    assert_eq!(list_in(&fx.store).unwrap(), vec![Record { path: fx.file(), state: RecordState::Trusted }]);
}

#[test]
fn a_symlinked_den_toml_is_not_trusted_as_its_target() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    fx.trust(&f);
    let evil = fx.tmp.path().join("evil");
    std::fs::create_dir(&evil).unwrap();
    let link = evil.join("den.toml");
    std::os::unix::fs::symlink(&f, &link).unwrap();
    let key = key_path(&link).unwrap();
    assert_eq!(key, fx.tmp.path().canonicalize().unwrap().join("evil/den.toml"));
    assert_eq!(status_in(&fx.store, &key, b"a = 1\n").unwrap(), Status::Untrusted);
    // Trusted there, it is a record of its own; the target's stays as it was.
    fx.trust(&link);
    assert_eq!(status_in(&fx.store, &key, b"a = 1\n").unwrap(), Status::Trusted);
    let paths: Vec<_> = list_in(&fx.store).unwrap().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, vec![key, fx.file()]);
}

#[test]
fn dotenv_content_is_trusted_with_den_toml() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    let env = fx.tmp.path().join("project/.env");
    std::fs::write(&env, "A=1\n").unwrap();
    let root = f.parent().unwrap();
    // Never trusted, outside any git repository: local, so it applies.
    assert!(dotenv_allowed_in(&fx.store, &f, root, ".env", b"A=1\n"));
    fx.trust_with(&f, &[".env"]);
    let record = fx.store.read(&fx.file()).unwrap().unwrap();
    assert_eq!(
        record.dotenv,
        vec![store::DotenvRecord { name: ".env".into(), sha256: sha256_hex(b"A=1\n") }]
    );
    assert_eq!(fx.store.trusted_dotenv(&fx.file(), ".env", &sha256_hex(b"A=1\n")), "A=1\n");
    assert_eq!(fx.trust_with(&f, &[".env"]), Trusted::Already);
    // A changed dotenv file is a change to trust again (no diff: it is not in a repository).
    std::fs::write(&env, "A=2\n").unwrap();
    assert_eq!(fx.trust_with(&f, &[".env"]), now(""));
    // Own edits of den.toml keep the dotenv files trusted with it.
    write_own_edit_in(&fx.store, &f, b"a = 2\n").unwrap();
    assert_eq!(fx.store.read(&fx.file()).unwrap().unwrap().dotenv[0].sha256, sha256_hex(b"A=2\n"));
    // Untrust removes every copy.
    assert!(fx.store.remove(&fx.file()).unwrap());
    assert_eq!(std::fs::read_dir(fx.tmp.path().join("data/trust-v1")).unwrap().count(), 0);
}

#[test]
fn list_reports_changed_and_missing_files() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    fx.trust(&f);
    let other_dir = fx.tmp.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    std::fs::write(other_dir.join("den.toml"), "b = 1\n").unwrap();
    fx.trust(&other_dir.join("den.toml"));

    fx.write("a = 2\n");
    std::fs::remove_file(other_dir.join("den.toml")).unwrap();
    let states: Vec<_> = list_in(&fx.store).unwrap().into_iter().map(|r| r.state.label()).collect();
    assert_eq!(states, vec!["missing", "changed since trust"]);
}

#[test]
fn untrust_finds_the_record_of_a_file_that_is_gone() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    fx.trust(&f);
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
    fx.trust(&f);
    write_own_edit_in(&fx.store, &f, b"a = 1\nb = 2\n").unwrap();
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "a = 1\nb = 2\n");
    assert_eq!(fx.status(), Status::Trusted);
}

#[test]
fn own_edits_never_launder_an_unreviewed_edit() {
    let fx = Fixture::new();
    let f = fx.write("a = 1\n");
    fx.trust(&f);
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
    fx.trust(&link);
    fx.trust(&f);
    write_own_edit_in(&fx.store, &link, b"a = 3\n").unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "a = 3\n");
    assert_eq!(std::fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o640);
    // The link's record and the target's own both follow den's edit.
    assert_eq!(fx.status(), Status::Trusted);
    assert_eq!(status_in(&fx.store, &key_path(&link).unwrap(), b"a = 3\n").unwrap(), Status::Trusted);
}
