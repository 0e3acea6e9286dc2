//! `den ide` beyond starting the editor: the project's `[enter].services` held for as long
//! as the editor's session runs (a fake `code` that, like the real one, starts a long-lived
//! process and exits at once), with real services and a real supervisor.

use std::os::unix::fs::PermissionsExt;

use crate::services::{Guard, alive, eventually, ps};
use crate::support::{Env, run};

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
