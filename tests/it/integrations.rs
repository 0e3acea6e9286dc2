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
        Command::new(&direnv_bin)
            .args(args)
            .current_dir(env.project())
            .env_clear()
            .env("HOME", env.home())
            .env("XDG_CONFIG_HOME", env.home().join(".config"))
            .env("XDG_DATA_HOME", env.home().join(".local/share"))
            .env("XDG_CACHE_HOME", env.home().join(".cache"))
            .env("PATH", format!("{den_dir}:/usr/bin:/bin"))
            .output()
            .unwrap()
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
