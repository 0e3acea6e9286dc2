//! The shell hook in real interactive bash, zsh and fish on a pseudo-terminal: entering,
//! moving around, editing, trusting, leaving, and the cost of a prompt with nothing changed.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pty::Pty;
use crate::support::{Env, run};

/// How to start one shell interactively and source a file in it.
struct ShellKind {
    name: &'static str,
    args: &'static [&'static str],
}

const BASH: ShellKind = ShellKind { name: "bash", args: &["--norc", "--noprofile", "-i"] };
const ZSH: ShellKind = ShellKind { name: "zsh", args: &["-f", "-i"] };
const FISH: ShellKind = ShellKind { name: "fish", args: &["--no-config", "-i"] };

/// Variables a shell changes by itself as it moves around; never compared.
const SHELL_OWN: &[&str] = &["_", "PWD", "OLDPWD", "SHLVL", "COLUMNS", "LINES"];

fn installed(shell: &str) -> bool {
    let found = ["/usr/bin", "/bin"].iter().any(|d| Path::new(d).join(shell).exists());
    if !found {
        eprintln!("note: {shell} is not installed; skipping (scripts/test-deps installs it)");
    }
    found
}

/// A home, two trusted projects (the second with an awkward name), a `den` wrapper that
/// logs every start, and the hook scripts pointing at that wrapper.
struct World {
    env: Env,
    a: PathBuf,
    b: PathBuf,
    log: PathBuf,
}

impl World {
    fn new() -> World {
        let env = Env::new();
        let a = env.project();
        std::fs::create_dir_all(a.join("sub dir")).unwrap();
        std::fs::write(
            a.join("den.toml"),
            "[env]\nFOO = \"bar\"\nMULTI = \"one\\ntwo 'three' $$HOME\"\nPATH = { prepend = [\"bin\"] }\n\
             GONE = { unset = true }\n",
        )
        .unwrap();
        let b = env.tmp.path().join("it's a “project” with spaces");
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("den.toml"), "[env]\nONLY_B = \"b\"\nFOO = \"from b\"\n").unwrap();
        for dir in [&a, &b] {
            assert_eq!(run(env.den_in(dir), &["trust"]).code, 0);
        }
        let log = env.tmp.path().join("den-starts.log");
        let wrapper = env.tmp.path().join("bin/den");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                env!("CARGO_BIN_EXE_den")
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        for shell in ["bash", "zsh", "fish"] {
            let out = run(env.den(), &["hook", shell]);
            assert_eq!((out.code, out.stderr.as_str()), (0, ""));
            let script = out.stdout.replace(env!("CARGO_BIN_EXE_den"), &wrapper.display().to_string());
            assert_ne!(script, out.stdout, "the hook names den's own path");
            std::fs::write(env.tmp.path().join(format!("hook.{shell}")), script).unwrap();
        }
        World { env, a, b, log }
    }

    /// The interactive shell, in the temp dir, with den's pinned environment.
    fn shell(&self, kind: &ShellKind) -> Sh {
        let mut cmd = self.terminal_command(kind.name);
        cmd.args(kind.args).current_dir(self.env.tmp.path());
        Sh { pty: Pty::spawn(cmd), dumps: self.env.tmp.path().to_path_buf(), n: 0 }
    }

    /// `program` with den's pinned environment, as started from a clean terminal.
    fn terminal_command(&self, program: &str) -> Command {
        let home = self.env.home();
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("PATH", format!("{}:/usr/bin:/bin", self.env.tmp.path().join("bin").display()))
            .env("LANG", "C.UTF-8")
            .env("TERM", "dumb")
            .env("GONE", "outer value")
            .env("PS1", "$ ")
            .env("fish_greeting", "");
        cmd
    }

    fn starts(&self) -> usize {
        std::fs::read_to_string(&self.log).map_or(0, |s| s.lines().count())
    }

    fn hook(&self, shell: &str) -> String {
        self.env.tmp.path().join(format!("hook.{shell}")).display().to_string()
    }
}

/// A running shell and a way to read its exported environment exactly.
struct Sh {
    pty: Pty,
    dumps: PathBuf,
    n: u32,
}

impl Sh {
    fn run(&mut self, line: &str) -> String {
        self.pty.run(line)
    }

    /// The shell's exported environment, from `env -0`, without the variables the shell
    /// itself changes as it moves.
    fn environment(&mut self) -> BTreeMap<String, String> {
        self.n += 1;
        let file = self.dumps.join(format!("env-{}", self.n));
        self.run(&format!("/usr/bin/env -0 > '{}'", file.display()));
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        text.split('\0')
            .filter_map(|e| e.split_once('='))
            .filter(|(k, _)| !SHELL_OWN.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn fish_quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\\', r"\\").replace('\'', r"\'"))
}

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
    expected.insert("DEN_STATE".into(), format!("{}/.den/state", w.a.display()));
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
        let out = Command::new(shell).args(args).arg(&script).output().unwrap();
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

/// `den enter` run on a terminal, with `SHELL` set to `shell`.
fn enter(w: &World, shell: &str, args: &[&str]) -> Pty {
    let mut cmd = w.terminal_command(env!("CARGO_BIN_EXE_den"));
    cmd.arg("enter")
        .args(args)
        .current_dir(&w.a)
        .env("SHELL", format!("/usr/bin/{shell}"))
        .env("KEEP_ME", "outer");
    // Interactive shells without the user's rc files, as a clean user would have them.
    match shell {
        "bash" => cmd.env("BASH_ENV", "/dev/null"),
        "zsh" => cmd.env("ZDOTDIR", w.env.tmp.path()),
        _ => &mut cmd,
    };
    Pty::spawn(cmd)
}

fn environment_of(pty: &mut Pty, dir: &Path, n: u32) -> BTreeMap<String, String> {
    let file = dir.join(format!("enter-env-{n}"));
    pty.run(&format!("/usr/bin/env -0 > '{}'", file.display()));
    String::from_utf8(std::fs::read(&file).unwrap())
        .unwrap()
        .split('\0')
        .filter_map(|e| e.split_once('='))
        .filter(|(k, _)| !SHELL_OWN.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn enter_gives_the_environment_and_returns_the_exit_code_in_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        if !installed(shell) {
            continue;
        }
        let w = World::new();
        let mut sh = enter(&w, shell, &[]);
        let env = environment_of(&mut sh, w.env.tmp.path(), 1);
        assert_eq!(env.get("FOO").map(String::as_str), Some("bar"), "{shell}");
        assert_eq!(env.get("MULTI").map(String::as_str), Some("one\ntwo 'three' $HOME"), "{shell}");
        assert_eq!(env.get("DEN_PROJECT").map(String::as_str), Some("project"), "{shell}");
        assert_eq!(env.get("GONE"), None, "{shell}");
        assert_eq!(env.get("KEEP_ME").map(String::as_str), Some("outer"), "{shell}");
        assert!(env.contains_key("__DEN_STATE"), "{shell}");
        let session_dirs = std::fs::read_dir(w.a.join(".den/tmp")).unwrap().count();
        assert_eq!(session_dirs, 1, "{shell}: the session has its temporary directory");
        assert_eq!(sh.exit("exit 7"), 7, "{shell}");
        assert_eq!(
            std::fs::read_dir(w.a.join(".den/tmp")).unwrap().count(),
            0,
            "{shell}: session left behind"
        );
        assert_eq!(
            std::fs::read_dir(w.a.join(".den/sessions")).unwrap().count(),
            0,
            "{shell}: record left behind"
        );
    }
}

#[test]
fn enter_pure_keeps_only_the_basics() {
    let w = World::new();
    let mut sh = enter(&w, "bash", &["--pure"]);
    let env = environment_of(&mut sh, w.env.tmp.path(), 1);
    let names: Vec<&str> = env.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "DEN_PROJECT",
            "DEN_ROOT",
            "DEN_STATE",
            "FOO",
            "HOME",
            "LANG",
            "MULTI",
            "PATH",
            "TERM",
            "__DEN_STATE"
        ]
    );
    assert_eq!(env["PATH"], format!("{}/bin:/usr/bin:/bin", w.a.display()));
    assert_eq!(sh.exit("exit"), 0);
}

#[test]
fn nested_enter_replaces_the_outer_project_and_an_installed_hook_changes_nothing() {
    let w = World::new();
    let mut sh = Sh { pty: enter(&w, "bash", &[]), dumps: w.env.tmp.path().to_path_buf(), n: 0 };
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let before = w.starts();
    let first = sh.environment();
    assert!(w.starts() <= before + 1, "the hook ran den more than once on its first prompt");
    assert_eq!(first.get("FOO").map(String::as_str), Some("bar"));
    // From inside project A, enter project B: nothing of A may stay.
    sh.run(&format!("'{}' enter {}", env!("CARGO_BIN_EXE_den"), quoted(&w.b)));
    let nested = sh.environment();
    assert_eq!(nested.get("ONLY_B").map(String::as_str), Some("b"));
    assert_eq!(nested.get("FOO").map(String::as_str), Some("from b"));
    assert_eq!(nested.get("MULTI"), None);
    assert_eq!(nested.get("GONE").map(String::as_str), Some("outer value"), "A's unset must be undone in B");
    sh.pty.send("exit 5\n");
    assert!(sh.run("echo \"code=$?\"").contains("code=5"));
    let back = sh.environment();
    assert_eq!(back.get("FOO").map(String::as_str), Some("bar"));
    assert_eq!(sh.pty.exit("exit"), 0);
}

#[test]
fn enter_refuses_an_untrusted_project_without_a_terminal_and_trusts_with_the_flag() {
    let w = World::new();
    std::fs::write(w.a.join("den.toml"), "[env]\nFOO = \"changed\"\n").unwrap();
    let mut cmd = w.env.den_in(&w.a);
    cmd.env("SHELL", "/bin/sh");
    let out = run(cmd, &["enter"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is not trusted (it changed since you trusted it)"), "{}", out.stderr);
    let mut cmd = w.env.den_in(&w.a);
    cmd.env("SHELL", "/bin/sh").stdin(std::process::Stdio::piped());
    let mut child = cmd
        .args(["enter", "--trust"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"echo \"FOO=$FOO\"; exit 4\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "FOO=changed\n");
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
