//! Python venvs (`venv = ".venv"` on a tool) and the `system` source, with this machine's
//! real system python (`python3` and its `venv` module in /usr/bin: Debian's `python3` and
//! `python3-venv`, which scripts/test-deps installs): real venvs made by a real python.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Env, run};
use crate::upstream::Upstream;

/// The system python's version, asked directly; fails the test when it is missing.
fn system_python() -> String {
    let python = crate::prereq::program("python3").expect("python3 (Debian `python3`) is required");
    let out = Command::new(&python).arg("--version").output().expect("run python3 --version");
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.trim().strip_prefix("Python ").expect("`Python x.y.z`").to_string();
    let has_venv = Command::new(&python).args(["-c", "import ensurepip, venv"]).status().unwrap().success();
    assert!(
        has_venv,
        "test prerequisite missing: the venv module of {} (Debian `python3-venv`)",
        python.display()
    );
    version
}

fn python_project(toml: &str) -> Env {
    let env = Env::new();
    env.write("den.toml", toml);
    env.trust();
    env
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).ino()
}

fn cfg(env: &Env) -> String {
    std::fs::read_to_string(env.project().join(".venv/pyvenv.cfg")).unwrap()
}

#[test]
fn a_venv_is_made_once_reused_and_made_again_for_another_interpreter_version() {
    let version = system_python();
    let env =
        python_project("[tools]\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Which binary the system source found, and the venv made with it.
    assert!(out.stderr.contains(&format!(" {version} from the system")), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("making the venv .venv with python {version}")), "{}", out.stderr);
    let venv = env.project().join(".venv");
    assert!(cfg(&env).contains(&format!("version = {version}")), "{}", cfg(&env));
    let lock = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    assert!(
        lock.ends_with(&format!(
            "[tools.python]\nspec = \"3\"\nsource = \"system\"\nversion = \"{version}\"\n"
        )),
        "{lock}"
    );
    assert!(!lock.contains("url") && !lock.contains("checksum"), "{lock}");

    // Again: nothing is made, the same venv stays.
    let (dir, file, text) = (inode(&venv), inode(&venv.join("pyvenv.cfg")), cfg(&env));
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("making the venv"), "{}", out.stderr);
    assert_eq!((inode(&venv), inode(&venv.join("pyvenv.cfg")), cfg(&env)), (dir, file, text.clone()));
    let run_it = run(env.den(), &["run", "--", "python", "-c", "import sys; print(sys.prefix)"]);
    assert_eq!((run_it.code, run_it.stdout.trim()), (0, venv.to_str().unwrap()), "{}", run_it.stderr);
    assert_eq!(inode(&venv), dir);

    // A venv made by another interpreter version (what an upgraded python leaves behind)
    // is made again, by den run as well, and the old one is gone.
    std::fs::write(venv.join("pyvenv.cfg"), text.replace(&format!("version = {version}"), "version = 3.0.1"))
        .unwrap();
    std::fs::write(venv.join("marker"), "old").unwrap();
    let again = run(env.den(), &["run", "--", "python", "-c", "import sys; print(sys.prefix)"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains(&format!(".venv was made by python 3.0.1; making it again with python {version}")),
        "{}",
        again.stderr
    );
    assert_eq!(again.stdout.trim(), venv.to_str().unwrap());
    assert!(cfg(&env).contains(&format!("version = {version}")) && !venv.join("marker").exists());
    let left: Vec<String> = std::fs::read_dir(env.project())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("den-old"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn the_system_source_says_what_it_found_and_why_it_does_not_fit() {
    let version = system_python();
    let major_minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let env =
        python_project("[tools]\npython = { version = \"3.0\", source = \"system\", venv = \".venv\" }\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap();
    assert!(first.starts_with("den: python `3.0` from the system: found /usr/bin/python"), "{}", out.stderr);
    assert!(
        first.contains(&format!(" {version}")) && first.ends_with("which `3.0` does not accept"),
        "{first}"
    );
    assert!(out.stderr.contains("\nhelp: install a version that fits"), "{}", out.stderr);
    assert!(!env.project().join(".venv").exists() && !env.project().join("den.lock").exists());

    // The most specific name that fits: python3.<minor> for a minor version.
    let env = python_project(&format!(
        "[tools]\npython = {{ version = \"{major_minor}\", source = \"system\" }}\n"
    ));
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let line = format!("python {major_minor}: using /usr/bin/python{major_minor} {version} from the system");
    assert!(out.stderr.contains(&line), "{}", out.stderr);

    let env = python_project("[tools]\nnosuchtool = { version = \"1\", source = \"system\" }\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "den: nosuchtool `1` from the system: no nosuchtool, nosuchtool<version> on PATH\n\
         help: install it with the system's package manager, or drop `source = \"system\"` so that den installs nosuchtool itself\n"
    );
    // den run says the same.
    let out = run(env.den(), &["run", "--", "true"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: nosuchtool `1` from the system: no nosuchtool"), "{}", out.stderr);
}

#[test]
fn a_path_entry_that_hangs_or_is_den_s_own_is_never_used() {
    let version = system_python();
    let env = python_project("[tools]\npython = { version = \"3\", source = \"system\" }\n");
    // Earlier on PATH: a `python3` that never answers, and project shims.
    let hang = env.tmp.path().join("bin/python3");
    std::fs::write(&hang, "#!/bin/sh\nsleep 60\n").unwrap();
    std::fs::set_permissions(&hang, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let shims = env.project().join(".den/bin");
    std::fs::create_dir_all(&shims).unwrap();
    std::fs::copy(&hang, shims.join("python")).unwrap();
    let path = format!("{}:{}:/usr/bin:/bin", shims.display(), env.tmp.path().join("bin").display());
    let mut cmd = env.den();
    cmd.env("PATH", path);
    let out = run(cmd, &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains(&format!(" {version} from the system")), "{}", out.stderr);
}

#[test]
fn the_python_shim_runs_the_venv_with_the_project_environment_from_anywhere() {
    system_python();
    let env = python_project(
        "[tools]\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n\n[env]\nGREETING = \"hello\"\n",
    );
    let out = run(env.den(), &["ide", "--shims"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let venv = env.project().join(".venv");
    let shims = env.project().join(".den/bin");
    for name in ["python", "python3", "pip"] {
        assert!(shims.join(name).is_file(), "no {name} shim: {}", out.stderr);
    }
    let elsewhere = env.tmp.path().join("bin");
    let script =
        "import os, sys; print(sys.prefix); print(os.environ['GREETING']); print(os.environ['VIRTUAL_ENV'])";
    for name in ["python", "python3"] {
        let ran = Command::new("env")
            .current_dir(&elsewhere)
            .args(["-i", &format!("HOME={}", env.home().display())])
            .arg(shims.join(name))
            .args(["-c", script])
            .output()
            .unwrap();
        assert!(ran.status.success(), "{}", String::from_utf8_lossy(&ran.stderr));
        let want = format!("{v}\nhello\n{v}\n", v = venv.display());
        assert_eq!(String::from_utf8_lossy(&ran.stdout), want);
    }
    let pip = Command::new(shims.join("pip"))
        .current_dir(&elsewhere)
        .env_clear()
        .arg("--version")
        .output()
        .unwrap();
    assert!(pip.status.success(), "{}", String::from_utf8_lossy(&pip.stderr));
    assert!(String::from_utf8_lossy(&pip.stdout).contains(&format!("{}/lib/", venv.display())));
}

#[test]
fn export_and_explain_show_the_venv_first_on_path() {
    system_python();
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = Env::new();
    up.write_config(&env);
    env.write(
        "den.toml",
        "[tools]\njq = \"1.7\"\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n",
    );
    env.trust();
    // Before den install: no venv, nothing exported for it (the hook's path makes none).
    let before = run(env.den(), &["export", "--format", "json"]);
    assert!(!before.stdout.contains("VIRTUAL_ENV"), "{}", before.stdout);
    let hook = run(env.den(), &["export", "bash"]);
    assert!(
        hook.stderr.contains("the venv .venv does not exist yet: `den install` makes it"),
        "{}",
        hook.stderr
    );
    assert!(!env.project().join(".venv").exists());

    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let venv = env.project().join(".venv");
    assert_eq!(json["VIRTUAL_ENV"], venv.to_str().unwrap());
    let path: Vec<PathBuf> = std::env::split_paths(json["PATH"].as_str().unwrap()).collect();
    assert_eq!(path[0], venv.join("bin"), "{path:?}");
    assert!(path[1].to_string_lossy().contains("/tools-v1/"), "then jq's directory: {path:?}");
    let explain = run(env.den(), &["explain", "VIRTUAL_ENV"]);
    assert_eq!(explain.stdout, format!("VIRTUAL_ENV={}  (venv, den.toml:3)\n", venv.display()));
    let explain = run(env.den(), &["explain", "PATH"]);
    let first = explain.stdout.lines().next().unwrap_or_default();
    assert!(first.ends_with("  (venv, den.toml:3, then tools in den.lock)"), "{}", explain.stdout);
    assert!(explain.stdout.contains("\n  1. outer environment: "), "the layers follow: {}", explain.stdout);
    let hook = run(env.den(), &["export", "bash"]);
    assert!(hook.stdout.contains(&format!("export VIRTUAL_ENV={};", venv.display())), "{}", hook.stdout);
    assert!(hook.stdout.contains("pyvenv.cfg"), "the hook watches the venv: {}", hook.stdout);
}

#[test]
fn an_untrusted_or_hostile_project_makes_nothing() {
    system_python();
    let env = Env::new();
    // A system tool that says when it runs: an untrusted den.toml names what would run.
    let ran = env.tmp.path().join("ran");
    let tool = env.tmp.path().join("bin/sometool");
    std::fs::write(&tool, format!("#!/bin/sh\necho \"$*\" >> '{}'\necho 'sometool 1.2.3'\n", ran.display()))
        .unwrap();
    std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    env.write(
        "den.toml",
        "[tools]\nsometool = { version = \"1\", source = \"system\" }\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n",
    );
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is not trusted") && out.stderr.contains("den trust"), "{}", out.stderr);
    for args in [
        &["run", "--", "python3", "-c", "print(1)"][..],
        &["ls"],
        &["which", "sometool"],
        &["export", "bash"],
    ] {
        run(env.den(), args);
    }
    assert!(
        !ran.exists(),
        "den ran a binary an untrusted den.toml names: {:?}",
        std::fs::read_to_string(&ran)
    );
    assert!(!env.project().join(".venv").exists());
    env.trust();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&ran).unwrap(), "--version\n");
    assert!(env.project().join(".venv/pyvenv.cfg").exists());
    std::fs::remove_dir_all(env.project().join(".venv")).unwrap();

    // A venv path that leads outside through a symlink the repository carries.
    let outside = env.tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("precious"), "x").unwrap();
    std::os::unix::fs::symlink(&outside, env.project().join("envs")).unwrap();
    env.write("den.toml", "[tools]\npython = { version = \"3\", source = \"system\", venv = \"envs/py\" }\n");
    env.trust();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is a symlink"), "{}", out.stderr);
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);

    // Something that is not a venv is never replaced.
    env.write("den.toml", "[tools]\npython = { version = \"3\", source = \"system\", venv = \"src\" }\n");
    env.write("src/main.py", "print(1)\n");
    env.trust();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("is not one (no pyvenv.cfg)"), "{}", out.stderr);
    assert!(env.project().join("src/main.py").exists());

    // Outside the project: refused where it is written.
    env.write("den.toml", "[tools]\npython = { version = \"3\", source = \"system\", venv = \"../v\" }\n");
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("den.toml:2:53: `venv` path `../v` climbs out of the project"),
        "{}",
        out.stderr
    );
}

/// With uv among the project's tools, uv makes the venv (`uv venv --python <interpreter>`).
/// This uv is a stand-in on PATH (`source = "system"`) that records its arguments and
/// makes the venv with the interpreter it was given: the venv is still a real one.
#[test]
fn uv_makes_the_venv_when_it_is_a_project_tool() {
    let version = system_python();
    let env = python_project(
        "[tools]\nuv = { version = \"0.4\", source = \"system\" }\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n",
    );
    let record = env.tmp.path().join("uv.argv");
    let uv = env.tmp.path().join("bin/uv");
    std::fs::write(
        &uv,
        format!(
            "#!/bin/sh\n[ \"$1\" = --version ] && {{ echo 'uv 0.4.30'; exit 0; }}\necho \"$@\" > '{}'\nexec \"$4\" -m venv \"$5\"\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains(", by uv)"), "{}", out.stderr);
    let argv = std::fs::read_to_string(&record).unwrap();
    let venv = env.project().join(".venv");
    assert!(argv.starts_with("venv --quiet --python /usr/bin/python"), "{argv}");
    assert!(argv.ends_with(&format!(" {}\n", venv.display())), "{argv}");
    assert!(cfg(&env).contains(&format!("version = {version}")));
}

/// In a hooked bash: no venv yet is said once and makes nothing (the prompt starts no
/// interpreter); once `den install` made it, the next prompt exports it, ahead of an outer
/// venv the user had active; leaving puts the outer values back.
#[test]
fn the_hook_exports_the_venv_once_it_exists_and_leaving_restores_the_outer_one() {
    use crate::shells::{BASH, World, installed, quoted};
    system_python();
    if !installed("bash") {
        return;
    }
    let w = World::new();
    std::fs::write(
        w.a.join("den.toml"),
        "[tools]\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n\n[env]\nFOO = \"bar\"\n",
    )
    .unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let mut sh = w.shell(&BASH);
    sh.run("export VIRTUAL_ENV=/outer/venv");
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let outside = sh.environment();
    let shown = sh.run(&format!("cd {}", quoted(&w.a))) + &sh.run("true") + &sh.run("true");
    assert_eq!(
        shown.matches("the venv .venv does not exist yet: `den install` makes it").count(),
        1,
        "{shown}"
    );
    let inside = sh.environment();
    assert_eq!(inside.get("VIRTUAL_ENV").map(String::as_str), Some("/outer/venv"));
    assert_eq!(inside.get("FOO").map(String::as_str), Some("bar"));
    assert!(!w.a.join(".venv").exists(), "the hook made a venv");

    assert_eq!(run(w.env.den_in(&w.a), &["install"]).code, 0);
    sh.run("true"); // the prompt after this command is the first to see the venv
    let venv = w.a.join(".venv");
    let inside = sh.environment();
    assert_eq!(inside.get("VIRTUAL_ENV").map(String::as_str), venv.to_str());
    assert!(inside["PATH"].starts_with(&format!("{}/bin:", venv.display())), "{}", inside["PATH"]);
    let shown = sh.run("python -c 'import sys; print(sys.prefix)'");
    assert!(shown.contains(venv.to_str().unwrap()), "{shown}");
    let before = w.starts();
    for _ in 0..3 {
        sh.run("true");
    }
    assert_eq!(w.starts(), before, "a prompt with nothing changed started den");

    sh.run("cd /");
    assert_eq!(sh.environment(), outside, "leaving must restore VIRTUAL_ENV and PATH");
}
