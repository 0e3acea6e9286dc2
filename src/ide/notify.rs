//! A `den ide` started from a desktop menu or dock has no terminal to show its error on:
//! the failure is appended to the project's `.den/logs/ide-<editor>.log` and shown as a
//! desktop notification — `notify-send` (Debian `libnotify-bin`) when it is installed,
//! else `gdbus` (GLib, on every GNOME desktop) calling `org.freedesktop.Notifications`
//! itself. Never fails and never waits long: the error is what matters, and a notifier
//! that hangs is killed. Never writes through a link (the project may be untrusted: that
//! is one of the failures), and never puts more than the error on a command line.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::env::Vars;
use crate::launch::{self, Environment, oneoff};
use crate::paths::DenDir;

/// How long a notifier may take before it is killed.
const NOTIFIER_WAIT: Duration = Duration::from_secs(5);

/// Whether den runs as a desktop launcher would start it: no terminal on stdin or stderr,
/// in a graphical session (`DISPLAY` or `WAYLAND_DISPLAY`).
pub fn from_desktop(vars: &Vars) -> bool {
    let graphical =
        ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|k| vars.get(*k).is_some_and(|v| !v.is_empty()));
    graphical && !std::io::stdin().is_terminal() && !std::io::stderr().is_terminal()
}

/// `den ide` failed with `text` (its message, causes and `help:` lines): when started from
/// a desktop menu or dock, the text also goes to the project's `ide-<editor>.log` and to a
/// desktop notification, since nobody reads den's stderr there. Nothing otherwise.
pub fn failed(req: &super::Request, text: &str) {
    // The environment outside any project a hook applied: the notifier is den's helper,
    // never a project's program.
    let current = crate::env::snapshot();
    let vars = crate::env::outside(&current);
    if !from_desktop(&vars) {
        return;
    }
    let project = crate::project::find(req.dir).ok().flatten();
    let editor = req.named(project.as_ref());
    let logged = project.as_ref().and_then(|p| log(&p.root, editor.as_deref(), text));
    let summary = format!("den ide: {} did not start", editor.as_deref().unwrap_or("the editor"));
    let body = match logged {
        Some(path) => format!("{text}\n(also in {})", path.display()),
        None => text.to_string(),
    };
    show(&summary, &body, &current, &vars);
}

/// Appends `text` to `<root>/.den/logs/ide-<editor>.log` (`ide.log` when no editor was
/// named); the log's path, when it could be written. Through `fs_util::beneath`: a link
/// a repository ships in place of `.den`, `.den/logs` or the log is replaced, with one
/// line, never written through; a file where a directory goes means no log.
pub fn log(root: &Path, editor: Option<&str>, text: &str) -> Option<PathBuf> {
    let logs = crate::fs_util::beneath::den_subdir(root, Path::new("logs")).ok()?;
    let name =
        editor.map_or_else(|| "ide.log".to_string(), |e| format!("ide-{}.log", crate::paths::name_part(e)));
    let path = DenDir::of(root).logs().join(&name);
    let mut file = logs.append(std::ffi::OsStr::new(&name)).ok()?;
    file.write_all(format!("den ide: {}\n", text.trim_end()).as_bytes()).ok()?;
    Some(path)
}

/// `text` with the characters notification markup gives a meaning escaped.
fn markup_escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `text` as a GVariant string literal (what `gdbus call` parses its arguments as).
fn gvariant_string(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The notifier's program and arguments for `summary` and `body`, with `path` as PATH:
/// `notify-send`, else `gdbus`; `None` when neither is installed.
pub fn command(summary: &str, body: &str, path: Option<&str>) -> Option<(PathBuf, Vec<OsString>)> {
    let body = markup_escaped(body);
    if let Some(program) = oneoff::lookup("notify-send", path, Path::new("/")) {
        let args = ["--app-name=den", "--urgency=critical", "--icon=dialog-error", "--", summary, &body];
        return Some((program, args.iter().map(OsString::from).collect()));
    }
    let program = oneoff::lookup("gdbus", path, Path::new("/"))?;
    let args = [
        "call",
        "--session",
        "--timeout",
        "5",
        "--dest",
        "org.freedesktop.Notifications",
        "--object-path",
        "/org/freedesktop/Notifications",
        "--method",
        "org.freedesktop.Notifications.Notify",
        "'den'",
        "0",
        "'dialog-error'",
        &gvariant_string(summary),
        &gvariant_string(&body),
        "@as []",
        "{'urgency': <byte 2>}",
        "-1",
    ];
    Some((program, args.iter().map(OsString::from).collect()))
}

/// Shows `summary` and `body` as a desktop notification, the notifier found and started
/// with `vars` (den's environment being `current`); whether it ran and succeeded.
pub fn show(summary: &str, body: &str, current: &Vars, vars: &Vars) -> bool {
    let Some((program, args)) = command(summary, body, vars.get("PATH").map(String::as_str)) else {
        return false;
    };
    let mut cmd = launch::command(&program, Environment::Moved { current, next: vars }, Path::new("/"));
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let Ok(mut child) = cmd.spawn() else { return false };
    let began = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if began.elapsed() < NOTIFIER_WAIT => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn gdbus_arguments_are_gvariant_strings() {
        assert_eq!(gvariant_string("it's a\\b\nc\u{7}"), r"'it\'s a\\b\nc\u0007'");
        assert_eq!(markup_escaped("<b>&"), "&lt;b&gt;&amp;");
    }

    #[test]
    fn the_log_is_never_written_through_a_link() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("p");
        std::fs::create_dir_all(root.join(".den")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), root.join(".den/logs")).unwrap();
        assert!(log(&root, Some("code"), "refused").is_some(), "the link is replaced by a directory");
        assert!(!tmp.path().join("elsewhere").exists());
        std::fs::write(tmp.path().join("target"), "keep").unwrap();
        std::fs::remove_file(root.join(".den/logs/ide-code.log")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("target"), root.join(".den/logs/ide-code.log")).unwrap();
        let path = log(&root, Some("code"), "refused").unwrap();
        assert_eq!(std::fs::read_to_string(tmp.path().join("target")).unwrap(), "keep");
        assert_eq!(std::fs::read_to_string(path).unwrap(), "den ide: refused\n");
        let fresh = tmp.path().join("q");
        std::fs::create_dir(&fresh).unwrap();
        let path = log(&fresh, Some("code"), "refused\n").unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), "den ide: refused\n");
        assert!(fresh.join(".den/.gitignore").exists());
    }
}
