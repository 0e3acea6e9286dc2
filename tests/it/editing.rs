//! Editing and upgrading a project's tools through the real binary against the fake
//! upstreams: what `den add` writes without a version, a widened spec keeping its locked
//! version, `den run tool@ver` in a project whose own tools cannot be resolved, and the
//! small texts and exit codes of `den run` without a command and `den outdated --exit-code`.

use crate::support::{Env, run};
use crate::upstream::Upstream;
use crate::upstream::{Entry, script};

fn read(env: &Env, file: &str) -> String {
    std::fs::read_to_string(env.project().join(file)).unwrap()
}

/// The locked version of `tool`, and the spec it was locked for.
fn locked(env: &Env, tool: &str) -> (String, String) {
    let lock: toml::Table = read(env, "den.lock").parse().unwrap();
    let entry = &lock["tools"][tool];
    (entry["version"].as_str().unwrap().to_string(), entry["spec"].as_str().unwrap().to_string())
}

#[test]
fn den_run_with_tools_and_no_command_says_the_command_is_missing() {
    let env = Env::new();
    for (args, shown) in [
        (&["run", "ruff@0.6.9"][..], "den run ruff@0.6.9"),
        (&["run", "ruff@0.6.9", "jq@1.7"], "den run ruff@0.6.9 jq@1.7"),
        (&["run"], "den run"),
    ] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 2, "den {args:?}: {}", out.stderr);
        let mut lines = out.stderr.lines();
        assert_eq!(
            lines.next(),
            Some(format!("den: `{shown}` has no command to run").as_str()),
            "{}",
            out.stderr
        );
        let help = lines.next().unwrap_or_default();
        assert!(help.starts_with("help: usage: den run [TOOL@VERSION…] -- COMMAND [ARGS…]"), "{help}");
        assert_eq!(lines.next(), None, "{}", out.stderr);
    }
    // A command without its `--` is still told so.
    let out = run(env.den(), &["run", "ruff@0.6.9", "ruff", "check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("den: `den run` needs `--` before the command\n"), "{}", out.stderr);
}

#[test]
fn outdated_exit_code_is_1_when_a_tool_is_outdated_and_0_when_none_is() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = up.project("[tools]\njq = \"1.7\"\n");
    env.ok(&["install"]);
    let out = env.ok(&["outdated", "--exit-code"]);
    assert_eq!(out.stdout, "TOOL  SPEC  LOCKED  WANTED  LATEST\njq    1.7   1.7.1   1.7.1   1.7.1\n");

    // Newer outside the spec only: outdated (LATEST moved).
    up.catalog_tool("jq", "1.8.0");
    let out = run(env.den(), &["outdated", "--exit-code"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "TOOL  SPEC  LOCKED  WANTED  LATEST\njq    1.7   1.7.1   1.7.1   1.8.0\n");
    assert_eq!(out.stderr, "");
    // Without the flag the table is all there is to it.
    assert_eq!(env.ok(&["outdated"]).stdout, out.stdout);

    // Newer within the spec: outdated too; a tool not locked at all is outdated.
    up.catalog_tool("jq", "1.7.2").catalog_tool("ripgrep", "14.1.1");
    let out = run(env.den(), &["outdated", "--exit-code"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    std::fs::write(env.project().join("den.toml"), "[tools]\nripgrep = \"14\"\n").unwrap();
    env.trust();
    let out = run(env.den(), &["outdated", "--exit-code"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (1, "TOOL     SPEC  LOCKED  WANTED  LATEST\nripgrep  14    -       14.1.1  14.1.1\n")
    );
    env.ok(&["install"]);
    env.ok(&["outdated", "--exit-code"]);
}

#[test]
fn den_add_without_a_version_writes_the_major_line_it_installed() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.6")
        .catalog_tool("jq", "1.7.1")
        .catalog_tool("ruff", "0.5.7")
        .catalog_tool("ruff", "0.6.9");
    up.catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[env]\nA = \"1\"\n");
    env.ok(&["add", "jq", "ruff"]);
    env.ok(&["add", "ripgrep@latest"]);
    assert_eq!(
        read(&env, "den.toml"),
        "[tools]\njq = \"1\"\nruff = \"0.6\"\nripgrep = \"latest\"\n\n[env]\nA = \"1\"\n"
    );
    assert_eq!(locked(&env, "jq"), ("1.7.1".into(), "1".into()));
    assert_eq!(locked(&env, "ruff"), ("0.6.9".into(), "0.6".into()));
    assert_eq!(
        locked(&env, "ripgrep"),
        ("14.1.1".into(), "latest".into()),
        "a version named is kept as named"
    );
    // den.lock is exactly what den.toml asks for, and den.toml is still trusted.
    env.ok(&["install", "--frozen"]);
    let out = env.ok(&["run", "--", "jq"]);
    assert_eq!(out.stdout, "jq-1.7.1\n");

    // A package too: its entry keeps its source and gets the major line.
    for v in ["1.9.4", "2.6.1"] {
        up.npm("@acme/cli-linux-x64", v, &[Entry::exe("bin/acme", script(v))]);
    }
    env.ok(&["add", "npm:@acme/cli-linux-x64"]);
    assert!(
        read(&env, "den.toml")
            .contains("\ncli-linux-x64 = { version = \"2\", source = \"npm:@acme/cli-linux-x64\" }\n"),
        "{}",
        read(&env, "den.toml")
    );
    assert_eq!(locked(&env, "cli-linux-x64"), ("2.6.1".into(), "2".into()));
    env.ok(&["install", "--frozen"]);
}

#[test]
fn widening_a_spec_keeps_the_locked_version_until_den_upgrade() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("jq", "1.8.0");
    let env = up.project("[tools]\njq = \"1.7\"\n");
    env.ok(&["install"]);

    // A hand edit: the installed 1.7.1 still applies, before and after `den install`.
    env.write("den.toml", "[tools]\njq = \"1\"\n");
    env.trust();
    assert_eq!(env.ok(&["run", "--", "jq"]).stdout, "jq-1.7.1\n");
    env.ok(&["install"]);
    assert_eq!(locked(&env, "jq"), ("1.7.1".into(), "1".into()));
    env.ok(&["install", "--frozen"]);

    // `den add` widening further, to `latest`: the same.
    env.ok(&["add", "jq@latest"]);
    assert_eq!(locked(&env, "jq"), ("1.7.1".into(), "latest".into()));
    // Narrowing to a line the locked version is not on resolves again.
    env.ok(&["add", "jq@1.8"]);
    assert_eq!(locked(&env, "jq"), ("1.8.0".into(), "1.8".into()));
    env.ok(&["add", "jq@1"]);
    assert_eq!(locked(&env, "jq"), ("1.8.0".into(), "1".into()));

    // Only `den upgrade` moves.
    up.catalog_tool("jq", "1.9.0");
    env.ok(&["install"]);
    assert_eq!(locked(&env, "jq").0, "1.8.0");
    env.ok(&["upgrade", "jq"]);
    assert_eq!(locked(&env, "jq"), ("1.9.0".into(), "1".into()));
}

#[test]
fn den_run_with_named_tools_warns_about_the_projects_unresolvable_tools_and_runs() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[env]\nGREETING = \"hi\"\n[tools]\nripgrep = \"99\"\n");
    let out = run(env.den(), &["run", "jq@1.7", "--", "sh", "-c", "jq; echo \"$GREETING\""]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "jq-1.7.1\nhi\n"), "{}", out.stderr);
    let warning = out.stderr.lines().find(|l| l.starts_with("den: warning: ")).unwrap_or_default();
    assert!(warning.contains("running without the project's tools"), "{}", out.stderr);
    assert!(warning.contains("ripgrep"), "{}", out.stderr);
    // A named tool that fails is the run's error, not a warning about the project.
    let out = run(env.den(), &["run", "jq@9", "--", "jq"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("den: no release of jq matches `9`"), "{}", out.stderr);
    assert!(!out.stderr.contains("running without"), "{}", out.stderr);
    // Without a named tool the project's tools are what the run needs: still an error.
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1, "{}", out.stderr);

    // A typo'd tool makes den.toml invalid: said with its line, and the run goes on outside it.
    let file = env.write("den.toml", "[env]\nGREETING = \"hi\"\n[tools]\nripgrepp = \"14\"\n");
    let out = run(env.den(), &["run", "jq@1.7", "--", "sh", "-c", "jq; echo \"${GREETING-outside}\""]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "jq-1.7.1\noutside\n"), "{}", out.stderr);
    let expected = format!(
        "den: warning: running without the project, whose den.toml is not valid: {}:4:1: den has no tool `ripgrepp`",
        file.display()
    );
    assert!(out.stderr.starts_with(&expected), "{}", out.stderr);
    assert!(out.stderr.contains("help: did you mean `ripgrep`?"), "{}", out.stderr);
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
}
