//! Inputs built to crash or stall den: a project directory whose name is not UTF-8, a
//! `${}` chain 10,000 links long, 40,000 `[env]` keys. Each ends with the right values or
//! one clear error, never a panic, a stack overflow or a prompt that never returns.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::shells::{BASH, World, installed, quoted};
use crate::support::{Env, run};

const NOT_UTF8: &str = "is not valid UTF-8, and den's variables (DEN_ROOT, PATH) hold text";

/// A trusted project in a directory named `proj\xff`.
fn non_utf8_project(env: &Env) -> PathBuf {
    let dir = env.tmp.path().join(OsStr::from_bytes(b"proj\xff"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("den.toml"), "[env]\nFOO = \"bar\"\n").unwrap();
    assert_eq!(run(env.den_in(&dir), &["trust"]).code, 0);
    dir
}

fn assert_clean_error(stderr: &str, what: &str) {
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(stderr.contains(NOT_UTF8) && stderr.contains("proj\\xff"), "{what}: {stderr}");
    assert!(stderr.contains("help: rename it"), "{what}: {stderr}");
}

#[test]
fn a_project_directory_that_is_not_utf8_gets_one_error_never_a_panic() {
    let env = Env::new();
    let dir = non_utf8_project(&env);

    let out = run(env.den_in(&dir), &["export", "bash"]);
    assert_eq!(out.code, 0, "the hook's export never fails the prompt");
    assert_clean_error(&out.stderr, "export bash");
    // The hook watches the very files den read, byte for byte.
    assert!(out.stdout.contains("/proj\\xff/den.toml'"), "{}", out.stdout);

    let out = run(env.den_in(&dir), &["run", "--", "env"]);
    assert_eq!(out.code, 1);
    assert_clean_error(&out.stderr, "run");

    let mut enter = env.den_in(&dir);
    enter.env("SHELL", "/bin/sh").stdin(Stdio::null());
    let out = run(enter, &["enter"]);
    assert_eq!(out.code, 1);
    assert_clean_error(&out.stderr, "enter");
}

#[test]
fn a_hooked_shell_in_a_non_utf8_project_says_so_once_and_then_starts_nothing() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let dir = non_utf8_project(&w.env);
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let shown = sh.run("cd \"$(printf 'proj\\377')\"");
    assert_eq!(shown.matches(NOT_UTF8).count(), 1, "{shown}");
    assert!(!shown.contains("panicked"), "{shown}");
    let before = w.starts();
    let shown = sh.run("true") + &sh.run("true") + &sh.run("true");
    assert!(!shown.contains(NOT_UTF8), "{shown}");
    assert_eq!(w.starts(), before, "a prompt with nothing changed started den");
    assert!(sh.run("echo \"FOO=${FOO-unset}\"").contains("FOO=unset"));
    // Changing den.toml is noticed through the byte-exact path.
    std::fs::write(dir.join("den.toml"), "[env]\nFOO = \"baz\"\n").unwrap();
    let shown = sh.run("true");
    assert_eq!(w.starts(), before + 1, "an edit of den.toml was not noticed: {shown}");
}

#[test]
fn a_ten_thousand_link_chain_resolves_in_order_and_is_an_error_backwards() {
    let env = Env::new();
    let mut toml = String::from("[env]\nA0 = \"x\"\n");
    for i in 1..=10_000 {
        toml.push_str(&format!("A{i} = \"${{A{}}}\"\n", i - 1));
    }
    env.write("den.toml", &toml);
    env.trust();
    let out = run(env.den(), &["export"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((json.len(), &json["A10000"]), (10_001 + 3, &serde_json::Value::from("x")));

    // A fresh project each time: re-trusting an edited den.toml diffs it, which is not
    // what this test measures.
    let env = Env::new();
    let mut toml = String::from("[env]\n");
    for i in 0..10_000 {
        toml.push_str(&format!("A{i} = \"${{A{}}}\"\n", i + 1));
    }
    toml.push_str("A10000 = \"x\"\n");
    env.write("den.toml", &toml);
    env.trust();
    for args in [&["export"][..], &["run", "--", "true"], &["export", "bash"]] {
        let out = run(env.den(), args);
        assert!(!out.stderr.contains("overflow"), "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(
                "den: `${...}` references nest deeper than 100, starting from `A0` (den.toml:2)\nhelp: "
            ),
            "{args:?}: {}",
            out.stderr
        );
    }

    let env = Env::new();
    env.write("den.toml", "[env]\nA = \"${B}\"\nB = \"${C}\"\nC = \"${A}\"\n");
    env.trust();
    let out = run(env.den(), &["export"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: variables refer to each other in a cycle"), "{}", out.stderr);
}

#[test]
fn forty_thousand_keys_each_get_their_value() {
    let env = Env::new();
    let mut toml = String::from("[env]\n");
    for i in 0..40_000 {
        toml.push_str(&format!("K{i} = \"v{i}\"\n"));
    }
    toml.push_str("LAST = \"${K39999}+${K0}\"\n");
    env.write("den.toml", &toml);
    env.trust();
    let out = run(env.den(), &["export"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json.len(), 40_000 + 4, "DEN_ROOT, DEN_PROJECT, DEN_STATE_DIR, 40,000 keys and LAST");
    assert_eq!(json["K12345"], "v12345");
    assert_eq!(json["LAST"], "v39999+v0");
    let out = run(env.den(), &["export", "bash"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert!(out.stdout.contains("export K39999=v39999;\nexport K4=v4;\n"), "sorted by name");
}

#[test]
fn a_fifo_as_dotenv_file_never_hangs_the_prompt() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    std::fs::write(w.a.join("den.toml"), "[env]\nFOO = \"bar\"\ndotenv = [\".env\"]\n").unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let fifo = w.a.join(".env");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    // `run` waits for the prompt after the command: it returns only if the hook did.
    let shown = sh.run(&format!("cd {}", quoted(&w.a)));
    assert!(shown.contains(".env") && shown.contains("not a regular file"), "{shown}");
    assert!(!shown.contains("panicked"), "{shown}");
    let shown = sh.run("true");
    assert!(!shown.contains("not a regular file"), "said once: {shown}");
    // Replacing the FIFO with a file applies the project at the next prompt.
    std::fs::remove_file(&fifo).unwrap();
    std::fs::write(&fifo, "FROM_DOTENV=1\n").unwrap();
    sh.run("true");
    assert_eq!(sh.environment().get("FROM_DOTENV").map(String::as_str), Some("1"));
}

#[test]
fn an_environment_too_large_to_exec_says_why() {
    let env = Env::new();
    env.write("den.toml", &format!("[env]\nBIG = \"{}\"\n", "x".repeat(200 << 10)));
    env.trust();
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("Argument list too long"), "{}", out.stderr);
    assert!(
        out.stderr.contains("help: its environment and arguments are more than the system passes"),
        "{}",
        out.stderr
    );
}
