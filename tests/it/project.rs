//! Reading other tools' version files, as the real binary does for `den init`: merging
//! order, asdf and nvm spellings, mise's `[tools]`, and located errors.

use crate::support::{Env, run};

fn init_ok(env: &Env) -> String {
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    std::fs::read_to_string(env.project().join("den.toml")).unwrap()
}

/// The `[tools]` lines of the written den.toml.
fn tool_lines(text: &str) -> Vec<String> {
    let start = text.find("[tools]\n").unwrap() + "[tools]\n".len();
    text[start..].lines().take_while(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn an_earlier_file_wins_in_den_order() {
    let env = Env::new();
    env.write("mise.toml", "[tools]\nnode = \"18\"\nruff = [\"0.6\", \"0.5\"]\n\"cargo:ripgrep\" = \"14\"\n");
    env.write(".nvmrc", "lts/iron\n");
    env.write(".tool-versions", "# pinned\ngolang 1.22.1 1.21\n");
    let text = init_ok(&env);
    assert_eq!(
        tool_lines(&text),
        [
            "go = \"1.22.1\" # from .tool-versions",
            "node = \"lts\" # from .nvmrc",
            "ruff = \"0.6\" # from mise.toml"
        ]
    );
}

#[test]
fn skipped_entries_are_named() {
    let env = Env::new();
    env.write("mise.toml", "[tools]\n\"npm:prettier\" = \"3\"\n");
    env.write(".nvmrc", "node\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<_> = out.stderr.lines().take(3).collect();
    assert_eq!(
        lines,
        [
            "den: imported node latest from .nvmrc",
            "den: nothing imported from mise.toml",
            "den: warning: skipped `npm:prettier` in mise.toml: backend-prefixed tools are not imported; \
             declare it in den.toml with a `source`",
        ]
    );
}

#[test]
fn a_broken_mise_toml_is_reported_with_line_and_caret() {
    let env = Env::new();
    let path = env.write(".mise.toml", "[tools]\nnode = 22\"\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    let mut lines = out.stderr.lines();
    let first = lines.next().unwrap();
    assert!(first.starts_with(&format!("den: {}:2:", path.display())), "{}", out.stderr);
    assert!(first.contains(": invalid TOML: "), "{}", out.stderr);
    assert_eq!(lines.next(), Some("  |"));
    assert_eq!(lines.next(), Some("2 | node = 22\""));
    assert!(lines.next().unwrap().starts_with("  |        "), "{}", out.stderr);
    assert!(!env.project().join("den.toml").exists());
}
