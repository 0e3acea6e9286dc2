//! `.den/` is den's per-project state, but the repository owns the tree it lives in: a
//! repository can ship symbolic links there (`.den/tmp -> /elsewhere`,
//! `.den/.gitignore -> ~/.bashrc`). `den enter` must never write through a link it did not
//! create: nothing outside the project changes.

use std::fs;
use std::path::Path;
use std::process::Stdio;

use crate::support::Env;

/// Every file under `dir` with its content, to compare before and after.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.push((path.display().to_string(), fs::read(&path).unwrap_or_default()));
        }
    }
    out.sort();
    out
}

/// `den enter` in the project with a shell that exits at once; its stderr.
fn enter(env: &Env) -> String {
    let out = env
        .den()
        .arg("enter")
        .env("SHELL", "/bin/sh")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "den enter failed: {stderr}");
    stderr
}

fn trusted_project() -> (Env, std::path::PathBuf) {
    let env = Env::new();
    env.write("den.toml", "[env]\nFOO = \"bar\"\n");
    env.trust();
    let outside = env.tmp.path().join("outside");
    fs::create_dir_all(outside.join("tmp")).unwrap();
    fs::create_dir_all(outside.join("sessions")).unwrap();
    fs::write(outside.join("bashrc"), "# the user's own file\n").unwrap();
    (env, outside)
}

#[test]
fn links_shipped_under_dot_den_are_replaced_not_followed() {
    let (env, outside) = trusted_project();
    let den = env.project().join(".den");
    fs::create_dir_all(&den).unwrap();
    std::os::unix::fs::symlink(outside.join("tmp"), den.join("tmp")).unwrap();
    std::os::unix::fs::symlink(outside.join("sessions"), den.join("sessions")).unwrap();
    std::os::unix::fs::symlink(outside.join("bashrc"), den.join(".gitignore")).unwrap();
    let before = snapshot(&outside);
    let stderr = enter(&env);
    assert_eq!(snapshot(&outside), before, "den enter wrote outside the project");
    for name in ["tmp", "sessions"] {
        let meta = fs::symlink_metadata(den.join(name)).unwrap();
        assert!(meta.is_dir(), "{name} is a real directory now");
        assert!(stderr.contains(&format!("replaced {}", den.join(name).display())), "{stderr}");
    }
    assert!(fs::symlink_metadata(den.join(".gitignore")).unwrap().is_file());
    assert!(fs::read_to_string(den.join(".gitignore")).unwrap().contains('*'));
}

#[test]
fn a_dot_den_that_is_a_link_is_replaced_and_nothing_is_written_where_it_pointed() {
    let (env, outside) = trusted_project();
    std::os::unix::fs::symlink(&outside, env.project().join(".den")).unwrap();
    let before = snapshot(&outside);
    let stderr = enter(&env);
    assert_eq!(snapshot(&outside), before, "den enter wrote outside the project");
    assert!(fs::symlink_metadata(env.project().join(".den")).unwrap().is_dir(), "{stderr}");
}

#[test]
fn a_link_planted_at_the_session_record_is_replaced() {
    let (env, outside) = trusted_project();
    // The record is `.den/sessions/<pid>`: plant a link at every pid the test could get.
    let sessions = env.project().join(".den/sessions");
    fs::create_dir_all(&sessions).unwrap();
    let tmp = env.project().join(".den/tmp");
    fs::create_dir_all(&tmp).unwrap();
    let next = std::process::Command::new("true").spawn().unwrap().id();
    for pid in next..next + 200 {
        std::os::unix::fs::symlink(outside.join("bashrc"), sessions.join(pid.to_string())).unwrap();
        std::os::unix::fs::symlink(outside.join("tmp"), tmp.join(pid.to_string())).unwrap();
    }
    let before = snapshot(&outside);
    enter(&env);
    assert_eq!(snapshot(&outside), before, "den enter wrote outside the project");
}

#[test]
fn dot_den_state_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _) = trusted_project();
    enter(&env);
    let den = env.project().join(".den");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for dir in [&den, &den.join("tmp"), &den.join("sessions")] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
    }
    assert_eq!(mode(&den.join(".gitignore")), 0o600);
}
