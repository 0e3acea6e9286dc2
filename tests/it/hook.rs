//! The shell hook in real interactive bash, zsh and fish on a pseudo-terminal: entering,
//! moving around, editing, trusting, leaving, and the cost of a prompt with nothing changed.

use std::path::Path;
use std::process::Command;

use crate::shells::{BASH, FISH, ShellKind, World, ZSH, fish_quoted, installed, quoted};
use crate::support::{Env, run};

/// Everything a user sees of the hook, in one shell: enter, move, edit, trust, leave.
fn journey(kind: &ShellKind, setup: &str) {
    if !installed(kind.name) {
        return;
    }
    let w = World::new();
    let mut sh = w.shell(kind);
    let q = |p: &Path| if kind.name == "fish" { fish_quoted(p) } else { quoted(p) };
    if !setup.is_empty() {
        sh.run(setup);
    }
    sh.run(&format!("source {}", q(Path::new(&w.hook(kind.name)))));
    sh.run(&format!("source {}", q(Path::new(&w.hook(kind.name))))); // twice changes nothing
    let status = if kind.name == "fish" { "$status" } else { "$?" };
    sh.pty.send("false\n");
    let shown = sh.run(&format!("echo status={status}"));
    assert!(shown.contains("status=1"), "{}: the hook lost the exit status: {shown}", kind.name);
    let outside = sh.environment();
    assert_eq!(outside.get("GONE").map(String::as_str), Some("outer value"));
    assert_eq!(w.starts(), 0, "{}: den started outside any project", kind.name);

    // Entering applies the project, byte for byte.
    sh.run(&format!("cd {}", q(&w.a)));
    let inside = sh.environment();
    let mut expected = outside.clone();
    let root = w.a.canonicalize().unwrap().display().to_string();
    expected.insert("FOO".into(), "bar".into());
    expected.insert("MULTI".into(), "one\ntwo 'three' $HOME".into());
    expected.insert("PATH".into(), format!("{}/bin:{}", w.a.display(), outside["PATH"]));
    expected.remove("GONE");
    expected.insert("DEN_ROOT".into(), w.a.display().to_string());
    expected.insert("DEN_PROJECT".into(), "project".into());
    expected.insert("DEN_STATE_DIR".into(), format!("{}/.den/state", w.a.display()));
    let mut got = inside.clone();
    assert!(got.remove("__DEN_STATE").is_some(), "{}: no __DEN_STATE", kind.name);
    assert_eq!(got, expected, "{}: inside {root}", kind.name);

    // Nothing changed: prompts start no process.
    sh.run(&format!("cd {}", q(&w.a.join("sub dir"))));
    let before = w.starts();
    for _ in 0..5 {
        sh.run("true");
    }
    assert_eq!(w.starts(), before, "{}: a prompt with nothing changed started den", kind.name);
    assert_eq!(sh.environment(), inside, "{}: a subdirectory is the same project", kind.name);

    // An edit is not applied until trusted, and is announced once.
    std::fs::write(w.a.join("den.toml"), "[env]\nFOO = \"edited\"\n").unwrap();
    let shown = sh.run("true") + &sh.run("true");
    assert_eq!(shown.matches("changed since you trusted it").count(), 1, "{}: {shown}", kind.name);
    let mut untrusted = sh.environment();
    untrusted.remove("__DEN_STATE");
    assert_eq!(untrusted, outside, "{}: an untrusted edit must apply nothing", kind.name);
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    let edited = sh.environment();
    assert_eq!(edited.get("FOO").map(String::as_str), Some("edited"), "{}", kind.name);
    assert_eq!(edited.get("MULTI"), None, "{}", kind.name);

    // Untrusting takes effect at the next prompt; trusting again re-applies.
    assert_eq!(run(w.env.den_in(&w.a), &["untrust"]).code, 0);
    let shown = sh.run("true");
    assert!(shown.contains("is not trusted"), "{}: {shown}", kind.name);
    let mut untrusted = sh.environment();
    untrusted.remove("__DEN_STATE");
    assert_eq!(untrusted, outside, "{}: an untrusted project must apply nothing", kind.name);
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    assert_eq!(sh.environment().get("FOO").map(String::as_str), Some("edited"), "{}", kind.name);

    // Into another project and back.
    sh.run(&format!("cd {}", q(&w.b)));
    let in_b = sh.environment();
    assert_eq!(in_b.get("ONLY_B").map(String::as_str), Some("b"), "{}", kind.name);
    assert_eq!(in_b.get("FOO").map(String::as_str), Some("from b"), "{}", kind.name);
    assert_eq!(in_b.get("PATH"), outside.get("PATH"), "{}", kind.name);
    sh.run(&format!("cd {}", q(&w.a)));
    let back = sh.environment();
    assert_eq!(back.get("ONLY_B"), None, "{}", kind.name);
    assert_eq!(back.get("FOO").map(String::as_str), Some("edited"), "{}", kind.name);

    // Leaving restores the environment exactly.
    sh.run("cd /");
    assert_eq!(sh.environment(), outside, "{}: leaving must restore everything", kind.name);

    // Deleting den.toml while inside restores it too.
    sh.run(&format!("cd {}", q(&w.a)));
    std::fs::remove_file(w.a.join("den.toml")).unwrap();
    sh.run("true");
    assert_eq!(sh.environment(), outside, "{}: a deleted den.toml must un-apply", kind.name);
}

#[test]
fn bash_journey() {
    journey(&BASH, "");
}

#[test]
fn bash_journey_with_set_u_and_an_existing_prompt_command_array() {
    journey(&BASH, "set -u; mine() { :; }; PROMPT_COMMAND=(mine)");
}

#[test]
fn zsh_journey() {
    journey(&ZSH, "");
}

#[test]
fn zsh_journey_with_an_existing_precmd() {
    journey(&ZSH, "mine() { :; }; precmd_functions=(mine)");
}

#[test]
fn fish_journey() {
    journey(&FISH, "");
}

#[test]
fn rendered_hooks_print_nothing_in_their_shell_and_pass_shellcheck() {
    let env = Env::new();
    for (shell, args) in [
        ("bash", &["--norc", "--noprofile", "-c"][..]),
        ("zsh", &["-f", "-c"]),
        ("fish", &["--no-config", "-c"]),
    ] {
        if !installed(shell) {
            continue;
        }
        let script = run(env.den(), &["hook", shell]).stdout;
        let out = env.command(shell).args(args).arg(&script).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(
            (out.stdout.as_slice(), out.stderr.as_slice()),
            (&b""[..], &b""[..]),
            "{shell} printed something"
        );
        if shell != "fish" && installed("shellcheck") {
            let file = env.tmp.path().join(format!("hook.{shell}"));
            std::fs::write(&file, &script).unwrap();
            let check = Command::new("shellcheck")
                .args(["--shell=bash", "--severity=style"])
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "shellcheck {shell}:\n{}",
                String::from_utf8_lossy(&check.stdout)
            );
        }
    }
}

#[test]
fn hand_edits_inside_a_project_survive_reloads_and_path_additions_survive_leaving() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let outside = sh.environment();
    sh.run(&format!("cd {}", quoted(&w.a)));
    sh.run("export FOO=mine; export PATH=\"$PATH:/opt/mine\"");
    let toml = std::fs::read_to_string(w.a.join("den.toml")).unwrap();
    std::fs::write(w.a.join("den.toml"), format!("{toml}NEW = \"1\"\n")).unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    let reloaded = sh.environment();
    assert_eq!(reloaded.get("NEW").map(String::as_str), Some("1"));
    assert_eq!(reloaded.get("FOO").map(String::as_str), Some("mine"), "a hand edit was clobbered");
    std::fs::write(w.a.join("den.toml"), toml.replace("\"bar\"", "\"baz\"")).unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    assert_eq!(sh.environment().get("FOO").map(String::as_str), Some("baz"), "den.toml's change must win");
    sh.run("cd /");
    let left = sh.environment();
    assert_eq!(left["PATH"], format!("{}:/opt/mine", outside["PATH"]));
    // den takes back exactly what it put: before its last change, FOO was the user's.
    assert_eq!(left.get("FOO").map(String::as_str), Some("mine"));
    assert_eq!(left.get("NEW"), None);
}

#[test]
fn missing_tools_are_named_once_and_installed_tools_are_on_path() {
    if !installed("bash") {
        return;
    }
    let up = crate::upstream::Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let w = World::new();
    up.write_config(&w.env);
    std::fs::write(w.a.join("den.toml"), "[tools]\njq = \"1.7\"\n\n[env]\nFOO = \"bar\"\n").unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let shown = sh.run(&format!("cd {}", quoted(&w.a))) + &sh.run("true") + &sh.run("true");
    assert_eq!(shown.matches("not installed: jq 1.7 — run `den install`").count(), 1, "{shown}");
    assert_eq!(
        sh.environment().get("FOO").map(String::as_str),
        Some("bar"),
        "variables apply without the tools"
    );
    let requests = up.log().len();
    assert_eq!(requests, 0, "the hook must never download");

    // Installing (from another terminal) takes effect at the next prompt.
    assert_eq!(run(w.env.den_in(&w.a), &["install"]).code, 0);
    sh.run("true"); // the prompt after this command is the first to see the install
    let shown = sh.run("jq --version");
    assert!(shown.contains("jq-1.7.1"), "{shown}");
}

#[test]
fn auto_install_lets_the_hook_install_missing_tools() {
    if !installed("bash") {
        return;
    }
    let up = crate::upstream::Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let w = World::new();
    up.write_config(&w.env);
    let config = w.env.home().join(".config/den/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("auto_install = true\n{text}")).unwrap();
    std::fs::write(w.a.join("den.toml"), "[tools]\njq = \"1.7\"\n").unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    sh.run(&format!("cd {}", quoted(&w.a)));
    let shown = sh.run("jq --version");
    assert!(shown.contains("jq-1.7.1"), "{shown}");
    assert!(!shown.contains("not installed"), "{shown}");
}

#[test]
fn a_broken_den_toml_keeps_the_last_good_environment_and_says_so_once() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    sh.run(&format!("cd {}", quoted(&w.a)));
    let good = sh.environment();
    assert_eq!(good.get("FOO").map(String::as_str), Some("bar"));
    let text = std::fs::read_to_string(w.a.join("den.toml")).unwrap();
    std::fs::write(w.a.join("den.toml"), format!("{text}[tool]\n")).unwrap();
    let shown = sh.run("true") + &sh.run("true");
    assert_eq!(shown.matches("unknown key `tool`").count(), 1, "{shown}");
    assert_eq!(sh.environment(), good, "a broken den.toml must keep the last good environment");
    std::fs::write(w.a.join("den.toml"), text.replace("\"bar\"", "\"fixed\"")).unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    assert_eq!(sh.environment().get("FOO").map(String::as_str), Some("fixed"));

    // Moving from a good project into a broken one leaves the good one.
    std::fs::write(w.b.join("den.toml"), "[env\n").unwrap();
    let shown = sh.run(&format!("cd {}", quoted(&w.b)));
    assert!(shown.contains("invalid TOML"), "{shown}");
    let inside_broken = sh.environment();
    assert_eq!(inside_broken.get("FOO"), None, "project A's variables must not follow into B");
    assert_eq!(inside_broken.get("__DEN_STATE"), None);
}
