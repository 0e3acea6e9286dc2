//! Messages to the user on stderr: errors, warnings, notes. Colour only when stderr is a
//! terminal and `NO_COLOR` is unset. stdout is never written here: it belongs to the
//! requested output. Text den did not write itself (names from archives, servers, den.lock)
//! goes through [`escaped`] or [`shown_path`] first; this module is a leaf, so every other
//! module may use them.

pub mod table;

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use crate::env_vars;

static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns on `-v/--verbose` for this process (`main`, from the command line).
pub fn set_verbose(on: bool) {
    VERBOSE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `-v/--verbose` was given: say more (every source tried, exact command lines).
pub fn verbose() -> bool {
    VERBOSE.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether stderr gets ANSI colours (decided once per process).
pub fn color() -> bool {
    static COLOR: OnceLock<bool> = OnceLock::new();
    *COLOR.get_or_init(|| {
        std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
    })
}

fn paint(code: &str, text: &str) -> String {
    paint_if(color(), code, text)
}

fn paint_if(color: bool, code: &str, text: &str) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

/// `den: <message>` and one `help:` line per line of `help`.
pub fn error(message: &str, help: Option<&str>) {
    let hints: Vec<String> = help.into_iter().flat_map(str::lines).map(String::from).collect();
    report(message, &[], &hints);
}

/// `den: <message>`, a `caused by:` line per cause and a `help:` line per hint, at once.
pub fn report(message: &str, causes: &[String], hints: &[String]) {
    emit(&render_error(message, causes, hints, color()));
}

/// Messages held back by [`hold`], or `None` when they go straight to stderr.
static HELD: Mutex<Option<String>> = Mutex::new(None);

/// Holds back this process's messages until [`release`]: the hook prints a load's messages
/// only when they are news (see `hook::activate`).
pub fn hold() {
    *HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(String::new());
}

/// The messages held back since [`hold`]; from now on they go to stderr again.
pub fn release() -> String {
    HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take().unwrap_or_default()
}

/// Writes `text` to stderr, or keeps it while messages are held back.
fn emit(text: &str) {
    if let Some(held) = HELD.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_mut() {
        held.push_str(text);
        return;
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// The text [`report`] prints; causes and hints are one line each (a cause may span lines,
/// its first one gets the label).
pub fn render_error(message: &str, causes: &[String], hints: &[String], color: bool) -> String {
    let paint = |code: &str, text: &str| paint_if(color, code, text);
    let mut out = format!("{} {message}\n", paint("1;31", "den:"));
    for cause in causes {
        out.push_str(&format!("{} {cause}\n", paint("1", "caused by:")));
    }
    for line in hints {
        out.push_str(&format!("{} {line}\n", paint("1;36", "help:")));
    }
    out
}

/// A problem that does not stop the command.
pub fn warn(message: &str) {
    emit(&format!("{} {message}\n", paint("1;33", "den: warning:")));
}

/// A line of information (what den did, or is waiting for).
pub fn note(message: &str) {
    emit(&format!("{} {message}\n", paint("1", "den:")));
}

/// Whether a person can answer a question: stdin and stderr are both terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks a yes/no question on stderr and reads the answer from stdin; anything but `y` or
/// `yes` is no.
pub fn confirm(question: &str) -> bool {
    eprint!("{} {question} [y/N] ", paint("1", "den:"));
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// `text` safe to print on a terminal: control characters (ESC, newline, DEL, C1) become
/// escapes (`\e`, `\n`, `\x7f`, `\u{9b}`), so a name from an archive, a server or a
/// repository can neither move the cursor nor forge a second line. Messages must pass every
/// name they did not write themselves through this (or [`shown_path`]).
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\x1b' => out.push_str("\\e"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Longest path shown whole; longer ones keep their start and end around `…`.
const SHOWN_PATH_MAX: usize = 160;

/// A path for a message: escaped (see [`escaped`]), each byte that is not UTF-8 as `\xHH`
/// (so the message names the real path, where `display()` shows U+FFFD) and, when longer
/// than 160 characters (an archive can name a 4 KiB path), its middle elided so the line
/// stays readable.
pub fn shown_path(path: &Path) -> String {
    let mut text = String::new();
    for chunk in path.as_os_str().as_encoded_bytes().utf8_chunks() {
        text.push_str(&escaped(chunk.valid()));
        text.extend(chunk.invalid().iter().map(|b| format!("\\x{b:02x}")));
    }
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= SHOWN_PATH_MAX {
        return text;
    }
    let keep = SHOWN_PATH_MAX / 2 - 1;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - keep..].iter().collect();
    format!("{head}…{tail} ({} characters)", chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escaped("a\x1b[31mb\nc\u{9b}d\x7f\x00é"), "a\\e[31mb\\nc\\u{9b}d\\x7f\\x00é");
        assert_eq!(escaped("plain/name-1.2.tar.gz"), "plain/name-1.2.tar.gz");
    }

    #[test]
    fn long_paths_keep_both_ends() {
        let long = format!("/store/{}/end", "x".repeat(4000));
        let shown = shown_path(Path::new(&long));
        assert!(shown.starts_with("/store/xx") && shown.contains("xx/end (4011 characters)"), "{shown}");
        assert!(shown.chars().count() < 200, "{shown}");
        assert_eq!(shown_path(Path::new("/a/b")), "/a/b");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_shown_as_they_are() {
        use std::os::unix::ffi::OsStrExt;
        let path = Path::new(std::ffi::OsStr::from_bytes(b"/p/caf\xe9\n\xff\xfe/\xc3\xa9"));
        assert_eq!(shown_path(path), "/p/caf\\xe9\\n\\xff\\xfe/é");
    }
}
