//! `den completions bash|zsh|fish`: each script loaded in the real shell (printing
//! nothing), bash's and fish's asked for real completions: commands (`den ex` →
//! `explain`, `export`), tool names from the catalog and the project, and the project's
//! variables for `den explain` (from `den __complete`, which reads no secret).

use std::path::Path;
use std::process::Command;

use crate::support::{Env, run};

/// `shell` (a path) running `script` in the project directory, with the test's HOME,
/// XDG dirs and PATH.
fn shell(env: &Env, shell: &Path, args: &[&str], script: &str) -> (String, String) {
    let out = env.command(shell).args(args).arg(script).env("PATH", "/usr/bin:/bin").output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Writes `den completions <name>` to a file and returns its path.
fn completions(env: &Env, name: &str) -> std::path::PathBuf {
    let out = run(env.den(), &["completions", name]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{name}");
    let file = env.tmp.path().join(format!("den.{name}"));
    std::fs::write(&file, out.stdout).unwrap();
    file
}

fn project() -> Env {
    let env = Env::new();
    env.write("den.toml", "[tools]\nmytool = { version = \"1.0.0\", url = \"https://example.test/t-{version}\" }\n\n[env]\nGREETING = \"hi\"\nGOPATH = \"x\"\ndotenv = [\".env\"]\n");
    env.write(".env", "GITHUB_USER=me\n");
    env.trust();
    env
}

/// What bash's completion function offers for `words` (the last one being completed).
fn bash_complete(env: &Env, bash: &Path, file: &Path, words: &str) -> Vec<String> {
    let script = format!(
        "source '{}' || exit 9\nCOMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n\
         [[ $(complete -p den) == *_den_dynamic* ]] || exit 8\n\
         _den_dynamic den \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        file.display()
    );
    let (stdout, stderr) = shell(env, bash, &["--norc", "--noprofile", "-c"], &script);
    assert_eq!(stderr, "", "{words}");
    stdout.lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_commands_tools_and_the_projects_variables() {
    let Some(bash) = crate::prereq::program("bash") else { return };
    let env = project();
    let file = completions(&env, "bash");
    let mut commands = bash_complete(&env, &bash, &file, "den ex");
    commands.sort();
    assert_eq!(commands, ["explain", "export"]);
    let tools = bash_complete(&env, &bash, &file, "den add j");
    assert!(tools.contains(&"jq".to_string()), "{tools:?}");
    assert!(tools.iter().all(|t| t.starts_with('j')), "{tools:?}");
    // The project's own tool, and `den run`'s tools before `--` only.
    assert_eq!(bash_complete(&env, &bash, &file, "den run myt"), ["mytool"]);
    assert!(!bash_complete(&env, &bash, &file, "den run jq -- j").contains(&"jq".to_string()));
    assert_eq!(bash_complete(&env, &bash, &file, "den explain G"), ["GREETING", "GOPATH", "GITHUB_USER"]);
    assert_eq!(bash_complete(&env, &bash, &file, "den -C . explain DEN_P"), ["DEN_PROJECT"]);
    // Options still come from clap_complete's part.
    assert!(bash_complete(&env, &bash, &file, "den explain --j").contains(&"--json".to_string()));
}

#[test]
fn zsh_and_fish_load_their_scripts_and_fish_completes() {
    let (Some(zsh), Some(fish)) = (crate::prereq::program("zsh"), crate::prereq::program("fish")) else {
        return;
    };
    let env = project();
    let file = completions(&env, "zsh");
    let script = format!(
        "autoload -Uz compinit && compinit -u -D && source '{}' && print -r -- ${{_comps[den]}}",
        file.display()
    );
    assert_eq!(shell(&env, &zsh, &["-f", "-c"], &script), ("_den_dynamic\n".to_string(), String::new()));
    // den's own part, called as zsh's completion system would, with `compadd` recording
    // what it is handed (outside a completion widget the builtin cannot run).
    let script = format!(
        "autoload -Uz compinit && compinit -u -D && source '{}'\n\
         compadd() {{ [[ $1 == -a ]] && print -rl -- ${{(P)2}}; }}\n\
         words=(den explain G); CURRENT=3; _den_dynamic; print -- SEP\n\
         words=(den add j); CURRENT=3; _den_dynamic",
        file.display()
    );
    let (stdout, stderr) = shell(&env, &zsh, &["-f", "-c"], &script);
    assert_eq!(stderr, "");
    let (vars, tools) = stdout.split_once("SEP\n").unwrap();
    assert_eq!(vars, "DEN_ROOT\nDEN_PROJECT\nDEN_STATE_DIR\nGREETING\nGOPATH\nGITHUB_USER\n");
    assert!(tools.lines().any(|t| t == "jq"), "{tools}");
    let file = completions(&env, "fish");
    let script = format!(
        "source '{}'; complete -C 'den ex'; echo SEP; complete -C 'den explain GR'; echo SEP; complete -C 'den x j'",
        file.display()
    );
    let (stdout, stderr) = shell(&env, &fish, &["--no-config", "-c"], &script);
    assert_eq!(stderr, "");
    let parts: Vec<Vec<&str>> =
        stdout.split("SEP\n").map(|p| p.lines().map(|l| l.split('\t').next().unwrap()).collect()).collect();
    assert_eq!(parts[0], ["explain", "export"]);
    assert_eq!(parts[1], ["GREETING"]);
    assert!(parts[2].contains(&"jq"), "{stdout}");
}

#[test]
fn the_bash_part_den_wrote_passes_shellcheck() {
    let Some(shellcheck) = crate::prereq::program("shellcheck") else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shells/complete.bash");
    let out = Command::new(shellcheck).args(["-s", "bash"]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn complete_vars_reads_no_secret_and_runs_no_command() {
    let env = Env::new();
    let marker = env.tmp.path().join("ran");
    env.write(
        "den.toml",
        &format!(
            "[env]\nTOKEN = {{ command = \"touch {}\" }}\nKEY = {{ file = \"/nonexistent\" }}\n",
            marker.display()
        ),
    );
    env.trust();
    let out = run(env.den(), &["__complete", "vars"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(out.stdout, "DEN_ROOT\nDEN_PROJECT\nDEN_STATE_DIR\nTOKEN\nKEY\n");
    assert!(!marker.exists());
    // Outside any project: nothing, and no error.
    let out = run(env.den_in(env.tmp.path()), &["__complete", "vars"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
}
