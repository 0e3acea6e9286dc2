//! PyPI packages that are applications (pure Python with dependencies), against the REAL
//! package index of this machine (found from its pip/uv configuration; no host is written
//! here): every dependency wheel installed and locked with its sha256, the console
//! scripts' launchers running on the python on PATH (recorded in den.lock), a second home
//! installing from den.lock alone, `--offline` after install, a changed checksum of one
//! dependency refused. Follows `live.rs`: `DEN_TEST_SKIP_LIVE=1` skips.

use std::path::Path;

use crate::live::{den_in, install, live, project_in};
use crate::support::{Env, run};

/// black 24: five dependencies (click, packaging, …), two console scripts.
const BLACK: &str = "[tools]\nblack = { version = \"24.10\", source = \"pypi:black\" }\n";

/// The artifact of `tool` in `dir`'s den.lock.
fn locked(dir: &Path, tool: &str) -> toml::Value {
    let lock: toml::Table = std::fs::read_to_string(dir.join("den.lock")).unwrap().parse().unwrap();
    lock["tools"][tool]["platforms"].as_table().unwrap().values().next().unwrap().clone()
}

#[test]
fn live_pypi_application_with_dependencies() {
    if !crate::prereq::installed("python3") {
        crate::prereq::missing(crate::prereq::SKIP_LIVE, "python3 on PATH");
    }
    let Some(env) = live() else { return };
    let dir = env.project();
    project_in(&env, &dir, BLACK);
    install(&env, &dir);
    std::fs::write(dir.join("a.py"), "x = ( 1, )\n").unwrap();
    let out = run(den_in(&env, &dir), &["run", "--", "black", "-q", "a.py"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("a.py")).unwrap(), "x = (1,)\n");

    // Every dependency wheel locked with its sha256; the python recorded; exactly the
    // console scripts as commands.
    let artifact = locked(&dir, "black");
    let bins: Vec<&str> = artifact["bin"].as_array().unwrap().iter().map(|b| b.as_str().unwrap()).collect();
    assert_eq!(bins, ["bin/black", "bin/blackd"]);
    let steps = artifact["post_install"].as_array().unwrap();
    let wheels: Vec<&toml::Value> = steps.iter().filter_map(|s| s.get("package")).collect();
    let names: Vec<&str> = wheels.iter().map(|w| w["name"].as_str().unwrap()).collect();
    for needed in ["click", "packaging", "pathspec", "platformdirs", "mypy-extensions"] {
        assert!(names.contains(&needed), "{needed} is not locked: {names:?}");
    }
    for wheel in &wheels {
        assert!(wheel["checksum"].as_str().unwrap().starts_with("sha256:"), "{wheel}");
        assert!(wheel["url"].as_str().unwrap().ends_with(".whl"), "{wheel}");
    }
    let python = steps.iter().find_map(|s| s.get("python_scripts")).expect("the python is recorded");
    assert!(python["python"].as_str().unwrap().starts_with("python3."), "{python}");

    // Offline after install.
    let out = run(den_in(&env, &dir), &["--offline", "run", "--", "black", "--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("black, 24.10"), "{}", out.stdout);

    // A teammate: den.lock alone, nothing resolved; only the project page of each locked
    // wheel is asked for, to hold the lock's URLs and checksums to the index's.
    let mate = Env::new();
    let theirs = mate.project();
    project_in(&mate, &theirs, BLACK);
    std::fs::copy(dir.join("den.lock"), theirs.join("den.lock")).unwrap();
    install(&mate, &theirs);
    let http_cache = mate.home().join(".cache/den/http-v1");
    let cached = std::fs::read_dir(&http_cache).map(|r| r.count()).unwrap_or(0);
    assert_eq!(cached, wheels.len() + 1, "the teammate resolved, or did not ask the index");
    let out = run(den_in(&mate, &theirs), &["run", "--", "black", "--version"]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // One dependency whose bytes are not the ones locked is refused, naming it.
    let third = Env::new();
    let tampered = third.project();
    project_in(&third, &tampered, BLACK);
    let click = wheels.iter().find(|w| w["name"].as_str() == Some("click")).unwrap();
    let checksum = click["checksum"].as_str().unwrap();
    let hex = checksum.trim_start_matches("sha256:");
    let flipped = format!("sha256:{}{}", if hex.starts_with('0') { "1" } else { "0" }, &hex[1..]);
    let lock = std::fs::read_to_string(dir.join("den.lock")).unwrap().replace(checksum, &flipped);
    std::fs::write(tampered.join("den.lock"), lock).unwrap();
    let out = run(den_in(&third, &tampered), &["install"]);
    assert_ne!(out.code, 0, "a changed dependency was installed:\n{}", out.stderr);
    assert!(out.stderr.contains("click"), "{}", out.stderr);
    assert!(out.stderr.contains("checksum"), "{}", out.stderr);
}

/// cowsay 6 (no dependency, a console script) through `den x`.
#[test]
fn live_pypi_application_through_den_x() {
    let Some(env) = live() else { return };
    let out = run(den_in(&env, &env.home()), &["x", "pypi:cowsay@6.1", "-t", "moo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("| moo |"), "{}", out.stdout);
    assert!(out.stderr.contains("runs on python3."), "the python is said: {}", out.stderr);
    // The form that names the command after `--`.
    let out = run(den_in(&env, &env.home()), &["x", "pypi:cowsay@6.1", "--", "cowsay", "-t", "moo"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("| moo |"), "{}", out.stdout);
}
