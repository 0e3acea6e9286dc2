//! `[enter].services`: `den enter` starts them through the supervisor and holds them for
//! its session; they stop when the last session of the project ends, and a session killed
//! with SIGKILL (its record now stale) does not hold them forever. The "shell" is a script
//! that waits for its own leave file, so each session ends when the test says.

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::services::{Guard, alive, eventually, ps};
use crate::support::Env;

/// A `den enter` whose shell writes the project's `GREETING` to `seen-<who>` and waits for
/// `leave-<who>`.
fn enter(env: &Env, who: &str) -> Child {
    env.den()
        .arg("enter")
        .env("SHELL", env.tmp.path().join("bin/fake-shell"))
        .env("WHO", who)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn leave(env: &Env, who: &str, child: &mut Child) {
    std::fs::write(env.project().join(format!("leave-{who}")), "").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

fn setup() -> Env {
    let env = Env::new();
    let shell = env.tmp.path().join("bin/fake-shell");
    std::fs::write(
        &shell,
        "#!/bin/sh\necho $$ > \"$DEN_ROOT/pid-$WHO\"\necho \"$GREETING\" > \"$DEN_ROOT/seen-$WHO\"\n\
         while [ ! -e \"$DEN_ROOT/leave-$WHO\" ] && [ -d \"$DEN_ROOT\" ]; do sleep 0.05; done\n",
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.write(
        "den.toml",
        "[env]\nGREETING = \"hi\"\n\n[services.s]\nrun = \"exec sleep 600\"\n\n[services.other]\nrun = \"exec sleep 601\"\n\n[enter]\nservices = [\"s\"]\n",
    );
    env.trust();
    env
}

fn state(env: &Env, name: &str) -> (String, Option<i32>) {
    ps(env).into_iter().find(|s| s.0 == name).map(|s| (s.1, s.2)).unwrap()
}

#[test]
fn enter_services_live_as_long_as_the_last_session() {
    let env = setup();
    let _guard = Guard { env: &env };
    let mut a = enter(&env, "a");
    assert!(eventually(20, || env.project().join("seen-a").exists()), "the first session never started");
    let (first, pid) = state(&env, "s");
    assert_eq!(first, "ready");
    let pid = pid.unwrap();
    assert_eq!(state(&env, "other").0, "stopped", "only [enter].services start");
    let mut b = enter(&env, "b");
    assert!(eventually(20, || env.project().join("seen-b").exists()));
    assert_eq!(state(&env, "s").1, Some(pid), "the second session shares the same service");

    leave(&env, "a", &mut a);
    std::thread::sleep(Duration::from_millis(700));
    assert!(alive(pid), "stopped while a session still holds it");
    leave(&env, "b", &mut b);
    assert!(eventually(10, || !alive(pid)), "still running after the last session ended");
    assert!(eventually(5, || !env.project().join(".den/run/supervisor.pid").exists()));
}

#[test]
fn a_killed_session_does_not_hold_services() {
    let env = setup();
    let _guard = Guard { env: &env };
    let mut c = enter(&env, "c");
    assert!(eventually(20, || env.project().join("seen-c").exists()));
    let pid = state(&env, "s").1.unwrap();
    c.kill().unwrap();
    let _ = c.wait();
    assert!(eventually(10, || !alive(pid)), "a SIGKILLed session still holds the service");
    // Its shell, orphaned, still waits: end it (the test leaves nothing running).
    let shell: i32 = std::fs::read_to_string(env.project().join("pid-c")).unwrap().trim().parse().unwrap();
    // SAFETY: kill has no memory preconditions; the pid is the orphaned shell's.
    unsafe { libc::kill(shell, libc::SIGKILL) };
    assert!(eventually(10, || !alive(shell)), "the orphaned shell of the killed session survived");
}

#[test]
fn services_started_with_up_stay_after_sessions() {
    let env = setup();
    let _guard = Guard { env: &env };
    let mut d = enter(&env, "d");
    assert!(eventually(20, || env.project().join("seen-d").exists()));
    let pid = state(&env, "s").1.unwrap();
    let out = crate::support::run(env.den(), &["up", "-d", "s"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    leave(&env, "d", &mut d);
    std::thread::sleep(Duration::from_millis(700));
    assert!(alive(pid), "den up -d pins the service until den down");
}
