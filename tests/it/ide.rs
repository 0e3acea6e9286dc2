//! `den ide`: a fake editor (a script on the test PATH named `code`, …) records its argv,
//! working directory, session and environment; den must start it detached with the
//! project's environment, without the variables of an enclosing VS Code, and return. Shims
//! in `.den/bin/` run from another directory under `env -i`; desktop entries quote paths.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::support::{Env, run};
use crate::upstream::Upstream;

/// A home talking to `up` (jq 1.7.1 published) with a trusted project holding `toml`.
fn project(up: &Upstream, toml: &str) -> Env {
    up.catalog_tool("jq", "1.7.1");
    up.project(toml)
}

/// Puts a fake editor `name` on the test PATH; it writes what it saw to `<tmp>/<name>.seen`.
fn fake_editor(env: &Env, name: &str) -> PathBuf {
    let seen = env.tmp.path().join(format!("{name}.seen"));
    let script = format!(
        "#!/bin/sh\n{{ echo \"argv=$*\"; echo \"cwd=$(pwd)\"; echo \"pid=$$\"; echo \"sid=$(ps -o sid= -p $$ | tr -d ' ')\"; \
         echo \"stdin=$(readlink /proc/$$/fd/0)\"; env | sed 's/^/env:/'; }} > '{0}.tmp'\n\
         echo \"the editor says hello\"\nmv '{0}.tmp' '{0}'\n",
        seen.display()
    );
    let path = env.tmp.path().join("bin").join(name);
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    seen
}

/// What the fake editor wrote, once it has (panics after a generous wait).
fn seen(path: &Path) -> Vec<String> {
    let began = Instant::now();
    while !path.exists() {
        assert!(began.elapsed() < Duration::from_secs(20), "the editor never ran ({})", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

fn value<'a>(lines: &'a [String], key: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
}

fn own_sid() -> String {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    after.split(' ').nth(3).unwrap().to_string()
}

#[test]
fn code_starts_detached_with_the_project_environment_and_a_new_window() {
    let up = Upstream::start();
    let env = project(&up, "[tools]\njq = \"1.7\"\n\n[env]\nGREETING = \"hello from den.toml\"\n");
    let seen_file = fake_editor(&env, "code");
    let settings = env.home().join(".config/Code/User/settings.json");
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, "{}\n").unwrap();
    let mut den = env.den();
    den.env("ELECTRON_RUN_AS_NODE", "1")
        .env("VSCODE_IPC_HOOK_CLI", "/run/user/1/vscode-ipc.sock")
        .env("VSCODE_PID", "4242")
        .env("NODE_CHANNEL_FD", "3");
    let out = run(den, &["ide", "code"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let root = env.project();
    assert!(out.stderr.contains("installed jq 1.7.1"), "tools are installed first: {}", out.stderr);
    let said: Vec<&str> = out.stderr.lines().filter(|l| l.contains("started code")).collect();
    assert_eq!(said.len(), 1, "{}", out.stderr);
    assert!(said[0].contains(&root.display().to_string()) && said[0].contains("ide-code.log"), "{}", said[0]);

    let lines = seen(&seen_file);
    // An instance of the project's own (VS Code shares the first window's environment
    // with later ones), with the user's settings linked and the user's extensions.
    let argv = value(&lines, "argv").unwrap();
    let data = env.home().join(".local/share/den/ide/code");
    let rest = argv
        .strip_prefix(&format!("--user-data-dir {}/project-", data.display()))
        .unwrap_or_else(|| panic!("{argv}"));
    let (hash, rest) = rest.split_once(' ').unwrap();
    assert_eq!(
        rest,
        format!(
            "--extensions-dir {} --new-window {}",
            env.home().join(".vscode/extensions").display(),
            root.display()
        )
    );
    let user = data.join(format!("project-{hash}/User"));
    assert_eq!(std::fs::read_link(user.join("settings.json")).unwrap(), settings);
    assert_eq!(value(&lines, "cwd"), Some(root.display().to_string().as_str()));
    // Its own session: the session leader, not in the test's (and den's) session.
    assert_eq!(value(&lines, "sid"), value(&lines, "pid"), "{lines:?}");
    assert_ne!(value(&lines, "sid"), Some(own_sid().as_str()));
    assert_eq!(value(&lines, "stdin"), Some("/dev/null"));

    let vars: Vec<&str> = lines.iter().filter_map(|l| l.strip_prefix("env:")).collect();
    assert!(vars.contains(&"GREETING=hello from den.toml"), "{vars:?}");
    assert!(vars.contains(&format!("DEN_ROOT={}", root.display()).as_str()), "{vars:?}");
    let path = vars.iter().find_map(|v| v.strip_prefix("PATH=")).unwrap();
    let jq_dir = path.split(':').next().unwrap();
    assert!(Path::new(jq_dir).join("jq").exists(), "the tool's dir leads PATH: {path}");
    for gone in ["ELECTRON_RUN_AS_NODE", "VSCODE_IPC_HOOK_CLI", "VSCODE_PID", "NODE_CHANNEL_FD"] {
        assert!(!vars.iter().any(|v| v.starts_with(&format!("{gone}="))), "{gone} passed on: {vars:?}");
    }
    // Its output in the project's log, and the shims written on the way.
    let log = root.join(".den/logs/ide-code.log");
    let began = Instant::now();
    while !std::fs::read_to_string(&log).unwrap_or_default().contains("the editor says hello") {
        assert!(began.elapsed() < Duration::from_secs(20), "nothing in {}", log.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(root.join(".den/bin/jq").exists());

    // --shared: the plain window, and the warning that a running instance keeps its own.
    std::fs::remove_file(&seen_file).unwrap();
    let out = run(env.den(), &["ide", "code", "--shared"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("already running opens the window with its own environment"),
        "{}",
        out.stderr
    );
    assert_eq!(value(&seen(&seen_file), "argv"), Some(format!("--new-window {}", root.display()).as_str()));
}

#[test]
fn the_editor_comes_from_den_toml_or_an_error_lists_what_there_is() {
    let up = Upstream::start();
    let env = project(&up, "[env]\nA = \"1\"\n");
    let seen_zed = fake_editor(&env, "zed");
    fake_editor(&env, "code");

    let out = run(env.den(), &["ide"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: no editor named"), "{}", out.stderr);
    assert!(out.stderr.contains("found on this machine: code, zed"), "{}", out.stderr);

    let out = run(env.den(), &["ide", "pycharm"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("editor `pycharm` not found: looked for pycharm, pycharm-professional, pycharm-community, charm on PATH, in ")
            && out.stderr.contains("JetBrains/Toolbox/scripts")
            && out.stderr.contains("com.jetbrains.PyCharm-Community"),
        "{}",
        out.stderr
    );

    env.write("den.toml", "[env]\nA = \"1\"\n\n[ide]\neditor = \"zed\"\n");
    let out = run(env.den(), &["ide", "--trust", "."]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines = seen(&seen_zed);
    assert_eq!(
        value(&lines, "argv"),
        Some(env.project().display().to_string().as_str()),
        "no --new-window for zed"
    );
}

#[test]
fn a_running_jetbrains_ide_is_named_with_what_it_means() {
    let env = Env::new();
    env.write("den.toml", "[env]\nA = \"1\"\n");
    let seen_file = fake_editor(&env, "pycharm");
    let out = run(env.den(), &["ide", "--trust", "pycharm"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("already running"), "{}", out.stderr);
    let lines = seen(&seen_file);
    assert_eq!(value(&lines, "argv"), Some(env.project().display().to_string().as_str()));
    // The fake has ended (a pycharm of its own on the next count otherwise).
    let fake = Path::new("/proc").join(value(&lines, "pid").unwrap());
    let began = Instant::now();
    while fake.exists() && began.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }

    std::fs::remove_file(&seen_file).unwrap();
    let mut ide = std::process::Command::new("sleep");
    std::os::unix::process::CommandExt::arg0(&mut ide, "/opt/pycharm/bin/pycharm.sh");
    let mut ide = ide.arg("60").spawn().unwrap();
    let out = run(env.den(), &["ide", "pycharm"]);
    let _ = ide.kill();
    let _ = ide.wait();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "pycharm is already running (pid {}) and keeps the environment it started with",
            ide.id()
        )) && out.stderr.contains(".den/bin/"),
        "{}",
        out.stderr
    );
    seen(&seen_file);
}

#[test]
fn an_untrusted_project_launches_nothing() {
    let env = Env::new();
    env.write("den.toml", "[env]\nA = \"1\"\n");
    let seen_file = fake_editor(&env, "code");
    let out = run(env.den(), &["ide", "code"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("den trust"), "{}", out.stderr);
    assert!(!seen_file.exists() && !env.project().join(".den/logs").exists());
}

#[test]
fn shims_run_the_projects_tool_from_anywhere_and_refuse_when_untrusted() {
    let up = Upstream::start();
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    run(env.den(), &["ide", "--shims"]).success().stderr_has("wrote 1 shim in");
    let shim = env.project().join(".den/bin/jq");
    let elsewhere = env.tmp.path().join("bin");
    // No environment at all, another directory, and .den/bin itself on PATH: no recursion.
    let ran = std::process::Command::new("env")
        .current_dir(&elsewhere)
        .args(["-i", &format!("PATH={}", shim.parent().unwrap().display())])
        .arg(&shim)
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "jq-1.7.1\n");

    // Commands that change the tools keep the shims in step.
    let out = run(env.den(), &["remove", "jq"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!shim.exists() && shim.parent().unwrap().is_dir());
    let out = run(env.den(), &["add", "jq@1.7"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(shim.exists(), "den add writes the new tool's shim");

    env.write("den.toml", "[tools]\njq = \"1.7\"\n\n[env]\nSNEAKY = \"1\"\n");
    let ran =
        std::process::Command::new("env").current_dir(&elsewhere).arg("-i").arg(&shim).output().unwrap();
    assert_eq!(ran.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(stderr.starts_with("den: ") && stderr.contains("den trust"), "{stderr}");
    assert!(ran.stdout.is_empty());
}

#[test]
fn a_shim_follows_den_upgrade() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.6");
    let env = Env::new();
    up.write_config(&env);
    env.write("den.toml", "[tools]\njq = \"1\"\n");
    env.trust();
    let out = run(env.den(), &["ide", "--shims"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shim = env.project().join(".den/bin/jq");
    let jq = |env: &Env| {
        let ran = env.command(&shim).current_dir(env.home()).output().unwrap();
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
        String::from_utf8_lossy(&ran.stdout).into_owned()
    };
    assert_eq!(jq(&env), "jq-1.6\n");
    up.catalog_tool("jq", "1.7.1");
    let out = run(env.den(), &["upgrade", "jq"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(jq(&env), "jq-1.7.1\n");
}

#[test]
fn a_flatpak_editor_gets_the_variables_as_arguments() {
    let env = Env::new();
    env.write("den.toml", "[env]\nGREETING = \"hi there\"\nPYTHONPATH = \"/p/lib\"\n");
    let seen_file = fake_editor(&env, "flatpak");
    std::fs::create_dir_all(env.home().join(".local/share/flatpak/app/dev.zed.Zed/current")).unwrap();
    let out = run(env.den(), &["ide", "--trust", "zed"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines = seen(&seen_file);
    let argv = value(&lines, "argv").unwrap();
    // What flatpak would replace goes as --env=; the rest (secrets too) only through the
    // environment, never on a command line every user can read.
    assert!(argv.starts_with("run --env=PYTHONPATH=/p/lib dev.zed.Zed "), "{argv}");
    assert!(!argv.contains("GREETING") && !argv.contains("DEN_ROOT"), "{argv}");
    assert!(argv.ends_with(&format!(" dev.zed.Zed {}", env.project().display())), "{argv}");
    assert!(lines.contains(&"env:GREETING=hi there".to_string()));
}

/// Editors that read the environment from `$SHELL -i -c env` (Zed, JetBrains IDEs) get the
/// project's: the hook applies the current directory's project when it is sourced.
#[test]
fn an_interactive_shell_started_for_env_carries_the_project() {
    let env = Env::new();
    env.write("den.toml", "[env]\nHOOKED = \"from den.toml\"\n");
    env.trust();
    let den = env!("CARGO_BIN_EXE_den");
    let home = env.home();
    std::fs::write(home.join(".bashrc"), format!("eval \"$('{den}' hook bash)\"\n")).unwrap();
    std::fs::write(home.join(".zshrc"), format!("eval \"$('{den}' hook zsh)\"\n")).unwrap();
    std::fs::create_dir_all(home.join(".config/fish")).unwrap();
    std::fs::write(home.join(".config/fish/config.fish"), format!("'{den}' hook fish | source\n")).unwrap();
    // A login shell (`$SHELL -l -i -c env`, as Zed and JetBrains IDEs run it) reads the
    // profile, which on Debian and most distributions sources .bashrc.
    std::fs::write(home.join(".profile"), ". \"$HOME/.bashrc\"\n").unwrap();
    let runs = ["bash", "zsh", "fish"]
        .into_iter()
        .flat_map(|s| [(s, &["-i", "-c", "env"][..]), (s, &["-l", "-i", "-c", "env"][..])]);
    for (shell, args) in runs {
        let Ok(out) = env
            .command(shell)
            .args(args)
            .env("PATH", "/usr/bin:/bin")
            .env("TERM", "dumb")
            .stdin(std::process::Stdio::null())
            .output()
        else {
            panic!("{shell} is needed by this test");
        };
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.lines().any(|l| l == "HOOKED=from den.toml"),
            "{shell} {args:?}: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn desktop_entry_quotes_a_path_with_spaces_and_percent() {
    let env = Env::new();
    fake_editor(&env, "code");
    let dir = env.tmp.path().join("my \"proj\" 100%");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("den.toml"), "[env]\nA = \"1\"\n").unwrap();
    let out = run(env.den(), &["ide", "--trust", "--desktop", "code", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = env.home().join(".local/share/applications/den-my__proj__100_-code.desktop");
    let text =
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}\n{}", file.display(), out.stderr));
    let quoted_dir = dir.display().to_string().replace('"', r#"\\""#).replace('%', "%%");
    let expected = format!(
        "[Desktop Entry]\nType=Application\nVersion=1.4\nName=code — my \"proj\" 100%\n\
         Comment=code in the den environment of {}\nExec=\"{}\" \"ide\" \"code\" \"{quoted_dir}\"\n\
         Terminal=false\nCategories=Development;IDE;\nIcon=vscode\n",
        dir.display(),
        env!("CARGO_BIN_EXE_den"),
    );
    assert_eq!(text, expected);
    if let Some(validate) = crate::prereq::program("desktop-file-validate") {
        let checked = std::process::Command::new(validate).arg(&file).output().unwrap();
        assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stdout));
    }

    let listed = run(env.den(), &["ide", "--desktop", "--list"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert_eq!(
        listed.stdout,
        format!("{}\t{}\n", file.display(), text.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap())
    );
    let removed = run(env.den(), &["ide", "--desktop", "--remove", "code", dir.to_str().unwrap()]);
    assert_eq!(removed.code, 0, "{}", removed.stderr);
    assert!(removed.stderr.contains("removed ") && !file.exists(), "{}", removed.stderr);
    let listed = run(env.den(), &["ide", "--desktop", "--list"]);
    assert_eq!((listed.stdout.as_str(), listed.code), ("", 0));
}

/// An X server of the test's own (Xvfb on a display it picks free), stopped when dropped.
struct Xvfb {
    child: std::process::Child,
    display: String,
}

impl Xvfb {
    fn start(program: &Path) -> Xvfb {
        use std::io::BufRead;
        let mut child = std::process::Command::new(program)
            .args(["-displayfd", "1", "-nolisten", "tcp", "-noreset"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let display = format!(":{}", line.trim());
        let xvfb = Xvfb { child, display };
        assert!(line.trim().parse::<u32>().is_ok(), "Xvfb gave no display: {line:?}");
        xvfb
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills a process by pid when dropped (the launched editor, whatever the test's outcome).
struct Kill(Option<i32>);

impl Drop for Kill {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            // SAFETY: kill(2) on the fake editor this test launched.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// A real desktop launch: under a real X display (Xvfb), GLib (`gio launch`, what GNOME
/// runs) reads the written entry, runs its `Exec` with the path intact, and `den ide`
/// starts the editor in the environment, read from the running editor's /proc.
#[test]
fn gio_launches_the_entry_into_the_environment() {
    let Some(gio) = crate::prereq::program("gio") else { return };
    let Some(xvfb) = crate::prereq::program("Xvfb") else { return };
    let x = Xvfb::start(&xvfb);
    let env = Env::new();
    let pid_file = env.tmp.path().join("zed.pid");
    let editor = env.tmp.path().join("bin/zed");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\necho $$ > '{0}.tmp'\nmv '{0}.tmp' '{0}'\nexec sleep 600\n", pid_file.display()),
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = env.tmp.path().join("a \"b\" 100% $x \\y 'z'");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("den.toml"), "[env]\nGREETING = \"from den.toml\"\n").unwrap();
    let out = run(env.den(), &["ide", "--trust", "--desktop", "zed", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let file = env
        .home()
        .join(".local/share/applications")
        .join(format!("den-{}-zed.desktop", "a__b__100___x__y__z_"));
    let mut editor = Kill(None);
    let launched = env.command(gio).arg("launch").arg(&file).env("DISPLAY", &x.display).output().unwrap();
    assert!(launched.status.success(), "{}", String::from_utf8_lossy(&launched.stderr));
    let began = Instant::now();
    while !pid_file.exists() {
        assert!(began.elapsed() < Duration::from_secs(20), "the editor never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
    editor.0 = Some(pid);
    // The editor itself, once its script has exec'ed it.
    let exec_ed = || {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        cmdline.split(|b| *b == 0).nth(1) == Some(b"600".as_slice())
    };
    let began = Instant::now();
    while !exec_ed() {
        assert!(began.elapsed() < Duration::from_secs(20), "the editor's script never exec'ed it");
        std::thread::sleep(Duration::from_millis(20));
    }
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    let vars: Vec<String> =
        environ.split(|b| *b == 0).map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    assert!(vars.contains(&"GREETING=from den.toml".to_string()), "{vars:?}");
    assert!(vars.contains(&format!("DEN_ROOT={}", dir.display())), "{vars:?}");
    assert!(vars.contains(&format!("DISPLAY={}", x.display)), "{vars:?}");
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap();
    assert_eq!(cwd, dir);
}
