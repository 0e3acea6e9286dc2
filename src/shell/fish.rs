//! fish: `set -gx NAME value;` and `set -e -g NAME;`. Variables whose name ends in `PATH`
//! are path variables in fish (lists joined with `:` when exported), so their value is
//! given as a list split on `:`; fish exports it back byte for byte.

use crate::env::Target;

/// One line per variable.
pub fn render(target: &Target) -> String {
    let mut out = String::new();
    for var in target.iter() {
        match &var.value {
            Some(value) if var.name.ends_with("PATH") => {
                let items: Vec<String> = value.split(':').map(quote).collect();
                out.push_str(&format!("set -gx {} {};\n", var.name, items.join(" ")));
            }
            Some(value) => out.push_str(&format!("set -gx {} {};\n", var.name, quote(value))),
            None => out.push_str(&format!("set -e -g {};\n", var.name)),
        }
    }
    out
}

/// A fish single-quoted word: only `\` and `'` need escaping; newlines and other control
/// characters are literal inside the quotes.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// A fish word of exactly these bytes, which need not be UTF-8 (a path): as `quote` when
/// they are text, else quoted runs of printable ASCII joined with `\XHH` byte escapes.
pub fn quote_bytes(bytes: &[u8]) -> String {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return quote(text);
    }
    let mut out = String::new();
    let mut run = String::new();
    for &b in bytes {
        if (0x20..=0x7e).contains(&b) {
            run.push(char::from(b));
            continue;
        }
        if !run.is_empty() {
            out.push_str(&quote(&std::mem::take(&mut run)));
        }
        out.push_str(&format!("\\X{b:02x}"));
    }
    if !run.is_empty() || out.is_empty() {
        out.push_str(&quote(&run));
    }
    out
}
