//! The hook sees every edit made after a load, in a real interactive bash on a pty, even
//! one whose timestamp falls in the same millisecond as the load (the kernel stamps edits
//! with a coarse clock that can lag the precise one).

use std::path::{Path, PathBuf};

use crate::shells::{BASH, World, installed, plain, quoted};

/// The directory named `name` under `dir`, searched depth-first.
fn find_dir(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if entry.file_name() == name {
            return Some(path);
        }
        if let Some(found) = find_dir(&path, name) {
            return Some(found);
        }
    }
    None
}

#[test]
fn an_edit_in_the_same_millisecond_as_the_load_is_seen_at_the_next_prompt() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let trust_dir = find_dir(&w.env.home(), "trust-v1").expect("den trust wrote its records under HOME");
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    for round in 0..3 {
        sh.run(&format!("cd {}", quoted(&w.a)));
        // The load happened at the prompt before this line. Edit and trust in one line, then
        // give every file that changed the time the kernel would give an edit made in the
        // same millisecond as the load (the start of that millisecond).
        let value = format!("same tick {round}");
        let line = format!(
            "printf '[env]\\nFOO = \"{value}\"\\n' > den.toml && den trust >/dev/null 2>&1 && \
             s=$(stat -c %.9Y \"$__den_stamp\") && n=$(( (10#${{s/./}} + 1) / 1000000 * 1000000 )) && \
             touch -c -d \"@$(( n / 1000000000 )).$(printf %09d $(( n % 1000000000 )))\" den.toml {}",
            quoted(&trust_dir)
        );
        let shown = sh.run(&line);
        assert!(!shown.contains("No such file") && !shown.contains("invalid"), "{shown}");
        let seen = sh.environment();
        assert_eq!(
            seen.get("FOO").map(String::as_str),
            Some(value.as_str()),
            "round {round}: an edit in the load's millisecond was missed by the next prompt"
        );
        sh.run("cd ..");
    }
}

#[test]
fn a_reload_with_nothing_changed_since_the_last_load_does_not_repeat_its_messages() {
    if !installed("bash") {
        return;
    }
    let w = World::new();
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    sh.run(&format!("cd {}", quoted(&w.a)));
    // A file dated after every load (clock skew, an archive from a machine ahead) is newer
    // than the stamp at every prompt: each reloads, and says its problem only once.
    let mut shown =
        plain(&sh.run("printf '[env]\\nFOO = \"x\"\\n[tool]\\n' > den.toml && touch -d '+1 hour' den.toml"));
    for _ in 0..3 {
        shown += &plain(&sh.run("true"));
    }
    assert_eq!(shown.matches("unknown key `tool`").count(), 1, "{shown}");
    // A change is news again.
    let shown = plain(&sh.run("printf '[env]\\nFOO = \"x\"\\n[tols]\\n' > den.toml"));
    assert_eq!(shown.matches("unknown key `tols`").count(), 1, "{shown}");
    std::fs::write(w.a.join("den.toml"), "[env]\nFOO = \"fixed\"\n").unwrap();
    assert_eq!(crate::support::run(w.env.den_in(&w.a), &["trust"]).code, 0);
    sh.run("true");
    assert_eq!(sh.environment().get("FOO").map(String::as_str), Some("fixed"));
}
