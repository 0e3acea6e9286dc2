//! `den run`, `den x` and `den which` against the fake upstreams: tools by version in front
//! of PATH, the project's environment, exec semantics (exit status, signals, stdin), the
//! warm path making no request, nothing written into the project, and each error.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;

use crate::support::{Env, run};
use crate::upstream::{Entry, Upstream, script};

/// A home whose den talks to `up`, with jq 1.7.1 and 1.6 published.
fn home(up: &Upstream) -> Env {
    up.catalog_tool("jq", "1.6").catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    env
}

/// A home with a trusted project holding `toml`.
fn project(up: &Upstream, toml: &str) -> Env {
    let env = home(up);
    env.write("den.toml", toml);
    env.trust();
    env
}

/// `den` in the project with these variables set as well.
fn den_with(env: &Env, vars: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = env.den();
    cmd.envs(vars.iter().copied());
    cmd
}

/// Every file under `dir` with its content (the project must not change).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let rel = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_dir() {
                stack.push(p);
                out.insert(rel + "/", Vec::new());
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn runs_a_tool_by_version_outside_a_project_and_warm_runs_make_no_request() {
    let up = Upstream::start();
    let env = home(&up);
    let out = run(env.den(), &["run", "jq@1.7", "--", "jq", "--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "jq-1.7.1\n");
    assert!(out.stderr.contains("installed jq 1.7.1"), "{}", out.stderr);
    assert!(!env.project().join("den.lock").exists());

    let before = up.log().len();
    let out = run(env.den(), &["run", "jq@1.7", "--", "jq", "--version"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "jq-1.7.1\n", ""));
    let out = run(env.den(), &["x", "jq@1.7.1", "--version"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "jq-1.7.1\n", ""));
    assert_eq!(up.log()[before..], [] as [String; 0], "a warm run must not touch the network");

    // `latest` needs the version list: from the HTTP cache within its time-to-live.
    let out = run(env.den(), &["run", "jq", "--", "jq"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "jq-1.7.1\n"), "{}", out.stderr);
    let before = up.log().len();
    let out = run(env.den(), &["run", "jq@latest", "--", "jq"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "jq-1.7.1\n"), "{}", out.stderr);
    assert_eq!(up.log()[before..], [] as [String; 0], "a cached version list must be used");

    // Another version alongside; each spec picks its own.
    let out = run(env.den(), &["run", "jq@1.6", "--", "jq"]);
    assert_eq!(out.stdout, "jq-1.6\n", "{}", out.stderr);
    let out = run(env.den(), &["run", "jq@1", "--", "jq"]);
    assert_eq!(out.stdout, "jq-1.7.1\n", "{}", out.stderr);
}

#[test]
fn exit_status_signals_and_stdin_are_the_commands_own() {
    let up = Upstream::start();
    let env = home(&up);
    let out = run(env.den(), &["run", "jq@1.7", "--", "sh", "-c", "exit 3"]);
    assert_eq!(out.code, 3, "{}", out.stderr);

    let status = env.den().args(["run", "jq@1.7", "--", "sh", "-c", "kill -TERM $$"]).status().unwrap();
    assert_eq!(status.signal(), Some(15), "den execs: the signal is the command's own");
    let shell = format!("'{}' run jq@1.7 -- sh -c 'kill -TERM $$'; echo $?", env!("CARGO_BIN_EXE_den"));
    let out = run(env.den(), &["run", "jq@1.7", "--", "sh", "-c", &shell]);
    assert_eq!(out.stdout, "143\n", "{}", out.stderr);

    let mut child = env
        .den()
        .args(["run", "jq@1.7", "--", "sh", "-c", "cat; jq"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"{\"a\": 1}\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "{\"a\": 1}\njq-1.7.1\n");
}

#[test]
fn in_a_project_the_projects_environment_with_named_tools_first_and_nothing_written() {
    let up = Upstream::start();
    let env = project(&up, "[tools]\njq = \"1.7.1\"\n\n[env]\nGREETING = \"hello from ${DEN_ROOT}\"\n");
    let before = snapshot(&env.project());
    // The project's jq is not installed: `den run --` installs it, without writing den.lock.
    let out = run(env.den(), &["run", "--", "sh", "-c", "echo \"$GREETING\"; jq"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("hello from {}\njq-1.7.1\n", env.project().display()));
    // A named tool overrides the project's.
    let out = run(env.den(), &["run", "jq@1.6", "--", "jq"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "jq-1.6\n"), "{}", out.stderr);
    let out = run(env.den(), &["x", "jq@1.6"]);
    assert_eq!(out.stdout, "jq-1.6\n", "{}", out.stderr);
    assert_eq!(snapshot(&env.project()), before, "den run wrote into the project");

    // Stale variables of the shell are not what the command sees.
    let out = run(den_with(&env, &[("GREETING", "stale"), ("__DEN_STATE", "x")]), &["run", "--", "env"]);
    assert!(out.stdout.lines().any(|l| l.starts_with("GREETING=hello from ")), "{}", out.stdout);
}

#[test]
fn which_names_the_tool_that_provides_a_binary() {
    let up = Upstream::start();
    let env = project(&up, "[tools]\njq = \"1.7.1\"\n");
    let out = run(env.den(), &["which", "jq"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "den: `jq` comes from the project's jq 1.7.1, which is not installed\nhelp: run `den install`\n"
    );
    assert_eq!(run(env.den(), &["install"]).code, 0);
    let out = run(env.den(), &["which", "jq"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.ends_with("/jq (jq 1.7.1)\n") && out.stdout.contains("tools-v1"), "{}", out.stdout);
    let out = run(env.den(), &["which", "sh"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "/usr/bin/sh\n"), "{}", out.stderr);
    let out = run(env.den(), &["which", "no-such-binary"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "den: `no-such-binary` is not provided by the project's tools nor found on PATH\n\
         help: check the name; `den ls` lists the project's tools\n"
    );
}

#[test]
fn untrusted_projects_are_refused_unless_trusted_on_the_command_line() {
    let up = Upstream::start();
    let env = home(&up);
    env.write("den.toml", "[env]\nX = \"1\"\n");
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is not trusted"), "{}", out.stderr);
    let out = run(env.den(), &["run", "--trust", "--", "sh", "-c", "echo $X"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "1\n"), "{}", out.stderr);
}

#[test]
fn offline_uses_what_is_installed_and_names_what_is_missing() {
    let up = Upstream::start();
    let env = home(&up);
    let out = run(env.den(), &["--offline", "run", "jq@1.7", "--", "jq"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "den: den is offline and jq@1.7 is not installed\n\
         help: connect and run it again without `--offline` (and without DEN_OFFLINE=1): den keeps it for next time\n"
    );
    assert_eq!(run(env.den(), &["run", "jq@1.7", "--", "true"]).code, 0);
    let before = up.log().len();
    let out = run(env.den(), &["--offline", "run", "jq@1.7", "--", "jq"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "jq-1.7.1\n"), "{}", out.stderr);
    let out = run(den_with(&env, &[("DEN_OFFLINE", "1")]), &["run", "jq@1.6", "--", "jq"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: den is offline and jq@1.6 is not installed\n"), "{}", out.stderr);
    assert!(out.stderr.contains("help: installed versions of jq: 1.7.1\n"), "{}", out.stderr);
    assert_eq!(up.log().len(), before, "offline runs made requests");
}

#[test]
fn packages_named_per_platform_run_by_their_binary() {
    let up = Upstream::start();
    let env = home(&up);
    for plat in ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"] {
        up.npm(&format!("@esbuild/{plat}"), "0.24.2", &[Entry::exe("bin/esbuild", script("0.24.2"))]);
    }
    let out = run(env.den(), &["run", "npm:@esbuild/{os}-{arch}@0.24", "--", "esbuild", "--version"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "0.24.2\n"), "{}", out.stderr);
    let out = run(env.den(), &["x", "npm:@esbuild/{os}-{arch}@0.24"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "0.24.2\n"), "{}", out.stderr);

    // A wheel's binaries are its scripts.
    let tag = "py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64";
    up.pypi_wheel("ruff", "0.6.9", tag, &[Entry::exe("ruff-0.6.9.data/scripts/ruff", script("ruff 0.6.9"))]);
    let tag = "py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64";
    up.pypi_wheel("ruff", "0.6.9", tag, &[Entry::exe("ruff-0.6.9.data/scripts/ruff", script("ruff 0.6.9"))]);
    let out = run(env.den(), &["run", "pypi:ruff@0.6", "--", "ruff", "--version"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "ruff 0.6.9\n"), "{}", out.stderr);
}

#[test]
fn each_error_is_one_line_with_help() {
    let up = Upstream::start();
    let env = home(&up);
    let out = run(env.den(), &["run", "jq@1.7", "jq", "."]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "den: `den run` needs `--` before the command\n\
         help: put `--` between the tools and the command: `den run jq@1.7 -- jq .`\n"
    );
    let out = run(env.den(), &["run", "jqq@1", "--", "jqq"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.starts_with("den: den has no built-in definition of `jqq`\nhelp: did you mean `jq`?"),
        "{}",
        out.stderr
    );
    let out = run(env.den(), &["run", "jq@9", "--", "jq"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: no release of jq matches `9` for "), "{}", out.stderr);
    assert!(out.stderr.contains("(newest: 1.7.1, 1.6)"), "{}", out.stderr);
    assert!(out.stderr.ends_with("help: pick a listed version: `den ls-remote jq`\n"), "{}", out.stderr);
    let out = run(env.den(), &["run", "jq@1.7", "--", "true"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(env.den(), &["run", "jq@1.7", "--", "jqq", "."]);
    assert_eq!(out.code, 127, "not found, as a shell says it");
    assert_eq!(
        out.stderr,
        "den: `jqq` is not a command of jq 1.7.1, nor on PATH\nhelp: jq 1.7.1 provides: jq\n"
    );
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("so `den run -- true` has no environment to run in\nhelp: name the tools"),
        "{}",
        out.stderr
    );
}
