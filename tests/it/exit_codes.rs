//! Exit codes through the real binary (README "Exit codes"): 2 for every usage error,
//! clap's and den's own; 127 when `den run`/`den x` cannot find the command, 126 when it is
//! found but cannot be executed; otherwise the command's own status (a signal shows as
//! 128+N in the shell that waits for den, because den execs the command).

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;

use crate::support::{Env, run};

/// A trusted project with no tools: `den run -- …` runs in its environment, offline.
fn project() -> Env {
    let env = Env::new();
    env.write("den.toml", "[env]\nGREETING = \"hi\"\n");
    env.trust();
    env
}

#[test]
fn usage_errors_exit_2() {
    let env = project();
    // clap's own: an unknown flag, a missing argument, a bad value of a known option.
    for args in [&["--bogus"][..], &["add"], &["export", "--format", "xml"]] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 2, "den {args:?}: {}", out.stderr);
    }
    // den's own: arguments clap accepts but den cannot read.
    run(env.den(), &["add", "@biomejs/biome"])
        .failure(2)
        .stderr_has("den: cannot add `@biomejs/biome`: ")
        .stderr_has("\nhelp: for an npm package write `npm:@biomejs/biome`\n");
    assert_eq!(
        std::fs::read_to_string(env.project().join("den.toml")).unwrap(),
        "[env]\nGREETING = \"hi\"\n"
    );

    let out = run(env.den(), &["add", "jq@^^"]);
    assert_eq!(out.code, 2, "a spec den cannot read: {}", out.stderr);
    assert!(out.stderr.starts_with("den: cannot add `jq@^^`: invalid version spec `^^`"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(env.project().join("den.toml")).unwrap(),
        "[env]\nGREETING = \"hi\"\n"
    );

    let out = run(env.den(), &["lock", "--platform", "bogus"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.starts_with("den: unknown platform `bogus` (known: "), "{}", out.stderr);
    assert!(!env.project().join("den.lock").exists());

    for args in [&["run", "@biomejs/biome", "--", "biome"][..], &["x", "@biomejs/biome"]] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 2, "den {args:?}: {}", out.stderr);
        assert!(out.stderr.starts_with("den: cannot read the tool `@biomejs/biome`: "), "{}", out.stderr);
    }
    for args in [&["run", "jq@^^", "--", "jq"][..], &["x", "jq@~~1"]] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 2, "den {args:?}: {}", out.stderr);
        assert!(out.stderr.contains(": invalid version spec `"), "{}", out.stderr);
        assert!(out.stderr.contains("\nhelp: write `22.11.0` (exact)"), "{}", out.stderr);
    }
    let out = run(env.den(), &["run", "true"]);
    assert_eq!(out.code, 2, "no `--`: {}", out.stderr);
}

#[test]
fn a_command_not_found_exits_127() {
    let env = project();
    run(env.den(), &["run", "--", "no-such-command-here"]).expect(
        127,
        "",
        "den: `no-such-command-here` is not on PATH\n\
         help: check the name, or name the tool that provides it: `den run tool@version -- …`\n",
    );
    // A path is taken as it is: the exec itself finds nothing.
    let out = run(env.den(), &["run", "--", "./missing"]);
    assert_eq!(out.code, 127, "{}", out.stderr);
    assert!(out.stderr.starts_with("den: cannot run "), "{}", out.stderr);
    assert_eq!(out.stderr.matches("No such file or directory").count(), 1, "the cause once: {}", out.stderr);
}

#[test]
fn a_command_found_but_not_executable_exits_126() {
    let env = project();
    let script = env.write("script.sh", "#!/bin/sh\necho ran\n");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(env.den(), &["run", "--", "./script.sh"]);
    assert_eq!((out.code, out.stdout.as_str()), (126, ""), "{}", out.stderr);
    assert!(out.stderr.starts_with("den: cannot run "), "{}", out.stderr);
    assert_eq!(out.stderr.matches("Permission denied").count(), 1, "the cause once: {}", out.stderr);

    // A directory is found but is no program either.
    std::fs::create_dir(env.project().join("adir")).unwrap();
    let out = run(env.den(), &["run", "--", "./adir"]);
    assert_eq!(out.code, 126, "{}", out.stderr);

    // Made executable, it runs, and its status is the run's.
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(env.den(), &["run", "--", "./script.sh"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "ran\n"), "{}", out.stderr);
}

#[test]
fn otherwise_the_status_is_the_commands_own() {
    let env = project();
    let out = run(env.den(), &["run", "--", "sh", "-c", "echo $GREETING; exit 42"]);
    assert_eq!((out.code, out.stdout.as_str()), (42, "hi\n"), "{}", out.stderr);

    let status = env.den().args(["run", "--", "sh", "-c", "kill -KILL $$"]).status().unwrap();
    assert_eq!(status.signal(), Some(9), "den execs: the signal is the command's own");
    let shell = format!("'{}' run -- sh -c 'kill -KILL $$'; echo $?", env!("CARGO_BIN_EXE_den"));
    let out = run(env.den(), &["run", "--", "sh", "-c", &shell]);
    assert_eq!(out.stdout, "137\n", "128 + 9 in the shell that waits: {}", out.stderr);
}

#[test]
fn other_failures_exit_1() {
    let env = Env::new();
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1, "no project and no tools: {}", out.stderr);
    run(env.den(), &["explain"]).failure(1).stderr_has("help: run `den init` to create one\n");
}
