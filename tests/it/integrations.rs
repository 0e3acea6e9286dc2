//! integrations/: `use den` in a direnv .envrc applies the project's den environment.

use std::path::Path;
use std::process::Command;

use crate::support::{Env, run};

#[test]
fn direnv_use_den_applies_the_project() {
    let Some(direnv_bin) = crate::prereq::program("direnv") else { return };
    let env = Env::new();
    env.write(
        "den.toml",
        "[env]\nFOO = \"bar\"\nMULTI = \"one\\ntwo 'x'\"\nPATH = { prepend = [\"bin\"] }\n",
    );
    env.write(".envrc", "use den\n");
    env.trust();
    let rc = env.home().join(".config/direnv/direnvrc");
    std::fs::create_dir_all(rc.parent().unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("integrations/direnv/den.sh");
    std::fs::write(&rc, format!("source '{}'\n", script.display())).unwrap();
    let den_dir = Path::new(env!("CARGO_BIN_EXE_den")).parent().unwrap().display().to_string();
    let direnv = |args: &[&str]| {
        env.command(&direnv_bin).args(args).env("PATH", format!("{den_dir}:/usr/bin:/bin")).output().unwrap()
    };
    assert!(direnv(&["allow", "."]).status.success());
    let out = direnv(&["exec", ".", "sh", "-c", "printf '%s|%s|%s' \"$FOO\" \"$MULTI\" \"$PATH\""]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bin = env.project().join("bin");
    assert_eq!(stdout, format!("bar|one\ntwo 'x'|{}:{den_dir}:/usr/bin:/bin", bin.display()));
    let untrusted = run(env.den(), &["untrust"]);
    assert_eq!(untrusted.code, 0);
    let out = direnv(&["exec", ".", "sh", "-c", "printf '%s' \"${FOO-unset}\""]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "unset");
}

#[test]
fn direnv_use_den_reloads_when_a_dotenv_file_of_den_toml_changes() {
    let Some(direnv_bin) = crate::prereq::program("direnv") else { return };
    let env = Env::new();
    env.write("den.toml", "[env]\nFOO = \"bar\"\ndotenv = [\".env\"]\n");
    env.write(".env", "FROM_DOTENV=one\n");
    env.write(".envrc", "use den\n");
    env.trust();
    let rc = env.home().join(".config/direnv/direnvrc");
    std::fs::create_dir_all(rc.parent().unwrap()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("integrations/direnv/den.sh");
    std::fs::write(&rc, format!("source '{}'\n", script.display())).unwrap();
    let den_dir = Path::new(env!("CARGO_BIN_EXE_den")).parent().unwrap().display().to_string();
    // A shell's environment as direnv's hook keeps it: each `direnv export json` is applied.
    let mut shell: std::collections::BTreeMap<String, String> = [
        ("HOME".to_string(), env.home().display().to_string()),
        ("XDG_CONFIG_HOME".into(), env.home().join(".config").display().to_string()),
        ("XDG_DATA_HOME".into(), env.home().join(".local/share").display().to_string()),
        ("XDG_CACHE_HOME".into(), env.home().join(".cache").display().to_string()),
        ("PATH".into(), format!("{den_dir}:/usr/bin:/bin")),
    ]
    .into();
    let export = |shell: &mut std::collections::BTreeMap<String, String>| {
        let out = Command::new(&direnv_bin)
            .args(["export", "json"])
            .current_dir(env.project())
            .env_clear()
            .envs(shell.iter())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if text.trim().is_empty() {
            return serde_json::Map::new();
        }
        let changes: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
        for (k, v) in &changes {
            match v.as_str() {
                Some(v) => shell.insert(k.clone(), v.to_string()),
                None => shell.remove(k),
            };
        }
        changes
    };
    let allowed = Command::new(&direnv_bin)
        .args(["allow", "."])
        .current_dir(env.project())
        .env_clear()
        .envs(shell.iter())
        .status()
        .unwrap();
    assert!(allowed.success());
    let first = export(&mut shell);
    assert_eq!(first.get("FROM_DOTENV").and_then(|v| v.as_str()), Some("one"), "{first:?}");
    assert_eq!(export(&mut shell).len(), 0, "nothing changed: direnv must not reload");

    // An edit of .env (direnv compares whole seconds: the edit is dated a few seconds on).
    let dotenv = env.write(".env", "FROM_DOTENV=two\n");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options().write(true).open(&dotenv).unwrap().set_modified(later).unwrap();
    let after = export(&mut shell);
    assert_eq!(after.get("FROM_DOTENV").and_then(|v| v.as_str()), Some("two"), "{after:?}");
    assert_eq!(shell.get("FOO").map(String::as_str), Some("bar"));
}
