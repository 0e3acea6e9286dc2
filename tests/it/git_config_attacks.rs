//! den never runs a program under configuration a repository controls (issue 17, item 3):
//! whether a changed dotenv file is tracked is read from git's index in-process (a
//! repository's `core.fsmonitor` used to run at the next prompt), and den's own helper
//! programs get the environment outside the project the shell applied (a dotenv file's
//! `GIT_CONFIG_*`, `BASH_ENV`, `NPM_CONFIG_*` reach none of them). Real git, real clones,
//! the real binary.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::{Env, git, run};

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// A shell command that leaves `marker` behind: the attacker's payload.
fn payload(marker: &Path) -> String {
    format!("touch '{}'; false", marker.display())
}

/// `den export bash` refuses the changed tracked dotenv file (one line) and applies nothing
/// of it.
fn refused_at_the_prompt(env: &Env, file: &str, value: &str) {
    let out = run(env.den(), &["export", "bash"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(value), "{}", out.stdout);
    let line = format!(
        "den: {file} changed since you trusted {} and is part of the repository: run `den trust` to review the change\n",
        env.project().display()
    );
    assert_eq!(out.stderr, line);
}

#[test]
fn an_embedded_git_directory_in_the_dotenv_folder_runs_nothing_after_a_pull() {
    let env = Env::new();
    let marker = env.tmp.path().join("pwned");
    let upstream = env.tmp.path().join("upstream");
    write(&upstream.join("den.toml"), "[env]\ndotenv = [\"config/.env\"]\n");
    write(&upstream.join("config/.env"), "GREETING=hello\n");
    // A real git directory (HEAD, index, objects/, refs/) committed as plain files in the
    // folder den.toml's dotenv names, its config making that folder its own work tree and
    // naming the attacker's fsmonitor.
    let scratch = env.tmp.path().join("scratch");
    write(&scratch.join(".env"), "X=1\n");
    git(&scratch, &["init", "-q"]);
    git(&scratch, &["add", "."]);
    git(&scratch, &["commit", "-q", "-m", "x"]);
    let copied = Command::new("cp")
        .arg("-R")
        .args(["HEAD", "index", "objects", "refs"].map(|f| scratch.join(".git").join(f)))
        .arg(upstream.join("config"))
        .status()
        .unwrap();
    assert!(copied.success());
    write(
        &upstream.join("config/config"),
        &format!(
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = .\n\tfsmonitor = \"{}\"\n",
            payload(&marker).replace('\'', "")
        ),
    );
    git(&upstream, &["init", "-q"]);
    git(&upstream, &["add", "."]);
    git(&upstream, &["commit", "-q", "-m", "init"]);
    std::fs::remove_dir(env.project()).unwrap();
    git(env.tmp.path(), &["clone", "-q", upstream.to_str().unwrap(), "project"]);
    assert!(env.project().join("config/objects").is_dir() && env.project().join("config/refs").is_dir());
    env.trust();
    let out = run(env.den(), &["export", "json"]);
    assert!(out.stdout.contains("\"GREETING\": \"hello\""), "{}", out.stdout);

    write(&upstream.join("config/.env"), "GREETING=hello\nEVIL=1\n");
    git(&upstream, &["commit", "-q", "-am", "innocent"]);
    git(&env.project(), &["pull", "-q", "--ff-only"]);

    // The folder is a git directory den cannot vouch for: the changed file counts as
    // tracked, and nothing of the repository's configuration runs.
    refused_at_the_prompt(&env, "config/.env", "EVIL");
    assert!(!marker.exists(), "the repository's fsmonitor ran");
    let out = run(env.den(), &["export", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(!marker.exists(), "the repository's fsmonitor ran");
}

#[test]
fn a_tarball_s_own_git_config_fsmonitor_never_runs_after_a_dotenv_edit() {
    let env = Env::new();
    let marker = env.tmp.path().join("pwned");
    let made = env.tmp.path().join("made");
    write(&made.join("den.toml"), "[env]\ndotenv = [\".env\"]\n");
    write(&made.join(".env"), "GREETING=hello\n");
    git(&made, &["init", "-q"]);
    git(&made, &["add", "."]);
    git(&made, &["commit", "-q", "-m", "init"]);
    git(&made, &["config", "core.fsmonitor", &payload(&marker)]);
    // Delivered as a tarball (no clone): its `.git/config` is whatever the author wrote.
    let tarball = env.tmp.path().join("project.tar");
    let packed = Command::new("tar").arg("-C").arg(&made).arg("-cf").arg(&tarball).arg(".").status().unwrap();
    assert!(packed.success());
    let unpacked =
        Command::new("tar").arg("-C").arg(env.project()).arg("-xf").arg(&tarball).status().unwrap();
    assert!(unpacked.success());
    env.trust();

    env.write(".env", "GREETING=hello\nEDITED=1\n");
    refused_at_the_prompt(&env, ".env", "EDITED");
    assert!(!marker.exists(), "the repository's fsmonitor ran");

    // An untracked dotenv file is still the user's to edit freely (the user's git, told
    // to ignore the payload, takes it out of the index).
    git(&env.project(), &["-c", "core.fsmonitor=false", "rm", "-q", "--cached", ".env"]);
    env.ok(&["export", "json"]).stdout_has("\"EDITED\": \"1\"");
    assert!(!marker.exists(), "the repository's fsmonitor ran");
}

/// A shell where the hook applied a trusted project whose (git-ignored) dotenv file sets
/// git configuration, `BASH_ENV` and npm settings: the user's own shell has them, den's
/// helpers do not. The system `python3` den asks for its version (a fake that writes down
/// its environment, a bash script so `BASH_ENV` would run) and the index check after a
/// tracked dotenv file changes run nothing of it.
#[test]
fn a_hook_applied_dotenv_never_reaches_den_s_own_helpers() {
    let Some(bash) = crate::prereq::program("bash") else { return };
    let env = Env::new();
    let marker = env.tmp.path().join("pwned");
    let seen = env.tmp.path().join("python-saw");
    let payload_script = env.tmp.path().join("payload.sh");
    write(&payload_script, &format!("touch '{}'\n", marker.display()));
    let python = env.tmp.path().join("bin/python3");
    write(&python, &format!("#!{}\nenv > '{}'\necho 'Python 3.12.1'\n", bash.display(), seen.display()));
    std::fs::set_permissions(&python, std::fs::Permissions::from_mode(0o755)).unwrap();

    env.write(
        "den.toml",
        "[tools]\npython = { version = \"3\", source = \"system\" }\n\n[env]\ndotenv = [\".env\", \".env.local\"]\n",
    );
    env.write(".env", "GREETING=hello\n");
    env.write(".gitignore", ".env.local\n.den/\n");
    env.write(
        ".env.local",
        &format!(
            "GIT_CONFIG_COUNT=1\nGIT_CONFIG_KEY_0=core.fsmonitor\nGIT_CONFIG_VALUE_0=\"{}\"\n\
             BASH_ENV={}\nNPM_CONFIG_REGISTRY=http://127.0.0.1:9/evil/\n",
            payload(&marker),
            payload_script.display()
        ),
    );
    git(&env.project(), &["init", "-q"]);
    git(&env.project(), &["add", "den.toml", ".env", ".gitignore"]);
    git(&env.project(), &["commit", "-q", "-m", "init"]);
    env.trust();

    let den = env!("CARGO_BIN_EXE_den");
    let script = format!(
        "set -e; eval \"$('{den}' export bash)\"; test \"$GIT_CONFIG_COUNT\" = 1; \
         '{den}' install; echo EDITED=1 >> .env; '{den}' export bash >/dev/null"
    );
    let mut cmd = env.command(&bash);
    cmd.args(["--norc", "--noprofile", "-c", &script]);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("3.12.1 from the system"), "{stderr}");
    assert!(stderr.contains(".env changed since you trusted"), "{stderr}");

    let saw = std::fs::read_to_string(&seen).expect("den asked python3 its version");
    for name in ["GIT_CONFIG_COUNT", "GIT_CONFIG_VALUE_0", "BASH_ENV", "NPM_CONFIG_REGISTRY", "__DEN_STATE"] {
        assert!(!saw.contains(&format!("{name}=")), "python3 saw {name}:\n{saw}");
    }
    assert!(saw.contains(&format!("HOME={}\n", env.home().display())), "{saw}");
    assert!(saw.contains("PWD=/\n"), "{saw}");
    assert!(!marker.exists(), "a helper ran the dotenv's payload");
}
