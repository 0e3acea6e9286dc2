//! Java as other tools write it: asdf's and mise's distribution-prefixed versions
//! (`temurin-21.0.5+11.0.LTS`, `temurin-21`), jenv's `.java-version` (`17`, `1.8`,
//! `temurin64-17.0.2`) and SDKMAN's `.sdkmanrc` (`java=21.0.5-tem`), turned into the
//! versions den's java (Eclipse Temurin from the Adoptium API) is written in: `21`,
//! `21.0.5`, `21.0.5+11`.
//!
//! Decisions: a distribution den does not install yet (Zulu, Corretto, GraalVM, OpenJDK
//! builds, ...) is refused with its name, never swapped for Temurin silently; a plain
//! version (`21`) is Temurin. Asdf's semver build metadata `+11.0.LTS` keeps only its
//! build number (`+11`). Java 8's `1.8` / `1.8.0_432` are `8` / `8.0.432`.

use super::File;
use super::text::uncomment;

/// Distribution prefixes (asdf, mise, jenv) and SDKMAN suffixes of Temurin.
const TEMURIN: &[&str] = &["temurin", "temurin64", "tem"];

/// Other distributions by the names asdf, mise, jenv and SDKMAN give them.
const OTHERS: &[(&str, &str)] = &[
    ("zulu", "Azul Zulu"),
    ("corretto", "Amazon Corretto"),
    ("amzn", "Amazon Corretto"),
    ("graalvm", "GraalVM"),
    ("graal", "GraalVM"),
    ("graalce", "GraalVM"),
    ("oracle-graalvm", "GraalVM"),
    ("openjdk", "OpenJDK's own builds"),
    ("openjdk64", "OpenJDK's own builds"),
    ("open", "OpenJDK's own builds"),
    ("oracle", "Oracle's JDK"),
    ("liberica", "Liberica"),
    ("librca", "Liberica"),
    ("microsoft", "Microsoft's OpenJDK"),
    ("ms", "Microsoft's OpenJDK"),
    ("semeru", "IBM Semeru"),
    ("sem", "IBM Semeru"),
    ("sapmachine", "SapMachine"),
    ("sapmchn", "SapMachine"),
    ("adoptopenjdk", "AdoptOpenJDK"),
    ("dragonwell", "Dragonwell"),
    ("kona", "Tencent Kona"),
    ("mandrel", "Mandrel"),
    ("jetbrains", "JetBrains Runtime"),
    ("jbr", "JetBrains Runtime"),
];

/// The den version of java that `raw` (a version as asdf, mise or jenv wrote it) means,
/// or why den cannot install it.
pub fn version(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    // The distribution is every `-`-separated word before the first one that starts with
    // a digit (`temurin64-17.0.2`, `graalvm-community-21.0.1`).
    let starts_digit = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
    let (vendor, rest) = if starts_digit(text) {
        (None, text)
    } else {
        match text.match_indices('-').find(|(at, _)| starts_digit(&text[at + 1..])) {
            Some((at, _)) => (Some(text[..at].to_ascii_lowercase()), &text[at + 1..]),
            None => (None, text),
        }
    };
    // A JRE asked for gets the JDK, which holds everything a JRE does.
    let temurin = |v: &str| TEMURIN.contains(&v.strip_suffix("-jre").unwrap_or(v));
    if let Some(vendor) = vendor.as_deref().filter(|v| !temurin(v)) {
        return Err(refusal(text, vendor));
    }
    Ok(bare(rest))
}

/// `21.0.5+11.0.LTS` → `21.0.5+11`; `1.8` → `8`; `1.8.0_432` → `8.0.432`; others as they are.
fn bare(text: &str) -> String {
    if let Some(eight) = text.strip_prefix("1.8") {
        return match eight.strip_prefix(".0_") {
            Some(update) => format!("8.0.{}", update.split(['-', '+']).next().unwrap_or(update)),
            None if eight.is_empty() || eight == ".0" => "8".into(),
            None => text.into(),
        };
    }
    match text.split_once('+') {
        Some((main, meta)) => {
            let build: String = meta.chars().take_while(char::is_ascii_digit).collect();
            if build.is_empty() { main.into() } else { format!("{main}+{build}") }
        }
        None => text.into(),
    }
}

fn refusal(text: &str, vendor: &str) -> String {
    let vendor = vendor.strip_suffix("-jre").unwrap_or(vendor);
    let name = OTHERS.iter().find(|(v, _)| vendor == *v || vendor.starts_with(&format!("{v}-")));
    let what = match name {
        Some((_, name)) => name.to_string(),
        None => format!("the `{}` distribution", crate::diag::printable(vendor)),
    };
    format!(
        "`{}` is {what}, which den does not install yet (it installs Eclipse Temurin: write a version such as `21`)",
        crate::diag::printable(text)
    )
}

/// `.java-version` (jenv and others): one version on its first meaningful line.
pub fn java_version(text: &str, file: &mut File) {
    let Some((line, raw)) = super::text::meaningful(text).next() else {
        return file.reject(0, "it is empty");
    };
    if let Err(why) = file.add("java", raw, None, line) {
        file.reject(line, format!("{why}; it holds one version of java, such as `21` or `21.0.5`"));
    }
}

/// `.sdkmanrc`: `candidate=version` lines (`java=21.0.5-tem`); SDKMAN's identifiers put the
/// distribution after the version. Candidates den has no definition of are noted.
pub fn sdkmanrc(text: &str, file: &mut File) {
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let entry = uncomment(raw);
        if entry.is_empty() {
            continue;
        }
        let Some((name, value)) = entry.split_once('=') else {
            file.note(line, format!("`{entry}` is not `candidate=version`: ignored"));
            continue;
        };
        let (name, value) = (name.trim(), value.trim());
        let Some(tool) = super::den_tool(name) else {
            file.note(line, super::unknown_tool(name));
            continue;
        };
        let version = match (tool, value.rsplit_once('-')) {
            ("java", Some((_, vendor))) if !TEMURIN.contains(&vendor.to_ascii_lowercase().as_str()) => {
                file.note(
                    line,
                    format!("java not imported: {}", refusal(value, &vendor.to_ascii_lowercase())),
                );
                continue;
            }
            ("java", Some((version, _))) => version.to_string(),
            _ => value.to_string(),
        };
        file.add_or_note(tool, &version, None, line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temurin_spellings_are_den_versions() {
        for (raw, want) in [
            ("21", "21"),
            ("21.0.5", "21.0.5"),
            ("temurin-21.0.5+11.0.LTS", "21.0.5+11"),
            ("temurin-21", "21"),
            ("temurin-8.0.432+6", "8.0.432+6"),
            ("temurin64-17.0.2", "17.0.2"),
            ("tem-21.0.5", "21.0.5"),
            ("1.8", "8"),
            ("1.8.0_432", "8.0.432"),
            ("temurin-jre-17.0.13+11", "17.0.13+11"),
            ("21.0.5+11", "21.0.5+11"),
        ] {
            assert_eq!(version(raw).as_deref(), Ok(want), "{raw}");
        }
    }

    #[test]
    fn other_distributions_are_named_and_refused() {
        assert_eq!(
            version("zulu-8.56.0.21").unwrap_err(),
            "`zulu-8.56.0.21` is Azul Zulu, which den does not install yet (it installs Eclipse Temurin: write a version such as `21`)"
        );
        assert!(version("corretto-17.0.7.7.1").unwrap_err().contains("Amazon Corretto"));
        assert!(version("openjdk-21").unwrap_err().contains("OpenJDK's own builds"));
        assert!(version("graalvm-community-21.0.1").unwrap_err().contains("GraalVM"));
        assert!(version("zulu-jre-17").unwrap_err().contains("Azul Zulu"));
        assert!(version("acme-21").unwrap_err().contains("the `acme` distribution"));
    }
}
