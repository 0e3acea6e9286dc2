//! dotenv: `NAME="value"` lines, double-quoted with `\\`, `\"`, `\$`, `\n`, `\r` and `\t`
//! escaped so that every value fits on one line and den's own dotenv parser reads it back
//! exactly. A dotenv file cannot unset, so unset variables are left out.

use crate::env::Target;

/// One line per variable den sets.
pub fn render(target: &Target) -> String {
    let mut out = String::new();
    for var in target.iter() {
        if let Some(value) = &var.value {
            out.push_str(&format!("{}={}\n", var.name, quote(value)));
        }
    }
    out
}

/// `value` double-quoted with dotenv escapes.
pub fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str(r"\$"),
            '\n' => out.push_str(r"\n"),
            '\r' => out.push_str(r"\r"),
            '\t' => out.push_str(r"\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
