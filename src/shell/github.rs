//! GitHub Actions' `$GITHUB_ENV` file: `NAME=value` lines, and for values with line breaks
//! the `NAME<<DELIMITER` form with a delimiter that does not occur in the value.
//! GitHub has no way to unset a variable, so an unset one is written as `NAME=` (empty).
//! Before them, [`masks`]: an `::add-mask::` workflow command for each line of every secret
//! value, so that the runner hides it in the job's log.

use sha2::{Digest, Sha256};

use crate::env::Target;

/// One entry per variable.
pub fn render(target: &Target) -> String {
    let mut out = String::new();
    for var in target.iter() {
        let value = var.value.as_deref().unwrap_or("");
        if value.contains(['\n', '\r']) {
            let delimiter = delimiter(&var.name, value);
            out.push_str(&format!("{}<<{delimiter}\n{value}\n{delimiter}\n", var.name));
        } else {
            out.push_str(&format!("{}={value}\n", var.name));
        }
    }
    out
}

/// `::add-mask::<line>` for each line of every value den knows is secret (a `file` or
/// `command` secret, a value interpolating one, a service's URL and its password alone),
/// each line apart as
/// GitHub asks for multi-line secrets. `%` is written `%25`, as the runner unescapes it;
/// a blank line is not masked (the runner would refuse it, or hide every space).
pub fn masks(target: &Target) -> String {
    let mut out = String::new();
    let values = target.iter().filter(|v| v.secret.is_some()).filter_map(|v| v.value.as_deref());
    for value in values.chain(target.hidden().iter().map(String::as_str)) {
        for line in value.split(['\n', '\r']).filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!("::add-mask::{}\n", line.replace('%', "%25")));
        }
    }
    out
}

/// `DEN_EOF_` and a hash of the variable, lengthened until no line of the value is it
/// (deterministic, so the output is reproducible).
fn delimiter(name: &str, value: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update(value.as_bytes());
    let hash: String = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let mut len = 16;
    loop {
        let candidate = format!("DEN_EOF_{}", &hash[..len]);
        if !value.contains(&candidate) || len == hash.len() {
            return candidate;
        }
        len += 8;
    }
}

#[cfg(test)]
mod tests {
    use super::delimiter;

    #[test]
    fn delimiter_is_reproducible_and_not_in_the_value() {
        let value = "x\nDEN_EOF_\ny";
        let d = delimiter("A", value);
        assert_eq!(d, delimiter("A", value));
        assert_eq!(d.len(), "DEN_EOF_".len() + 16);
        assert!(!value.contains(&d));
        assert_ne!(d, delimiter("B", value));
    }
}
