//! Messages to the user on stderr: errors, warnings, notes. Colour only when stderr is a
//! terminal and `NO_COLOR` is unset. stdout is never written here: it belongs to the
//! requested output.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::OnceLock;

use crate::env_vars;

/// Whether stderr gets ANSI colours (decided once per process).
pub fn color() -> bool {
    static COLOR: OnceLock<bool> = OnceLock::new();
    *COLOR.get_or_init(|| {
        std::env::var_os(env_vars::NO_COLOR).is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
    })
}

fn paint(code: &str, text: &str) -> String {
    if color() { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

/// `den: <message>` and one `help:` line per line of `help`.
pub fn error(message: &str, help: Option<&str>) {
    let mut out = format!("{} {message}\n", paint("1;31", "den:"));
    for line in help.into_iter().flat_map(str::lines) {
        out.push_str(&format!("{} {line}\n", paint("1;36", "help:")));
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// A problem that does not stop the command.
pub fn warn(message: &str) {
    eprintln!("{} {message}", paint("1;33", "den: warning:"));
}

/// A line of information (what den did, or is waiting for).
pub fn note(message: &str) {
    eprintln!("{} {message}", paint("1", "den:"));
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
