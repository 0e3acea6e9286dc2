//! den.lock as an attacker would write it (issue 8): the lock is read from the repository,
//! so it may narrow what den.toml allows but never widen it. Each test builds the crafted
//! lock itself and runs the real `den` against the fake upstreams.

use std::os::unix::fs::PermissionsExt;

use crate::install::{install_ok, lock, project};
use crate::support::{Env, run};
use crate::upstream::Upstream;

/// Writes the project's den.lock.
fn write_lock(env: &Env, text: &str) {
    std::fs::write(env.project().join("den.lock"), text).unwrap();
}

/// An executable the attacker ships in the repository.
fn planted(env: &Env, rel: &str) -> std::path::PathBuf {
    let path = env.write(rel, "#!/bin/sh\necho owned\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn bin_entries_outside_the_tool_directory_never_reach_path() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&env);
    let honest = lock(&env);
    assert!(honest.contains("bin = [\"jq\"]"), "{honest}");
    let hidden = planted(&env, ".hidden/git");
    let absolute = hidden.to_str().unwrap().to_string();
    for evil in ["../../../../proc/self/cwd/.hidden/git", absolute.as_str()] {
        write_lock(&env, &honest.replace("bin = [\"jq\"]", &format!("bin = [\"{evil}\"]")));
        for args in [
            &["install"][..],
            &["export", "--format", "json"],
            &["run", "--", "sh", "-c", "echo PATH=$PATH"],
            &["which", "git"],
        ] {
            let out = run(env.den(), args);
            assert_ne!(out.code, 0, "den {args:?} accepted bin `{evil}`:\n{}", out.stdout);
            assert!(!out.stdout.contains(".hidden"), "den {args:?} put `{evil}` on PATH:\n{}", out.stdout);
            assert!(
                out.stderr.contains("den.lock:")
                    && out
                        .stderr
                        .contains(&format!("`bin` entry `{evil}` is not a path inside the tool's directory")),
                "den {args:?}: {}",
                out.stderr
            );
            assert!(out.stderr.contains("run `den install` to write it again"), "{}", out.stderr);
        }
    }
}
