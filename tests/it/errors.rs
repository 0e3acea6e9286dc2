//! Bad input through the real binary: one clear error naming the file, line and column,
//! showing the line, and saying what to do; exit code 1; nothing on stdout; colours only on
//! a terminal and never with NO_COLOR.

use std::process::Command;

use crate::pty::Pty;
use crate::support::{Env, run};

/// `den export --format json` on `toml` (trusted when it parses): exit code and stderr.
fn export(toml: &str) -> (i32, String, Env) {
    let env = Env::new();
    env.write("den.toml", toml);
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.stdout, "", "nothing but requested output on stdout");
    (out.code, out.stderr, env)
}

fn at(env: &Env, line: usize, col: usize) -> String {
    format!("den: {}:{line}:{col}: ", env.project().join("den.toml").display())
}

#[test]
fn an_unknown_key_is_located_shown_and_corrected() {
    let (code, stderr, env) = export("# my project\n[tool]\nnode = \"22\"\n");
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        format!(
            "{}unknown key `tool` in den.toml; did you mean `tools`?\n  |\n2 | [tool]\n  |  ^^^^\n\
             help: the keys allowed there are `tools`, `env`, `services`, `enter`, `ide`, `cache`\n",
            at(&env, 2, 2)
        )
    );
}

#[test]
fn wrong_types_say_what_was_expected() {
    let (code, stderr, env) = export("[tools]\nnode = 22\n");
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with(&format!("{}tool `node` must be a version string or a table", at(&env, 2, 8))),
        "{stderr}"
    );
    assert!(stderr.contains("\n2 | node = 22\n  |        ^^\n"), "{stderr}");

    let (_, stderr, env) = export("[services.db]\npreset = \"postgres\"\nport = 99999\n");
    assert!(stderr.starts_with(&at(&env, 3, 8)), "{stderr}");
    assert!(stderr.contains("`port` must be an integer between 1 and 65535"), "{stderr}");
}

#[test]
fn a_toml_syntax_error_is_located_too() {
    let (code, stderr, env) = export("[env]\nA = \"unterminated\n");
    assert_eq!(code, 1);
    assert!(stderr.starts_with(&format!("{}invalid TOML: ", at(&env, 2, 18))), "{stderr}");
    assert!(stderr.contains("2 | A = \"unterminated"), "{stderr}");
}

#[test]
fn service_mistakes_name_the_services() {
    let (_, stderr, _) = export("[services.a]\nrun = \"x\"\ndepends_on = [\"b\"]\n");
    assert!(stderr.contains("`b`"), "{stderr}");
    let (_, stderr, _) = export(
        "[services.a]\nrun = \"x\"\ndepends_on = [\"b\"]\n[services.b]\nrun = \"y\"\ndepends_on = [\"a\"]\n",
    );
    assert!(stderr.contains("services depend on each other in a cycle: `a` -> `b` -> `a`"), "{stderr}");
    let (_, stderr, _) = export("[services.a]\nrun = \"x\"\nrestart = \"sometimes\"\n");
    assert!(stderr.contains("restart"), "{stderr}");
}

#[test]
fn a_broken_user_config_is_reported_by_every_command() {
    let env = Env::new();
    env.write("den.toml", "[env]\nA = \"1\"\n");
    let config = env.home().join(".config/den/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "auto_instal = true\n").unwrap();
    let out = run(env.den(), &["explain"]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        format!(
            "den: {}:1:1: unknown key `auto_instal` in config.toml; did you mean `auto_install`?\n  |\n\
             1 | auto_instal = true\n  | ^^^^^^^^^^^\n\
             help: the keys allowed there are `auto_install`, `offline`, `insecure_http`, `sources`, `mirrors`, `ide`, `tools`, `cache`, `aqua`\n",
            config.display()
        )
    );
}

#[test]
fn ide_outside_a_project_names_the_directory() {
    let env = Env::new();
    let out = run(env.den(), &["ide", "code"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("den: no den.toml in "), "{}", out.stderr);
}

fn den_on_a_terminal(env: &Env, no_color: bool) -> String {
    let mut cmd = env.den();
    cmd.args(["explain", "NOPE"]);
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let mut pty = Pty::spawn(cmd);
    pty.expect("help:")
}

#[test]
fn colours_only_on_a_terminal_and_never_with_no_color() {
    let env = Env::new();
    env.write("den.toml", "[env]\nA = \"1\"\n");
    env.trust();
    assert!(den_on_a_terminal(&env, false).contains("\x1b[1;31mden:\x1b[0m"));
    assert!(!den_on_a_terminal(&env, true).contains('\x1b'));
    let piped = run(env.den(), &["explain", "NOPE"]);
    assert!(!piped.stderr.contains('\x1b'), "{}", piped.stderr);
}

/// Runs `den args…` in `dir` and returns (exit code, stderr); fails the test if den has
/// not finished after 30 s (a bound on a hang, not a timing assertion).
fn run_bounded(env: &Env, dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    use std::io::Read;
    let mut child = env
        .den_in(dir)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let began = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if began.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("den {args:?} hung on a den.toml that is not a file");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status.code().unwrap_or(-1), stderr)
}

/// A FIFO, a socket, a directory or a dangling link named den.toml is reported as what it
/// is, never as "no den.toml", and den never blocks opening it.
#[test]
fn a_den_toml_that_is_not_a_file_says_what_it_is() {
    let env = Env::new();
    let den_toml = env.project().join("den.toml");
    let help = "help: den reads the project's settings from a regular file: remove this one (`den init` then writes a new one), or put a file in its place\n";
    let sub = env.project().join("src");
    std::fs::create_dir(&sub).unwrap();
    let cases: [(&str, &dyn Fn()); 4] = [
        ("a FIFO", &|| assert!(Command::new("mkfifo").arg(&den_toml).status().unwrap().success())),
        ("a socket", &|| drop(std::os::unix::net::UnixListener::bind(&den_toml).unwrap())),
        ("a directory", &|| std::fs::create_dir(&den_toml).unwrap()),
        ("a link to /nonexistent/den.toml, which does not exist", &|| {
            std::os::unix::fs::symlink("/nonexistent/den.toml", &den_toml).unwrap()
        }),
    ];
    for (kind, make) in cases {
        make();
        for args in [&["export", "--format", "json"][..], &["run", "--", "true"], &["install"], &["init"]] {
            let dir = if args == ["init"] { env.project() } else { sub.clone() };
            let (code, stderr) = run_bounded(&env, &dir, args);
            assert_eq!(
                (code, stderr.as_str()),
                (1, format!("den: {} is not a regular file ({kind})\n{help}", den_toml.display()).as_str()),
                "{args:?}"
            );
        }
        let _ = std::fs::remove_file(&den_toml).or_else(|_| std::fs::remove_dir(&den_toml));
    }
}

/// A project directory whose name is not UTF-8: `den up -d` says so in one line naming the
/// path escaped, before any supervisor starts (not "the supervisor stopped" and its log).
#[test]
fn up_detached_in_a_non_utf8_directory_names_it() {
    use std::os::unix::ffi::OsStrExt;
    let env = Env::new();
    let dir = env.project().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("den.toml"), "[services.web]\nrun = \"sleep 30\"\n").unwrap();
    assert_eq!(run(env.den_in(&dir), &["trust"]).code, 0);
    let out = run(env.den_in(&dir), &["up", "-d"]);
    let _ = run(env.den_in(&dir), &["down"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            1,
            format!(
                "den: the directory {}/caf\\xe9 is not valid UTF-8, and den's variables (DEN_ROOT, PATH) hold text\n\
                 help: rename it (or the directory above it with such a name) to a UTF-8 name\n",
                env.project().display()
            )
            .as_str()
        )
    );
    assert!(!dir.join(".den/logs/supervisor.log").exists(), "no supervisor was started");
}
