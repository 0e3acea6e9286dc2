//! Rendering tests: exact output for each format, and round trips through the real
//! bash, zsh and fish (a missing shell fails the test unless `DEN_TEST_SKIP_SHELLS=1`
//! skips it, saying so) and through den's own dotenv parser.

#![allow(clippy::disallowed_methods, reason = "tests may spawn freely")]

use std::collections::HashMap;
use std::process::Command;

use crate::env::{Origin, Target, Var};
use crate::shell::ExportFormat;

use super::render;

fn target(vars: &[(&str, Option<&str>)]) -> Target {
    let mut t = Target::default();
    for (name, value) in vars {
        t.insert(Var {
            name: name.to_string(),
            value: value.map(str::to_string),
            origin: Origin::Den,
            secret: None,
        });
    }
    t
}

/// Values that break naive quoting, each in its own variable.
const TRICKY: &[(&str, &str)] = &[
    ("T_QUOTES", "it's \"quoted\" 'twice'"),
    ("T_DOLLAR", "$HOME ${X} $(echo no) `echo no` $$ $"),
    ("T_BACKSLASH", "back\\slash\\\\ \\n \\' \\"),
    ("T_NEWLINE", "line1\nline2\n"),
    ("T_TAB", "tab\there"),
    ("T_CR", "cr\r\nlf\r"),
    ("T_CONTROL", "ctrl\x01\x1b[0m\x7f end"),
    ("T_UNICODE", "héllo ✓ 日本 \u{85}"),
    ("T_EMPTY", ""),
    ("T_SPACES", "  spaces  "),
    ("T_GLOB", "*?[glob]{a,b}~"),
    ("T_TILDE", "~/x:~root"),
    ("T_BANG", "!bang !! ^x^y"),
    ("T_EQUALS", "=starts with equals"),
    ("T_DASH", "-n"),
    ("T_SEMI", "a; echo hacked & | > < #"),
    ("T_QUOTE_ONLY", "'"),
    ("T_BS_QUOTE", "\\'"),
    ("T_LIST_PATH", "/a b:/c's::/d:"),
    ("T_EMPTY_PATH", ""),
];

fn tricky_target() -> Target {
    let mut vars: Vec<(&str, Option<&str>)> = TRICKY.iter().map(|(n, v)| (*n, Some(*v))).collect();
    vars.push(("T_UNSET", None));
    target(&vars)
}

#[test]
fn bash_and_zsh_exact_output() {
    let t = target(&[
        ("PLAIN", Some("/usr/bin:/x-1.2,a+b@c%")),
        ("SPACE", Some("a b")),
        ("QUOTE", Some("it's")),
        ("NL", Some("a\nb\t'\\\x01")),
        ("EMPTY", Some("")),
        ("OLD", None),
    ]);
    let want = "export PLAIN=/usr/bin:/x-1.2,a+b@c%;\nexport SPACE='a b';\nexport QUOTE='it'\\''s';\n\
                export NL=$'a\\nb\\t\\'\\\\\\x01';\nexport EMPTY='';\nunset OLD;\n";
    assert_eq!(render(&t, ExportFormat::Bash), want);
    assert_eq!(render(&t, ExportFormat::Zsh), want);
}

#[test]
fn fish_exact_output() {
    let t = target(&[("A", Some("it's a \\ b\nc")), ("PATH", Some("/a b:/c")), ("OLD", None)]);
    assert_eq!(
        render(&t, ExportFormat::Fish),
        "set -gx A 'it\\'s a \\\\ b\nc';\nset -gx PATH '/a b' '/c';\nset -e -g OLD;\n"
    );
}

#[test]
fn dotenv_exact_output_and_round_trip() {
    let t = target(&[("A", Some("say \"hi\" $HOME ${X} \\n\nnext\ttab")), ("OLD", None), ("E", Some(""))]);
    let text = render(&t, ExportFormat::Dotenv);
    assert_eq!(text, "A=\"say \\\"hi\\\" \\$HOME \\${X} \\\\n\\nnext\\ttab\"\nE=\"\"\n");
    let tricky = tricky_target();
    let back = crate::env::parse_dotenv_literals(&render(&tricky, ExportFormat::Dotenv)).unwrap();
    let want: Vec<(String, String)> = TRICKY.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    assert_eq!(back, want);
}

#[test]
fn json_exact_output() {
    let t = target(&[("B", Some("x\n\"y\"")), ("A", None), ("C", Some(""))]);
    assert_eq!(
        render(&t, ExportFormat::Json),
        "{\n  \"B\": \"x\\n\\\"y\\\"\",\n  \"A\": null,\n  \"C\": \"\"\n}\n"
    );
    assert_eq!(render(&Target::default(), ExportFormat::Json), "{}\n");
}

#[test]
fn github_actions_exact_output() {
    let t = target(&[("A", Some("a=b c")), ("M", Some("l1\nl2\n")), ("OLD", None)]);
    let text = render(&t, ExportFormat::GithubActions);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "A=a=b c");
    let delim = lines[1].strip_prefix("M<<").unwrap();
    assert!(delim.starts_with("DEN_EOF_"));
    assert_eq!(&lines[2..], &["l1", "l2", "", delim, "OLD="]);
}

/// Runs `script_for(file)` in the shell with a minimal environment holding `T_UNSET`,
/// and returns the exported environment it ends with; `None` when the shell is missing and
/// the user opted out of such tests.
fn eval_in(
    shell: &str,
    args: &[&str],
    rendered: &str,
    script_for: fn(&str) -> String,
) -> Option<HashMap<String, Vec<u8>>> {
    let Ok(path) = which(shell) else {
        let skip = "DEN_TEST_SKIP_SHELLS";
        if std::env::var(skip).as_deref() == Ok("1") {
            eprintln!("skipped: the {shell} round trip: {shell} is not installed ({skip}=1)");
            return None;
        }
        panic!(
            "test prerequisite missing: {shell} is not installed; scripts/test-deps installs it (or set {skip}=1 to skip)"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rendered");
    std::fs::write(&file, rendered).unwrap();
    let script = format!("{}\n/usr/bin/env -0", script_for(file.to_str().unwrap()));
    let out = Command::new(path)
        .args(args)
        .arg(script)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("T_UNSET", "outer")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{shell}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vars = out.stdout.split(|&b| b == 0).filter(|e| !e.is_empty()).map(|e| {
        let eq = e.iter().position(|&b| b == b'=').unwrap();
        (String::from_utf8(e[..eq].to_vec()).unwrap(), e[eq + 1..].to_vec())
    });
    Some(vars.collect())
}

fn which(name: &str) -> Result<String, ()> {
    ["/usr/bin", "/bin", "/usr/local/bin"]
        .iter()
        .map(|d| format!("{d}/{name}"))
        .find(|p| std::path::Path::new(p).exists())
        .ok_or(())
}

fn assert_exact(shell: &str, env: Option<HashMap<String, Vec<u8>>>) {
    let Some(env) = env else { return };
    for (name, value) in TRICKY {
        assert_eq!(
            env.get(*name).map(|v| String::from_utf8_lossy(v).into_owned()),
            Some(value.to_string()),
            "{shell}: {name}"
        );
    }
    assert!(!env.contains_key("T_UNSET"), "{shell}: T_UNSET still set");
}

#[test]
fn bash_reads_back_the_exact_bytes() {
    let rendered = render(&tricky_target(), ExportFormat::Bash);
    let env =
        eval_in("bash", &["--norc", "--noprofile", "-c"], &rendered, |f| format!("eval \"$(cat '{f}')\""));
    assert_exact("bash", env);
}

#[test]
fn zsh_reads_back_the_exact_bytes() {
    let rendered = render(&tricky_target(), ExportFormat::Zsh);
    let env = eval_in("zsh", &["-f", "-c"], &rendered, |f| format!("eval \"$(cat '{f}')\""));
    assert_exact("zsh", env);
}

#[test]
fn fish_reads_back_the_exact_bytes() {
    let rendered = render(&tricky_target(), ExportFormat::Fish);
    let env = eval_in("fish", &["--no-config", "-c"], &rendered, |f| format!("cat '{f}' | source"));
    assert_exact("fish", env);
}

#[test]
fn paths_that_are_not_utf8_are_quoted_byte_for_byte_in_each_shell() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    use crate::shell::Shell;

    let paths: &[&[u8]] = &[b"/tmp/proj\xff", b"/a b/it's \\ \xfe\xc3\xa9\x01/x", b"\xff1a", b"plain/path"];
    let shells = [
        (Shell::Bash, "bash", &["--norc", "--noprofile", "-c"][..]),
        (Shell::Zsh, "zsh", &["-f", "-c"]),
        (Shell::Fish, "fish", &["--no-config", "-c"]),
    ];
    for (shell, name, args) in shells {
        let Ok(path) = which(name) else { continue };
        for bytes in paths {
            let word = super::quote_os(shell, OsStr::from_bytes(bytes));
            assert!(word.is_ascii() || std::str::from_utf8(bytes).is_ok(), "{word}");
            let out = Command::new(&path)
                .args(args)
                .arg(format!("printf '%s' {word}"))
                .env_clear()
                .env("LANG", "C.UTF-8")
                .output()
                .unwrap();
            assert_eq!(out.stdout, *bytes, "{name}: {word}");
        }
    }
}
