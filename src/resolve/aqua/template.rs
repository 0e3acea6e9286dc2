//! The Go-template subset aqua's registry writes in `asset`, `url`, `files[].src` and
//! checksum assets: `{{.Version}}`, `{{.SemVer}}`, `{{.OS}}`, `{{.Arch}}`, `{{.Format}}`,
//! `{{.Asset}}`, `{{.AssetWithoutExt}}`, `{{trimV .X}}`, `{{trimPrefix "p" .X}}`,
//! `{{trimSuffix "s" .X}}`. Anything else is an error naming it, never output verbatim.

use indexmap::IndexMap;

/// The values a template may name (`Version` → `v1.7.4`).
pub type Vars = IndexMap<&'static str, String>;

/// `text` with its actions replaced, or the action den cannot read.
pub fn render(text: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("`{text}` has an unclosed `{{{{`"))?;
        let action = after[..end].trim().trim_start_matches('-').trim_end_matches('-').trim();
        out.push_str(
            &action_value(action, vars).ok_or_else(|| format!("den cannot read `{{{{{action}}}}}`"))?,
        );
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn action_value(action: &str, vars: &Vars) -> Option<String> {
    // `.Version | trimV`: the value piped into the function.
    if let Some((value, func)) = action.split_once('|') {
        return action_value(&format!("{} {}", func.trim(), value.trim()), vars);
    }
    let words = split_words(action)?;
    let field = |w: &str| w.strip_prefix('.').and_then(|name| vars.get(name)).cloned();
    match words.as_slice() {
        [one] => field(one),
        [f, arg] if f == "trimV" => field(arg).map(|v| v.strip_prefix('v').map(str::to_string).unwrap_or(v)),
        [f, arg] if f == "title" => field(arg).map(|v| {
            let mut chars = v.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }),
        [f, lit, arg] if f == "trimPrefix" => {
            let v = field(arg)?;
            let lit = literal(lit)?;
            Some(v.strip_prefix(lit.as_str()).map(str::to_string).unwrap_or(v))
        }
        [f, lit, arg] if f == "trimSuffix" => {
            let v = field(arg)?;
            let lit = literal(lit)?;
            Some(v.strip_suffix(lit.as_str()).map(str::to_string).unwrap_or(v))
        }
        _ => None,
    }
}

/// Words of an action, a quoted string kept as one word (with its quotes).
fn split_words(action: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = action.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            let mut word = String::from('"');
            chars.next();
            loop {
                let c = chars.next()?;
                word.push(c);
                if c == '"' {
                    break;
                }
            }
            words.push(word);
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek().filter(|c| !c.is_whitespace()) {
                word.push(c);
                chars.next();
            }
            words.push(word);
        }
    }
    Some(words)
}

fn literal(word: &str) -> Option<String> {
    word.strip_prefix('"').and_then(|w| w.strip_suffix('"')).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("Version", "v1.7.4".into());
        v.insert("OS", "linux".into());
        v.insert("Arch", "amd64".into());
        v.insert("Format", "tar.gz".into());
        v
    }

    #[test]
    fn the_registry_subset() {
        let r = |t: &str| render(t, &vars());
        assert_eq!(
            r("actionlint_{{trimV .Version}}_{{.OS}}_{{.Arch}}.{{.Format}}").unwrap(),
            "actionlint_1.7.4_linux_amd64.tar.gz"
        );
        assert_eq!(r("x-{{ .Version }}").unwrap(), "x-v1.7.4");
        assert_eq!(r("{{trimPrefix \"v1.\" .Version}}").unwrap(), "7.4");
        assert_eq!(r("{{trimSuffix \".4\" .Version}}").unwrap(), "v1.7");
        assert_eq!(r("{{.Nope}}").unwrap_err(), "den cannot read `{{.Nope}}`");
        assert_eq!(r("{{title .OS}}-{{.Version | trimV}}").unwrap(), "Linux-1.7.4");
        assert_eq!(r("{{upper .OS}}").unwrap_err(), "den cannot read `{{upper .OS}}`");
        assert!(r("a{{.OS").unwrap_err().contains("unclosed"));
        assert!(r("{{trimPrefix \"unterminated .Version}}").is_err());
    }
}
