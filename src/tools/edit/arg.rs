//! The `tool@spec` arguments of `den add`, `den run` and `den x`: the one parser of them
//! (and of the tool names of `den remove`).
//!
//! Decisions:
//! - `node@22` is tool `node`, spec `22`; `node` alone means `latest`. A tool name has no
//!   `@`, so the split is at the first `@`, and a spec may hold anything else
//!   (`node@>=20, <23`).
//! - A package of another ecosystem is written with its source prefix: `npm:@biomejs/biome@1.9`,
//!   `pypi:ruff@0.6`, `github:jqlang/jq@1.7.1`. The package may itself start with `@` (npm
//!   scopes), so the spec starts at the first `@` after the package's first character. The
//!   tool is named after the package's last `/` segment (`biome`, `ruff`, `jq`), and the
//!   entry gets that `source`.
//! - A bare `@scope/pkg` is refused with the `npm:` form as help: den never guesses an
//!   ecosystem.
//! - The spec must be one den can read (`jq@^^` is refused here): a bad argument is a usage
//!   error (exit 2) found before den.toml or the network is touched, not a resolver failure
//!   after.
//!
//! Never reads or writes a file.

use super::Error;
use crate::diag::walk::is_plain_name;
use crate::hint::Hint;
use crate::version::VersionSpec;

/// One `den add` argument, understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolArg {
    /// The key in `[tools]`.
    pub name: String,
    /// The version spec (`latest` when none was given).
    pub spec: String,
    /// `npm:…`, `pypi:…`, `github:…` when the argument named a package.
    pub source: Option<String>,
    /// Whether the argument named a version (`node@22`, even `node@latest`); `den add node`
    /// did not, and den.toml then gets the major line installed (`edit::pin_of`).
    pub spec_given: bool,
}

const PREFIXES: &[&str] = &["npm:", "pypi:", "github:"];

/// Parses a `den run`/`den x` argument: what [`parse`] accepts, and also a package named
/// per platform, which only a one-off run can use.
pub fn parse_one_off(arg: &str) -> Result<ToolArg, Error> {
    parse(arg).or_else(|e| placeholder_package(arg).ok_or(e)).and_then(|a| readable_spec(arg, a))
}

/// Parses `tool[@spec]` or `<npm|pypi|github>:package[@spec]`.
pub fn parse(arg: &str) -> Result<ToolArg, Error> {
    parse_form(arg).and_then(|a| readable_spec(arg, a))
}

/// `parsed`, when its spec is one den can read.
fn readable_spec(arg: &str, parsed: ToolArg) -> Result<ToolArg, Error> {
    match VersionSpec::parse(&parsed.spec) {
        Ok(_) => Ok(parsed),
        Err(e) => {
            Err(Error::BadArg { arg: arg.into(), reason: e.to_string(), help: e.hint().unwrap_or_default() })
        }
    }
}

/// The form of the argument: the tool or package and the spec's text.
fn parse_form(arg: &str) -> Result<ToolArg, Error> {
    let bad =
        |reason: &str, help: String| Error::BadArg { arg: arg.to_string(), reason: reason.into(), help };
    let form_help = || "write `tool@version` (`node@22`), or `npm:package@version` for a package".to_string();
    if let Some(prefix) = PREFIXES.iter().find(|p| arg.starts_with(**p)) {
        let rest = &arg[prefix.len()..];
        let at = rest.char_indices().skip(1).find(|(_, c)| *c == '@').map(|(i, _)| i);
        let (package, spec) = match at {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, "latest"),
        };
        let spec_given = at.is_some();
        let name = package.rsplit('/').next().unwrap_or_default();
        if !is_plain_name(name) {
            let help = format!(
                "add it to den.toml under a name of your choice: `mytool = {{ version = \"{spec}\", source = \"{prefix}{package}\" }}`"
            );
            return Err(bad("den cannot name a tool after this package", help));
        }
        let source = Some(format!("{prefix}{package}"));
        return Ok(ToolArg {
            name: name.to_string(),
            spec: spec_of(spec).map_err(|r| bad(r, form_help()))?,
            source,
            spec_given,
        });
    }
    if let Some(package) = arg.strip_prefix('@') {
        return Err(bad(
            "a tool name cannot start with `@`",
            format!("for an npm package write `npm:@{package}`"),
        ));
    }
    let (name, spec) = arg.split_once('@').unwrap_or((arg, "latest"));
    if !is_plain_name(name) {
        return Err(bad(
            "tool names are letters, digits, `.`, `_` and `-`, starting with a letter or digit",
            form_help(),
        ));
    }
    Ok(ToolArg {
        name: name.to_string(),
        spec: spec_of(spec).map_err(|r| bad(r, form_help()))?,
        source: None,
        spec_given: arg.contains('@'),
    })
}

fn spec_of(spec: &str) -> Result<String, &'static str> {
    let spec = spec.trim();
    if spec.is_empty() { Err("the version after `@` is empty") } else { Ok(spec.to_string()) }
}

/// `npm:@esbuild/{os}-{arch}@0.24`: a package named per platform, which `den add` cannot
/// name a tool after but a one-off run can: the tool is named after the package's scope
/// (`esbuild`), or its name with the placeholders taken out.
fn placeholder_package(arg: &str) -> Option<ToolArg> {
    let (prefix, rest) = arg.split_once(':')?;
    if !["npm", "pypi", "github"].contains(&prefix) || !rest.contains('{') {
        return None;
    }
    let at = rest.char_indices().skip(1).find(|(_, c)| *c == '@').map(|(i, _)| i);
    let (package, spec) = match at {
        Some(i) => (&rest[..i], rest[i + 1..].trim()),
        None => (rest, "latest"),
    };
    let scope = package.strip_prefix('@').and_then(|p| p.split('/').next());
    let last = package.rsplit('/').next().unwrap_or_default();
    let stripped: String = last.split(['{', '}']).step_by(2).collect::<String>();
    let name = scope.unwrap_or(stripped.trim_matches(['-', '_', '.']));
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    (plain && !spec.is_empty()).then(|| ToolArg {
        name: name.to_string(),
        spec: spec.to_string(),
        source: Some(format!("{prefix}:{package}")),
        spec_given: at.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hint::Hint;

    fn ok(arg: &str) -> (String, String, Option<String>) {
        let a = parse(arg).unwrap();
        (a.name, a.spec, a.source)
    }

    fn t(name: &str, spec: &str, source: Option<&str>) -> (String, String, Option<String>) {
        (name.into(), spec.into(), source.map(Into::into))
    }

    #[test]
    fn tool_names_with_and_without_spec() {
        assert_eq!(ok("node@22"), t("node", "22", None));
        assert_eq!(ok("node"), t("node", "latest", None));
        assert_eq!(ok("golangci-lint@^1.60"), t("golangci-lint", "^1.60", None));
        assert_eq!(ok("go@>=1.20, <1.23"), t("go", ">=1.20, <1.23", None));
    }

    #[test]
    fn whether_a_version_was_named() {
        for (arg, given) in [
            ("node", false),
            ("node@latest", true),
            ("node@22", true),
            ("npm:@biomejs/biome", false),
            ("npm:@biomejs/biome@2", true),
            ("pypi:ruff", false),
        ] {
            assert_eq!(parse(arg).unwrap().spec_given, given, "{arg}");
        }
    }

    #[test]
    fn packages_split_after_the_package_name() {
        assert_eq!(ok("npm:@biomejs/biome@1.9"), t("biome", "1.9", Some("npm:@biomejs/biome")));
        assert_eq!(ok("npm:@biomejs/biome"), t("biome", "latest", Some("npm:@biomejs/biome")));
        assert_eq!(ok("npm:esbuild@0.24"), t("esbuild", "0.24", Some("npm:esbuild")));
        assert_eq!(ok("pypi:ruff@0.6"), t("ruff", "0.6", Some("pypi:ruff")));
        assert_eq!(ok("github:jqlang/jq@1.7.1"), t("jq", "1.7.1", Some("github:jqlang/jq")));
    }

    #[test]
    fn bad_arguments_say_what_to_write() {
        let err = parse("@biomejs/biome").unwrap_err();
        assert_eq!(err.to_string(), "cannot add `@biomejs/biome`: a tool name cannot start with `@`");
        assert_eq!(err.hint().unwrap(), "for an npm package write `npm:@biomejs/biome`");
        let err = parse("node@").unwrap_err();
        assert_eq!(err.to_string(), "cannot add `node@`: the version after `@` is empty");
        let err = parse("npm:@biomejs/cli-{os}-{arch}@2").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot add `npm:@biomejs/cli-{os}-{arch}@2`: den cannot name a tool after this package"
        );
        assert_eq!(
            err.hint().unwrap(),
            "add it to den.toml under a name of your choice: `mytool = { version = \"2\", source = \"npm:@biomejs/cli-{os}-{arch}\" }`"
        );
        assert!(parse("no/de@1").is_err());
    }

    #[test]
    fn a_spec_den_cannot_read_is_refused_with_the_forms_it_can() {
        for arg in ["jq@^^", "npm:@esbuild/{os}-{arch}@~~1"] {
            let err = parse_one_off(arg).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("cannot add `{arg}`: invalid version spec `")),
                "{err}"
            );
            assert!(err.hint().unwrap().starts_with("write `22.11.0` (exact)"), "{:?}", err.hint());
        }
        assert!(parse("jq@^^").is_err());
    }
}
