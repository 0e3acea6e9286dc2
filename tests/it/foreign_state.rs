//! The lock den keeps in its own state for a project with foreign version files only
//! (`foreign-locks-v1/<name>-<hash>/den.lock`): `den cache ls` names the project's root as
//! the user of what it pins, and once that directory is gone the lock pins nothing at
//! `den cache prune` and is removed (nothing else ever would).

use std::path::PathBuf;

use crate::support::{Env, run};
use crate::upstream::Upstream;

fn kept_locks(env: &Env) -> Vec<PathBuf> {
    let dir = crate::install::store(env).join("foreign-locks-v1");
    std::fs::read_dir(dir).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default()
}

#[test]
fn the_kept_lock_shows_its_project_and_goes_with_it() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let env = Env::new();
    up.write_config(&env);
    env.write(".nvmrc", "22\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let root = std::fs::canonicalize(env.project()).unwrap();
    let locks = kept_locks(&env);
    assert_eq!(locks.len(), 1, "{locks:?}");

    let out = run(env.den(), &["cache", "ls", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["tools"][0]["used_by"], serde_json::json!([root.to_str().unwrap()]), "{json}");
    let out = run(env.den(), &["cache", "ls"]);
    let row = out.stdout.lines().find(|l| l.starts_with("node")).unwrap_or_default();
    assert!(row.ends_with(root.to_str().unwrap()), "{}", out.stdout);
    let out = run(env.den(), &["cache", "prune", "--older-than", "0"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("used by 1 project ({})", root.display())), "{}", out.stderr);
    assert_eq!(kept_locks(&env), locks);

    // The project's directory goes: its kept lock pins nothing and is removed.
    std::fs::remove_dir_all(env.project()).unwrap();
    let out = run(env.den_in(&env.home()), &["cache", "prune", "--older-than", "0"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("removed node 22.11.0"), "{}", out.stderr);
    assert_eq!(kept_locks(&env), Vec::<PathBuf>::new());
    let known = std::fs::read_to_string(crate::install::store(&env).join("projects-v1.toml")).unwrap();
    assert!(!known.contains("foreign-locks-v1"), "{known}");
}
