//! Python venvs (`venv = ".venv"` on a tool) and the `system` source, with this machine's
//! real system python (`python3` and its `venv` module in /usr/bin: Debian's `python3` and
//! `python3-venv`, which scripts/test-deps installs): real venvs made by a real python.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Env, git, run};
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

/// The system's `python3` (the one `system_python` asks).
fn python3() -> PathBuf {
    crate::prereq::program("python3").expect("python3 (Debian `python3`) is required")
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

    // den vouches for what it made: a private record in its own data dir.
    let record = record_of(&env, &env.project());
    assert_eq!(std::fs::metadata(&record).unwrap().permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("path = \".venv\"") && text.contains("adopted = false"), "{text}");

    // Another version of the project's python (what an upgrade leaves behind; here a
    // `python3` earlier on PATH that says it is 3.99.0 and runs the real one): the venv
    // is made again, by den run as well, and den's old one is gone.
    std::fs::write(venv.join("marker"), "old").unwrap();
    executable(
        &env.tmp.path().join("bin/python3"),
        &format!(
            "#!/bin/sh\n[ \"$1\" = --version ] && {{ echo 'Python 3.99.0'; exit 0; }}\nexec '{}' \"$@\"\n",
            python3().display()
        ),
    );
    let again = run(env.den(), &["run", "--", "python", "-c", "import sys; print(sys.prefix)"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again
            .stderr
            .contains(&format!(".venv was made for python {version}; making it again with python 3.99.0")),
        "{}",
        again.stderr
    );
    assert_eq!(again.stdout.trim(), venv.to_str().unwrap());
    assert!(!venv.join("marker").exists());
    let left: Vec<String> = std::fs::read_dir(env.project())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("den-old") || n.contains("den-moved"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let again = run(env.den(), &["run", "--", "python", "-c", "print(1)"]);
    assert!(!again.stderr.contains("making"), "made once: {}", again.stderr);
}

fn executable(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
}

/// The exported variables as JSON.
fn exported(env: &Env) -> serde_json::Value {
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// Runs a shim as an editor would: from elsewhere, with an empty environment.
fn shim(env: &Env, name: &str, args: &[&str]) -> std::process::Output {
    Command::new("env")
        .current_dir(env.tmp.path().join("bin"))
        .args(["-i", &format!("HOME={}", env.home().display())])
        .arg(env.project().join(".den/bin").join(name))
        .args(args)
        .output()
        .unwrap()
}

const PREFIX: &str = "import sys; print(sys.prefix)";

/// A repository that commits a plausible venv (its `bin/python` even links to the real
/// interpreter) with a hostile `pip`, and a forged record of den's beside it: once the user
/// trusts den.toml (which only says `venv = ".venv"`), nothing of that venv is applied by
/// export, the hook or the shims, and `den install` moves it aside, keeping it, and makes
/// a real one.
#[test]
fn a_venv_the_repository_commits_is_never_applied_and_den_install_replaces_it() {
    let version = system_python();
    let env = Env::new();
    let root = env.project();
    let ran = env.tmp.path().join("ran");
    env.write(
        "den.toml",
        "[tools]\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n\n[env]\nGREETING = \"hello\"\n",
    );
    let cfg = format!(
        "home = {}\ninclude-system-site-packages = false\nversion = {version}\n",
        python3().parent().unwrap().display()
    );
    env.write(".venv/pyvenv.cfg", &cfg);
    std::fs::create_dir_all(root.join(".venv/bin")).unwrap();
    std::os::unix::fs::symlink(python3(), root.join(".venv/bin/python")).unwrap();
    std::os::unix::fs::symlink("python", root.join(".venv/bin/python3")).unwrap();
    executable(&root.join(".venv/bin/pip"), &format!("#!/bin/sh\ntouch '{}'\n", ran.display()));
    // A record with the right digests, committed where a repository can put files: den
    // keeps its records in its own data dir, so this one is never read.
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(cfg.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    env.write(
        ".den/state/venv.toml",
        &format!(
            "path = \".venv\"\ninterpreter = \"{p}\"\nversion = \"{version}\"\nadopted = false\n\
             pyvenv_cfg_sha256 = \"{digest}\"\npython = \"link {p}\"\n",
            p = python3().display()
        ),
    );
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-f", "."]);
    git(&root, &["commit", "-q", "-m", "a project"]);
    env.trust();
    let venv = root.join(".venv");

    let json = exported(&env);
    assert_eq!(json["GREETING"], "hello");
    assert!(json.get("VIRTUAL_ENV").is_none(), "{json}");
    assert!(!json.get("PATH").and_then(|p| p.as_str()).unwrap_or("").contains(".venv"), "{json}");
    let hook = run(env.den(), &["export", "bash"]);
    assert!(hook.stdout.contains("GREETING") && !hook.stdout.contains("VIRTUAL_ENV"), "{}", hook.stdout);
    assert!(
        !hook.stdout.lines().any(|l| l.starts_with("export PATH=") && l.contains(".venv")),
        "{}",
        hook.stdout
    );
    assert!(
        hook.stderr.contains("the venv .venv is not applied: den did not make it (or it changed since)"),
        "{}",
        hook.stderr
    );

    let out = run(env.den(), &["ide", "--shims"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let why = "the venv .venv is not applied: den did not make it and git tracks files in it (or cannot tell), \
               so it came with the repository — `den install` moves it aside (keeping it) and makes a new one";
    assert!(out.stderr.contains(why), "{}", out.stderr);
    // The shim says why and never runs the venv's interpreter (here it has no other
    // `python` to run: the system tool is `python3.<minor>`).
    let python = shim(&env, "python", &["-c", PREFIX]);
    assert_ne!(String::from_utf8_lossy(&python.stdout).trim(), venv.to_str().unwrap());
    assert!(
        String::from_utf8_lossy(&python.stderr).contains(why),
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );
    let pip = shim(&env, "pip", &["--version"]);
    assert!(!pip.status.success());
    let out = run(env.den(), &["run", "--", "python3", "-c", PREFIX]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let system = Command::new(python3()).args(["-c", PREFIX]).output().unwrap();
    assert_eq!(
        out.stdout,
        String::from_utf8_lossy(&system.stdout),
        "the system's python, not the committed venv"
    );
    assert!(!ran.exists(), "the committed venv's pip ran");

    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let kept = root.join(".venv.den-moved-1");
    assert!(
        out.stderr.contains(&format!(
            "moved the venv .venv aside to {} (den did not make it and git tracks files in it",
            kept.display()
        )),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("making the venv .venv with python"), "{}", out.stderr);
    assert!(kept.join("bin/pip").is_file() && kept.join("pyvenv.cfg").is_file(), "the old venv is kept");
    assert_eq!(exported(&env)["VIRTUAL_ENV"], venv.to_str().unwrap());
    let python = shim(&env, "python", &["-c", PREFIX]);
    assert_eq!(String::from_utf8_lossy(&python.stdout).trim(), venv.to_str().unwrap());
    let pip = shim(&env, "pip", &["--version"]);
    assert!(pip.status.success(), "{}", String::from_utf8_lossy(&pip.stderr));
    assert!(!ran.exists(), "the committed venv's pip ran");

    // A venv den made whose interpreter someone pointed elsewhere since is den's no more.
    std::fs::remove_file(venv.join("bin/python")).unwrap();
    std::os::unix::fs::symlink(kept.join("bin/pip"), venv.join("bin/python")).unwrap();
    assert!(exported(&env).get("VIRTUAL_ENV").is_none());
    let out = run(env.den(), &["run", "--", "true"]);
    assert!(
        out.stderr.contains("the venv .venv is not applied: den did not make it and its bin/python runs"),
        "{}",
        out.stderr
    );
    assert!(!ran.exists());
}

/// A venv the user made themselves with the project's interpreter (not tracked by git) is
/// adopted by the first den command that may run things, and then applied everywhere; one
/// made some other way (`--copies`: its `bin/python` is no link den can check) is not, and
/// `den install` keeps it aside.
#[test]
fn a_venv_the_user_made_with_the_project_python_is_adopted() {
    system_python();
    let env =
        python_project("[tools]\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n");
    let root = env.project();
    git(&root, &["init", "-q"]);
    git(&root, &["add", "den.toml"]);
    git(&root, &["commit", "-q", "-m", "a project"]);
    let venv = root.join(".venv");
    let made = Command::new(python3()).args(["-m", "venv"]).arg(&venv).status().unwrap();
    assert!(made.success());
    let dir = inode(&venv);

    let hook = run(env.den(), &["export", "bash"]);
    assert!(!hook.stdout.contains("VIRTUAL_ENV"), "not yet: {}", hook.stdout);
    assert!(
        hook.stderr.contains("`den install` adopts it if you made it with the project's python"),
        "{}",
        hook.stderr
    );
    let out = run(env.den(), &["run", "--", "python", "-c", PREFIX]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("adopted the venv .venv: not tracked by git, made with the project's python ("),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("making"), "{}", out.stderr);
    assert_eq!(out.stdout.trim(), venv.to_str().unwrap());
    assert_eq!(inode(&venv), dir, "adopted as it is");
    assert_eq!(exported(&env)["VIRTUAL_ENV"], venv.to_str().unwrap());
    let hook = run(env.den(), &["export", "bash"]);
    assert!(hook.stdout.contains("export VIRTUAL_ENV="), "{}", hook.stdout);
    let text = std::fs::read_to_string(record_of(&env, &root)).unwrap();
    assert!(text.contains("adopted = true"), "{text}");

    // Made with copies: nothing proves which interpreter it runs.
    std::fs::remove_dir_all(&venv).unwrap();
    std::fs::remove_file(record_of(&env, &root)).unwrap();
    let made = Command::new(python3()).args(["-m", "venv", "--copies"]).arg(&venv).status().unwrap();
    assert!(made.success());
    let out = run(env.den(), &["run", "--", "python", "-c", PREFIX]);
    assert!(
        out.stderr.contains(
            "den did not make it and its bin/python is a file, not a link to the project's interpreter"
        ),
        "{}",
        out.stderr
    );
    assert_ne!(out.stdout.trim(), venv.to_str().unwrap());
    let out = run(env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(root.join(".venv.den-moved-1/pyvenv.cfg").is_file(), "{}", out.stderr);
    assert_eq!(exported(&env)["VIRTUAL_ENV"], venv.to_str().unwrap());
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

/// In a hooked bash: a venv the user made is not applied (one line) until den adopts it —
/// here by a `den run` outside the shell — and the next prompt applies it: den's record is
/// among the files the hook watches.
#[test]
fn the_hook_applies_a_venv_at_the_prompt_after_den_adopted_it() {
    use crate::shells::{BASH, World, installed, quoted};
    system_python();
    assert!(installed("bash"), "test prerequisite missing: bash");
    let w = World::new();
    std::fs::write(
        w.a.join("den.toml"),
        "[tools]\npython = { version = \"3\", source = \"system\", venv = \".venv\" }\n",
    )
    .unwrap();
    assert_eq!(run(w.env.den_in(&w.a), &["trust"]).code, 0);
    let venv = w.a.join(".venv");
    assert!(Command::new(python3()).args(["-m", "venv"]).arg(&venv).status().unwrap().success());
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let shown = sh.run(&format!("cd {}", quoted(&w.a)));
    assert!(shown.contains("the venv .venv is not applied: den did not make it"), "{shown}");
    assert_eq!(sh.environment().get("VIRTUAL_ENV"), None);

    let out = run(w.env.den_in(&w.a), &["run", "--", "true"]);
    assert!(out.stderr.contains("adopted the venv .venv"), "{}", out.stderr);
    sh.run("true");
    assert_eq!(sh.environment().get("VIRTUAL_ENV").map(String::as_str), venv.to_str());
}

/// Where den keeps the record of the venv it made or adopted for the project at `root`.
fn record_of(env: &Env, root: &Path) -> PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(root.as_os_str().as_encoded_bytes());
    let name: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    env.home().join(format!(".local/share/den/venvs-v1/{name}.toml"))
}
