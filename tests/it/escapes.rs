//! Values den did not write (den.lock entries, registry settings, den.toml's commands and
//! paths) reach the terminal escaped (issue 8): an ESC in them shows as `\e` and can
//! neither move the cursor nor recolour the screen. Each test plants the value and runs
//! the real `den`.

use crate::install::{install_ok, lock, project};
use crate::support::{Env, run};
use crate::upstream::Upstream;

/// A terminal control sequence (clear the screen).
const CLEAR: &str = "\u{1b}[2J";

fn assert_escaped(stderr: &str, shown: &str) {
    assert!(!stderr.contains('\u{1b}'), "a raw ESC reached stderr: {stderr:?}");
    assert!(stderr.contains(shown), "{shown:?} not in {stderr:?}");
}

#[test]
fn a_lock_bin_entry_with_esc_is_escaped_when_missing() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&env);
    let honest = lock(&env);
    assert!(honest.contains("bin = [\"jq\"]"), "{honest}");
    let victim = project(&up, "[tools]\njq = \"1.7\"\n");
    std::fs::write(
        victim.project().join("den.lock"),
        honest.replace("bin = [\"jq\"]", "bin = [\"jq\", \"jq\\u001b[2J\"]"),
    )
    .unwrap();
    let out = run(victim.den(), &["install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert_escaped(&out.stderr, "unpacked without jq\\e[2J");
}

#[test]
fn a_locked_version_with_esc_is_escaped() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&env);
    let crafted = lock(&env).replace("version = \"1.7.1\"", "version = \"1.7.1\\u001b[2J\"");
    std::fs::write(env.project().join("den.lock"), crafted).unwrap();
    let out = run(env.den(), &["install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert_escaped(&out.stderr, "`jq` is locked at 1.7.1\\e[2J, which the requested `1.7` does not accept");
}

#[test]
fn a_registry_setting_with_esc_is_escaped() {
    let env = Env::new();
    env.write("den.toml", "[tools]\nacme = { version = \"1\", source = \"npm:acme\" }\n");
    env.trust();
    env.write(".npmrc", &format!("registry={CLEAR}evil\n"));
    let out = run(env.den(), &["install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert_escaped(&out.stderr, "`\\e[2Jevil` from registry in ");
}

#[test]
fn a_raw_esc_in_den_lock_is_escaped_in_the_syntax_error() {
    let env = Env::new();
    env.write("den.toml", "[tools]\njq = \"1.7\"\n");
    env.trust();
    env.write("den.lock", &format!("version = \"{CLEAR}\"\n"));
    let out = run(env.den(), &["install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert_escaped(&out.stderr, "1 | version = \"\\e[2J\"\n");
}

/// The environment's errors (env/error.rs) name what den.toml wrote: a `command` secret
/// and a dotenv path reach the terminal escaped, in the message and in its help.
#[test]
fn a_secret_command_and_a_dotenv_path_with_esc_are_escaped() {
    let env = Env::new();
    env.write("den.toml", "[env]\nTOK = { command = \"exit 3 #\\u001b[2J\" }\n");
    env.trust();
    let out = run(env.den(), &["export"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert_escaped(&out.stderr, "den: `exit 3 #\\e[2J` for `TOK` (den.toml:2) exited with code 3\n");
    assert_escaped(&out.stderr, "help: run `exit 3 #\\e[2J` in the project directory");

    env.write("den.toml", "[env]\ndotenv = [\".env\\u001b[2J\"]\n");
    env.trust();
    let out = run(env.den(), &["export"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert_escaped(&out.stderr, "den: dotenv file .env\\e[2J does not exist (listed at den.toml:2)\n");
}
