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
    assert_eq!(tool_lines(&text), ["node = \"18\"", "ruff = \"0.6\"", "go = \"1.22.1\""]);
}

#[test]
fn skipped_entries_are_named() {
    let env = Env::new();
    let mise = env.write("mise.toml", "[tools]\n\"cargo:ripgrep\" = \"14\"\n");
    env.write(".nvmrc", "node\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<_> = out.stderr.lines().take(3).collect();
    assert_eq!(
        lines,
        [
            "den: mise.toml: imported nothing".to_string(),
            format!(
                "den: warning: {}:2: cargo:ripgrep not imported: den has no source for mise's `cargo` backend",
                mise.display()
            ),
            "den: .nvmrc: imported node latest".to_string(),
        ]
    );
}

#[test]
fn a_broken_mise_toml_is_rejected_with_its_line_and_its_siblings_are_read() {
    let env = Env::new();
    let path = env.write(".mise.toml", "[tools]\nnode = 22\"\n");
    env.write(".go-version", "1.23\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("den: warning: {}:2: not read: invalid TOML", path.display())),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("den: .go-version: imported go 1.23\n"), "{}", out.stderr);
    let text = std::fs::read_to_string(env.project().join("den.toml")).unwrap();
    assert_eq!(tool_lines(&text), ["go = \"1.23\""]);
    assert!(text.contains("wrote it from .go-version;"), "{text}");
}
