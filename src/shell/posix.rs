//! bash and zsh: `export NAME=value;` and `unset NAME;`, with values quoted so that both
//! shells read back the exact bytes.

use crate::env::Target;

/// One line per variable.
pub fn render(target: &Target) -> String {
    let mut out = String::new();
    for var in target.iter() {
        match &var.value {
            Some(value) => out.push_str(&format!("export {}={};\n", var.name, quote(value))),
            None => out.push_str(&format!("unset {};\n", var.name)),
        }
    }
    out
}

/// A word bash and zsh read as exactly `value`: bare when it is plainly safe, ANSI-C
/// `$'...'` when it holds control characters (newline, tab, ...), single quotes otherwise.
pub fn quote(value: &str) -> String {
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:,+@%".contains(c)) {
        return value.to_string();
    }
    if !value.chars().any(|c| c.is_ascii_control()) {
        return format!("'{}'", value.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            '\r' => out.push_str(r"\r"),
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A word bash and zsh read as exactly these bytes, which need not be UTF-8 (a path): as
/// `quote` when they are text, else ANSI-C `$'...'` with `\xHH` for every byte that is
/// not printable ASCII.
pub fn quote_bytes(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return quote(text);
    }
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str(r"\\"),
            b'\'' => out.push_str(r"\'"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    out
}
