//! den.toml's tools and specs are checked when the file is read, through the real binary:
//! an unknown tool, a spec den cannot read and a version that cannot exist are reported at
//! `den trust`, `den ls`, `den export` and at the prompt as `den.toml:LINE:COL` with the
//! line, a caret and a suggestion — never as "run `den install`" — and `den trust` refuses
//! a den.toml that does not parse.

use std::path::Path;

use crate::shells::{BASH, World, installed, plain, quoted};
use crate::support::{Env, run};

/// A den.toml with a good `[env]` and one bad tool line (line 5), and what den must say.
const CASES: &[(&str, &str, &str)] = &[
    ("nodee = \"22\"", "5:1: den has no tool `nodee`", "help: did you mean `node`?"),
    (
        "node = \"^22 || 20\"",
        "5:8: `node`: invalid version spec `^22 || 20`: den takes one range, not alternatives joined with `||`",
        "help: write the one range you mean, e.g. `^22`",
    ),
    ("jq = \"^^\"", "5:6: `jq`: invalid version spec `^^`", "help: write `22.11.0` (exact)"),
    ("jq = \">=3, <2\"", "5:6: `jq`: no version is >=3 and <2", "help: write bounds that leave room"),
    ("node = \"lst\"", "5:8: `node` has no version named `lst`", "help: did you mean `lts`?"),
];

fn den_toml(tool_line: &str) -> String {
    format!("[env]\nA = \"1\"\n\n[tools]\n{tool_line}\n")
}

/// `stderr` is the diagnostic of `file` for `case`: location, line, caret, help.
fn assert_diagnostic(stderr: &str, file: &Path, (line, at, help): (&str, &str, &str), what: &str) {
    let first = stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with(&format!("den: {}:{at}", file.display())), "{what}: {stderr}");
    assert!(stderr.contains(&format!("\n5 | {line}\n")), "{what}: no snippet: {stderr}");
    assert!(stderr.contains("  | ") && stderr.contains('^'), "{what}: no caret: {stderr}");
    assert!(stderr.contains(help), "{what}: no help `{help}`: {stderr}");
    assert!(!stderr.contains("den install"), "{what}: blames installing: {stderr}");
}

#[test]
fn bad_tools_and_specs_are_reported_where_they_are_written_by_trust_ls_and_export() {
    for &(line, at, help) in CASES {
        let env = Env::new();
        let file = env.write("den.toml", &den_toml(line));
        for args in [&["trust"][..], &["ls"], &["export"], &["export", "--format", "dotenv"]] {
            let out = run(env.den(), args);
            assert_eq!((out.code, out.stdout.as_str()), (1, ""), "den {args:?} with {line}: {}", out.stderr);
            assert_diagnostic(&out.stderr, &file, (line, at, help), &format!("den {args:?}"));
        }
        // `den trust` refused it: nothing is recorded.
        let listed = run(env.den(), &["trust", "--list"]);
        assert_eq!(listed.stdout, "", "den trust recorded a den.toml it refused");
    }
}

#[test]
fn trust_refuses_a_den_toml_that_does_not_parse() {
    let env = Env::new();
    for (text, at) in [("[env\n", "1:5: invalid TOML"), ("[tool]\njq = \"1\"\n", "1:2: unknown key `tool`")] {
        let file = env.write("den.toml", text);
        let out = run(env.den(), &["trust"]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("den: {}:{at}", file.display())), "{}", out.stderr);
        assert!(!out.stderr.contains("trusted"), "{}", out.stderr);
        assert_eq!(run(env.den(), &["trust", "--list"]).stdout, "");
    }
    // Fixed, it is trusted as usual.
    env.write("den.toml", "[tools]\njq = \"1.7\"\n");
    let out = run(env.den(), &["trust"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn the_prompt_reports_an_unknown_tool_with_its_line_and_never_asks_to_install() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let file = w.a.join("den.toml");
    std::fs::write(&file, den_toml("nodee = \"22\"")).unwrap();
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let shown = plain(&sh.run(&format!("cd {}", quoted(&w.a))));
    let from = shown.find("den: ").unwrap_or_else(|| panic!("nothing said at the prompt: {shown}"));
    assert_diagnostic(&shown[from..].replace("\r\n", "\n"), &file, CASES[0], "the prompt");
    assert_eq!(sh.environment().get("A"), None, "an invalid den.toml applied");
    // Said once; fixed, it applies at the next prompt (after `den trust`).
    assert!(!plain(&sh.run("true")).contains("den: "));
    std::fs::write(&file, den_toml("node = \"22\"")).unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    assert_eq!(sh.environment().get("A").map(String::as_str), Some("1"));
}

#[test]
fn den_init_leaves_out_the_tools_den_toml_would_refuse() {
    let env = Env::new();
    // The import takes a range as what it means; this one leaves room for no version.
    env.write("mise.toml", "[tools]\nnode = \"22.1.0\"\njq = \">=1.7, <1.6\"\n");
    let out = run(env.den(), &["init"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = std::fs::read_to_string(env.project().join("den.toml")).unwrap();
    assert!(text.contains("\nnode = \"22.1.0\"\n"), "{text}");
    assert!(!text.contains("jq"), "{text}");
    let mise = env.project().join("mise.toml");
    assert!(
        out.stderr.contains(&format!(
            "den: warning: {}:3: jq not imported: `jq`: no version is >=1.7 and <1.6",
            mise.display()
        )),
        "{}",
        out.stderr
    );
    // What den wrote, den reads.
    let ls = run(env.den(), &["ls"]);
    assert_eq!((ls.code, ls.stdout.as_str()), (0, "node  22.1.0  -  no  -\n"), "{}", ls.stderr);
}
