//! `den init`: writes a commented den.toml, imports foreign files, never overwrites.

use crate::support::{Env, run};

const EMPTY: &str = "# den.toml: this project's development environment (see `den --help`).

# Tools and version specs: \"22\" (newest 22.x.y), \"22.11.0\" (exact), \"latest\", \"lts\".
[tools]
# node = \"22\"

# Environment variables, set while you work in this project.
[env]
# RUST_LOG = \"debug\"
# PATH = { prepend = [\"bin\"] }

# Services for `den up` (a database, a dev server, ...).
# [services.postgres]
# preset = \"postgres\"
# version = \"16\"
";

#[test]
fn init_in_an_empty_directory_writes_the_commented_template() {
    let env = Env::new();
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    let path = env.project().join("den.toml");
    assert_eq!(
        out.stderr,
        format!(
            "den: wrote {} (trusted: den wrote it)\n\
             den: next: edit it to add tools and variables, then run `den trust` to apply your edits\n",
            path.display()
        )
    );
    assert_eq!(std::fs::read_to_string(path).unwrap(), EMPTY);
}

#[test]
fn init_imports_tools_and_says_from_where() {
    let env = Env::new();
    let tv = env.write(".tool-versions", "nodejs 22.1.0\npython system\n");
    env.write(".python-version", "3.12\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let path = env.project().join("den.toml");
    assert_eq!(
        out.stderr,
        format!(
            "den: .tool-versions: imported node 22.1.0\n\
             den: warning: {}:2: python not imported: `system` means the machine's own python, which den does not manage\n\
             den: .python-version: imported python 3.12\n\
             den: wrote {} (trusted: den wrote it)\n\
             den: next: run `den install` to install node 22.1.0, python 3.12; edit it to add more, then run `den trust` to apply your edits\n",
            tv.display(),
            path.display()
        )
    );
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text,
        EMPTY.replace(
            "# node = \"22\"\n",
            "node = \"22.1.0\"\npython = \"3.12\"\n"
        ).replace(
            "(see `den --help`).\n",
            "(see `den --help`).\n# `den init` wrote it from .tool-versions, .python-version; den reads those files only where there is no den.toml.\n"
        )
    );
}

#[test]
fn init_refuses_to_overwrite() {
    let env = Env::new();
    env.write("den.toml", "[tools]\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "den: {} already exists\nhelp: edit it, or remove it first to start over with `den init`\n",
            env.project().join("den.toml").display()
        )
    );
    assert_eq!(std::fs::read_to_string(env.project().join("den.toml")).unwrap(), "[tools]\n");
}

#[test]
fn init_takes_a_directory_and_ignores_its_parents() {
    let env = Env::new();
    env.write(".nvmrc", "20\n");
    env.write("sub/.go-version", "1.23\n");
    let out = run(env.den(), &["init", "sub"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.starts_with("den: .go-version: imported go 1.23\nden: wrote "), "{}", out.stderr);
    let text = std::fs::read_to_string(env.project().join("sub/den.toml")).unwrap();
    assert!(text.contains("\ngo = \"1.23\"\n") && !text.contains("node"), "{text}");
    assert!(!env.project().join("den.toml").exists());
}

#[test]
fn init_with_dash_c() {
    let env = Env::new();
    env.write("app/.node-version", "v22.3.0\n");
    let out = run(env.den_in(&env.home()), &["-C", env.project().join("app").to_str().unwrap(), "init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(env.project().join("app/den.toml")).unwrap();
    assert!(text.contains("\nnode = \"22.3.0\"\n"), "{text}");
}

#[test]
fn init_in_a_missing_directory_fails() {
    let env = Env::new();
    let out = run(env.den(), &["init", "nope"]);
    assert_eq!(out.code, 1);
    let path = env.project().join("nope/den.toml");
    assert_eq!(
        out.stderr,
        format!("den: cannot write {}: No such file or directory (os error 2)\n", path.display())
    );
}

#[test]
fn the_file_den_init_writes_is_trusted_until_the_user_edits_it() {
    let env = Env::new();
    assert_eq!(run(env.den(), &["init"]).code, 0);
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let path = env.project().join("den.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("[env]", "[env]\nEDITED = \"yes\"")).unwrap();
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 1, "an edit by the user needs trusting again");
}
