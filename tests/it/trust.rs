//! `den trust`, `den untrust`, `den trust --list` (spec §8) with the real binary and the
//! real record files.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{Env, run};

const TOML: &str = "[tools]\nnode = \"22\"\nruff = \"0.6\"\n";
const EDITED: &str =
    "[tools]\nnode = \"22\"\nruff = \"0.7\"\n\n[env]\nGH_TOKEN = { command = \"pass show gh\" }\n";

/// The canonical path of the project's den.toml (what records name).
fn manifest(env: &Env) -> PathBuf {
    env.project().canonicalize().unwrap().join("den.toml")
}

/// The trust bucket under the pinned XDG data dir.
fn bucket(env: &Env) -> PathBuf {
    env.home().join(".local/share/den/trust-v1")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn sha256(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

#[test]
fn trust_list_edit_retrust_untrust() {
    let env = Env::new();
    env.write("den.toml", TOML);
    let m = manifest(&env);
    let m = m.display();

    let out = run(env.den(), &["trust"]);
    out.success();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, format!("den: trusted {m}\n"));

    let out = run(env.den(), &["trust"]);
    out.success();
    assert_eq!(out.stderr, format!("den: {m} is already trusted\n"));

    let out = run(env.den(), &["trust", "--list"]);
    out.success();
    assert_eq!(out.stdout, format!("{m}\ttrusted\n"));
    assert_eq!(out.stderr, "");

    env.write("den.toml", EDITED);
    let out = run(env.den(), &["trust", "--list"]);
    out.success();
    assert_eq!(out.stdout, format!("{m}\tchanged since trust\n"));

    let out = run(env.den(), &["trust"]);
    out.success();
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        format!(
            "--- {m} (trusted)\n\
             +++ {m} (current)\n\
             @@ -1,3 +1,6 @@\n \
             [tools]\n \
             node = \"22\"\n\
             -ruff = \"0.6\"\n\
             +ruff = \"0.7\"\n\
             +\n\
             +[env]\n\
             +GH_TOKEN = {{ command = \"pass show gh\" }}\n\
             den: trusted {m}\n"
        )
    );
    let out = run(env.den(), &["trust", "--list"]);
    assert_eq!(out.stdout, format!("{m}\ttrusted\n"));

    let out = run(env.den(), &["untrust"]);
    out.success();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, format!("den: untrusted {m}\n"));

    let out = run(env.den(), &["untrust"]);
    out.success();
    assert_eq!(out.stderr, format!("den: {m} was not trusted\n"));

    let out = run(env.den(), &["trust", "--list"]);
    out.success();
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "den: no trusted files\n");
    assert_eq!(files_in(&bucket(&env)), Vec::<String>::new());
}

#[test]
fn trust_finds_den_toml_from_a_subdirectory_and_a_dir_argument() {
    let env = Env::new();
    env.write("den.toml", TOML);
    std::fs::create_dir_all(env.project().join("src/deep")).unwrap();
    let m = manifest(&env);

    let out = run(env.den_in(&env.project().join("src/deep")), &["trust"]);
    out.success();
    assert_eq!(out.stderr, format!("den: trusted {}\n", m.display()));

    let out = run(env.den_in(env.tmp.path()), &["untrust", "project/src"]);
    out.success();
    assert_eq!(out.stderr, format!("den: untrusted {}\n", m.display()));
}

#[test]
fn no_den_toml_is_an_error_that_says_what_to_do() {
    let env = Env::new();
    env.write(".nvmrc", "22\n");
    let dir = env.project().canonicalize().unwrap();
    let expected = format!(
        "den: no den.toml in {} or any parent directory\n\
         help: `den init` writes one\n\
         help: projects with only .tool-versions, .nvmrc and the like need no trust: they cannot run anything\n",
        dir.display()
    );
    for cmd in ["trust", "untrust"] {
        let out = run(env.den(), &[cmd]);
        assert_eq!(out.code, 1, "{cmd}");
        assert_eq!(out.stdout, "", "{cmd}");
        assert_eq!(out.stderr, expected, "{cmd}");
    }
}

#[test]
fn records_are_private_atomic_files_keyed_by_the_canonical_path() {
    let env = Env::new();
    env.write("den.toml", TOML);
    run(env.den(), &["trust"]).success();
    let m = manifest(&env);
    let key = sha256(m.to_str().unwrap());
    let bucket = bucket(&env);

    assert_eq!(files_in(&bucket), vec![format!("{key}.content"), format!("{key}.toml")]);
    assert_eq!(mode(&bucket), 0o700);
    assert_eq!(mode(bucket.parent().unwrap()), 0o700);
    assert_eq!(mode(&bucket.join(format!("{key}.toml"))), 0o600);
    assert_eq!(mode(&bucket.join(format!("{key}.content"))), 0o600);

    assert_eq!(std::fs::read_to_string(bucket.join(format!("{key}.content"))).unwrap(), TOML);
    let record = std::fs::read_to_string(bucket.join(format!("{key}.toml"))).unwrap();
    let lines: Vec<_> = record.lines().collect();
    assert_eq!(lines[0], format!("path = \"{}\"", m.display()));
    assert_eq!(lines[1], format!("sha256 = \"{}\"", sha256(TOML)));
    assert!(lines[2].starts_with("trusted_at_unix = "), "{record}");
    assert_eq!(lines.len(), 3, "{record}");
}

#[test]
fn a_symlinked_dir_and_the_real_dir_share_one_record() {
    let env = Env::new();
    env.write("den.toml", TOML);
    let link = env.tmp.path().join("link");
    std::os::unix::fs::symlink(env.project(), &link).unwrap();
    let m = manifest(&env);

    let out = run(env.den_in(env.tmp.path()), &["trust", link.to_str().unwrap()]);
    out.success();
    assert_eq!(out.stderr, format!("den: trusted {}\n", m.display()));

    let out = run(env.den(), &["trust"]);
    assert_eq!(out.stderr, format!("den: {} is already trusted\n", m.display()));
    let out = run(env.den(), &["trust", "--list"]);
    assert_eq!(out.stdout, format!("{}\ttrusted\n", m.display()));

    let out = run(env.den(), &["untrust"]);
    assert_eq!(out.stderr, format!("den: untrusted {}\n", m.display()));
    let out = run(env.den_in(env.tmp.path()), &["untrust", link.to_str().unwrap()]);
    assert_eq!(out.stderr, format!("den: {} was not trusted\n", m.display()));
}

#[test]
fn a_deleted_project_shows_as_missing_and_can_be_untrusted() {
    let env = Env::new();
    let file = env.write("den.toml", TOML);
    let m = manifest(&env);
    run(env.den(), &["trust"]).success();
    std::fs::remove_file(file).unwrap();

    let out = run(env.den(), &["trust", "--list"]);
    assert_eq!(out.stdout, format!("{}\tmissing\n", m.display()));
    let out = run(env.den(), &["untrust"]);
    out.success();
    assert_eq!(out.stderr, format!("den: untrusted {}\n", m.display()));
    assert_eq!(files_in(&bucket(&env)), Vec::<String>::new());
}

#[test]
fn den_home_holds_the_records() {
    let env = Env::new();
    env.write("den.toml", TOML);
    let den_home = env.tmp.path().join("den-home");
    let den = || {
        let mut cmd = env.den();
        cmd.env("DEN_HOME", &den_home);
        cmd
    };
    run(den(), &["trust"]).success();
    assert_eq!(files_in(&den_home.join("trust-v1")).len(), 2);
    assert!(!bucket(&env).exists());

    // Without DEN_HOME the record is not found: that is another data dir.
    let out = run(env.den(), &["trust", "--list"]);
    assert_eq!(out.stdout, "");
    let out = run(den(), &["trust", "--list"]);
    assert_eq!(out.stdout, format!("{}\ttrusted\n", manifest(&env).display()));
}
