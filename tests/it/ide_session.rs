//! `den ide` beyond starting the editor: the project's `[enter].services` held for as long
//! as the editor's session runs (a fake `code` that, like the real one, starts a long-lived
//! process and exits at once), with real services and a real supervisor.

use std::os::unix::fs::PermissionsExt;

use std::path::Path;

use crate::services::{Guard, alive, eventually, ps};
use crate::shells::{BASH, World, quoted};
use crate::support::{Env, run};
use crate::upstream::Upstream;

/// Kills what the fake editor left running (its pid in `editor-child`), then the
/// services' [`Guard`] stops the rest, even when the test fails.
struct EditorGuard<'a> {
    env: &'a Env,
}

impl Drop for EditorGuard<'_> {
    fn drop(&mut self) {
        if let Some(pid) = child_pid(self.env) {
            // SAFETY: kill(2) on the process the fake editor recorded as its own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

fn child_pid(env: &Env) -> Option<i32> {
    std::fs::read_to_string(env.project().join("editor-child")).ok()?.trim().parse().ok()
}

/// A fake `code` that starts a long-lived process (the real editor) and exits.
fn forking_editor(env: &Env) {
    let path = env.tmp.path().join("bin/code");
    std::fs::write(
        &path,
        "#!/bin/sh\nsleep 600 &\necho $! > \"$DEN_ROOT/editor-child.tmp\"\nmv \"$DEN_ROOT/editor-child.tmp\" \"$DEN_ROOT/editor-child\"\nexit 0\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn service(env: &Env, name: &str) -> (String, Option<i32>) {
    ps(env).into_iter().find(|s| s.0 == name).map(|s| (s.1, s.2)).unwrap()
}

#[test]
fn enter_services_run_while_the_editors_session_does() {
    let env = Env::new();
    env.write(
        "den.toml",
        "[services.s]\nrun = \"exec sleep 600\"\n\n[services.other]\nrun = \"exec sleep 601\"\n\n[enter]\nservices = [\"s\"]\n",
    );
    env.trust();
    forking_editor(&env);
    let _services = Guard { env: &env };
    let _editor = EditorGuard { env: &env };

    let out = run(env.den(), &["ide", "code", "--shared"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // --shared hands the window to a VS Code that may already run, outside this session.
    assert!(out.stderr.contains("`den up -d` keeps them until `den down`"), "{}", out.stderr);
    assert!(eventually(20, || child_pid(&env).is_some()), "the editor never started: {}", out.stderr);
    let (state, pid) = service(&env, "s");
    assert_eq!(state, "ready", "den ide starts [enter].services before the editor");
    let pid = pid.unwrap();
    assert_eq!(service(&env, "other").0, "stopped", "only [enter].services start");
    // den and the `code` launcher are gone; the editor's session alone holds the service.
    let sessions: Vec<String> = std::fs::read_dir(env.project().join(".den/sessions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(sessions.len() == 1 && sessions[0].starts_with("ide-"), "{sessions:?}");
    std::thread::sleep(std::time::Duration::from_millis(1000));
    assert!(alive(pid), "the service stopped while the editor runs");

    let editor = child_pid(&env).unwrap();
    // SAFETY: kill(2) on the fake editor's long-lived process, which this test started.
    unsafe { libc::kill(editor, libc::SIGKILL) };
    assert!(eventually(10, || !alive(pid)), "the service outlived the editor");
    assert!(eventually(10, || !env.project().join(".den/run/supervisor.pid").exists()));
    assert!(
        eventually(5, || std::fs::read_dir(env.project().join(".den/sessions")).unwrap().next().is_none()),
        "the ended session's record is left"
    );
}

/// The hook notices a den.toml or den.lock changed without den (a hand edit, `git pull`)
/// and rewrites the project's shims when its set of binaries changed, and only then; a
/// prompt with nothing changed still starts nothing.
#[test]
fn the_hook_rewrites_the_shims_when_the_binaries_change() {
    if !crate::shells::installed("bash") {
        return;
    }
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let w = World::new();
    up.write_config(&w.env);
    let edit = |toml: &str| {
        std::fs::write(w.a.join("den.toml"), toml).unwrap();
        let out = run(w.env.den_in(&w.a), &["trust"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    };
    edit("[tools]\njq = \"1.7\"\n");
    let out = run(w.env.den_in(&w.a), &["ide", "--shims"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let shim = w.a.join(".den/bin/jq");
    assert!(shim.exists());

    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    sh.run(&format!("cd {}", quoted(&w.a)));
    edit("[env]\nX = \"1\"\n");
    sh.run("true");
    assert!(!shim.exists(), "the shim of a binary no tool provides any more is left");
    edit("[tools]\njq = \"1.7\"\n\n[env]\nX = \"1\"\n");
    sh.run("true");
    assert!(shim.exists(), "the new tool's shim is not written");
    assert_eq!(sh.environment().get("X").map(String::as_str), Some("1"));

    // The same binaries: nothing rewritten.
    let stamp = w.a.join(".den/bin/.den-shims");
    let mtimes = || [&shim, &stamp].map(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    let before = mtimes();
    std::thread::sleep(std::time::Duration::from_millis(20));
    edit("[tools]\njq = \"1.7\"\n\n[env]\nX = \"2\"\n");
    sh.run("true");
    assert_eq!(sh.environment().get("X").map(String::as_str), Some("2"), "the hook did not run");
    assert_eq!(mtimes(), before, "shims rewritten though the binaries are the same");
    let starts = w.starts();
    for _ in 0..3 {
        sh.run("true");
    }
    assert_eq!(w.starts(), starts, "a prompt with nothing changed started den");
}

/// A shim names den's absolute path; when den is no longer there it says so in one line,
/// with what to run, instead of the shell's "not found".
#[test]
fn a_shim_whose_den_moved_says_so_and_what_to_run() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    env.write("den.toml", "[tools]\njq = \"1.7\"\n");
    env.trust();
    // The shims written by a den at another path, which then goes away.
    let den = env.tmp.path().join("old/den");
    std::fs::create_dir_all(den.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_den"), &den).unwrap();
    let mut copied = env.command(&den);
    copied.args(["ide", "--shims"]);
    // A copied executable is busy while a fork of another test's thread still holds the
    // copy's descriptor: try again then.
    let out = loop {
        match copied.output() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            other => break other.unwrap(),
        }
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let shim = env.project().join(".den/bin/jq");
    let jq = || env.command(&shim).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&jq().stdout), "jq-1.7.1\n");
    std::fs::remove_file(&den).unwrap();

    let ran = jq();
    assert_eq!(ran.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert_eq!(
        stderr,
        format!(
            "den: {} cannot run: den is no longer at {} (moved or upgraded)\nhelp: run `den ide --shims` in {} to rewrite its shims\n",
            shim.display(),
            den.display(),
            env.project().display()
        )
    );
    // As it says: the den of now rewrites them.
    env.ok(&["ide", "--shims"]);
    assert_eq!(String::from_utf8_lossy(&jq().stdout), "jq-1.7.1\n");
}

/// A fake notifier `name` in the test's bin directory that writes its arguments, each
/// followed by a NUL, to `<tmp>/<name>.argv`. A fake because the notification daemon that
/// shows them exists only in a desktop session; the arguments are what reaches it.
fn fake_notifier(env: &Env, name: &str) -> std::path::PathBuf {
    let record = env.tmp.path().join(format!("{name}.argv"));
    let path = env.tmp.path().join("bin").join(name);
    std::fs::write(
        &path,
        format!("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > '{}'\n", record.display()),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    record
}

fn argv(record: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(record).unwrap_or_else(|e| panic!("{}: {e}", record.display()));
    text.split_terminator('\0').map(str::to_string).collect()
}

/// Started as a desktop launcher starts it (no terminal, a graphical session), a failing
/// `den ide` writes its error to the project's editor log and shows a notification:
/// untrusted project, missing editor, a tool that cannot be installed.
#[test]
fn a_failure_without_a_terminal_is_logged_and_notified() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    let record = fake_notifier(&env, "notify-send");
    let desktop = |args: &[&str]| {
        let mut den = env.den();
        den.env("DISPLAY", ":0").stdin(std::process::Stdio::null());
        let out = run(den, args);
        assert_eq!(out.code, 1, "{}", out.stderr);
        out
    };
    let log = |editor: &str| {
        std::fs::read_to_string(env.project().join(format!(".den/logs/ide-{editor}.log"))).unwrap_or_default()
    };

    env.write("den.toml", "[env]\nA = \"1\"\n");
    desktop(&["ide", "code"]);
    assert!(log("code").starts_with("den ide: ") && log("code").contains("den trust"), "{}", log("code"));
    let shown = argv(&record);
    assert_eq!(
        shown[..5],
        ["--app-name=den", "--urgency=critical", "--icon=dialog-error", "--", "den ide: code did not start"]
    );
    assert!(shown[5].contains("not trusted") && shown[5].contains("\nhelp: "), "{shown:?}");
    assert!(
        shown[5].ends_with(&format!("(also in {})", env.project().join(".den/logs/ide-code.log").display()))
    );

    env.trust();
    desktop(&["ide", "nosuch-editor"]);
    assert!(log("nosuch-editor").contains("editor `nosuch-editor` not found"), "{}", log("nosuch-editor"));
    assert_eq!(argv(&record)[4], "den ide: nosuch-editor did not start");

    env.write("den.toml", "[tools]\njq = \"9.9\"\n\n[ide]\neditor = \"zed\"\n");
    env.trust();
    desktop(&["ide"]);
    assert!(log("zed").contains("jq"), "{}", log("zed"));
    assert_eq!(argv(&record)[4], "den ide: zed did not start");

    // From a terminal (here: no graphical session) the error is den's stderr alone.
    std::fs::remove_file(&record).unwrap();
    let out = run(env.den(), &["ide", "nosuch-editor"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: ") && !record.exists(), "{}", out.stderr);
}

/// Without `notify-send`, `gdbus` calls the notification service itself, each text a
/// GVariant string.
#[test]
fn without_notify_send_gdbus_carries_the_notification() {
    let env = Env::new();
    let record = fake_notifier(&env, "gdbus");
    env.write("den.toml", "[env]\nA = \"it's\"\n");
    let mut den = env.den();
    den.env("DISPLAY", ":0").env("PATH", env.tmp.path().join("bin")).stdin(std::process::Stdio::null());
    let out = run(den, &["ide", "code"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let shown = argv(&record);
    assert_eq!(
        shown[..14],
        [
            "call",
            "--session",
            "--timeout",
            "5",
            "--dest",
            "org.freedesktop.Notifications",
            "--object-path",
            "/org/freedesktop/Notifications",
            "--method",
            "org.freedesktop.Notifications.Notify",
            "'den'",
            "0",
            "'dialog-error'",
            "'den ide: code did not start'",
        ]
    );
    assert!(
        shown[14].starts_with('\'') && shown[14].contains("not trusted") && shown[14].contains(r"\nhelp: "),
        "{shown:?}"
    );
    assert_eq!(shown[15..], ["@as []", "{'urgency': <byte 2>}", "-1"]);
}
