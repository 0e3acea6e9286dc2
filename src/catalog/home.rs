//! A runtime's home: the variables a tool's definition sets wherever the tool is in a
//! project's environment (`[env]` of a catalog file: `JAVA_HOME = "{root}"`,
//! `GOTOOLCHAIN = "local"`, `GOPATH = "{home}"`), checked when the catalog is read.
//! Values are plain substitution of three places den knows; nothing here touches a disk,
//! and a definition can never set `PATH`, den's own variables or the loader's.

use std::path::Path;

/// The placeholders a home value may use.
pub const PLACES: &[&str] = &["root", "dir", "home"];

/// One variable a definition sets for its tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeVar {
    pub name: String,
    value: String,
}

/// Where the placeholders point for one installed tool.
#[derive(Debug, Clone, Copy)]
pub struct Places<'a> {
    /// `{dir}`: the tool's install directory in the (read-only) store.
    pub dir: &'a Path,
    /// `{root}`: the runtime's root, the directory holding its first binary's `bin/`
    /// (`<dir>/go`, `<dir>/jdk-21.0.5+11`, `<dir>/jdk-…/Contents/Home` on macOS).
    pub root: &'a Path,
    /// `{home}`: the tool's writable directory outside the store, one per user
    /// (`paths::Bucket::Homes`/`<tool>`).
    pub home: &'a Path,
}

impl HomeVar {
    /// Checks a name and its value as a definition writes them.
    pub fn new(name: &str, value: &str) -> Result<HomeVar, String> {
        let valid = name.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
            && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(format!("`[env]` name `{name}` is not an upper-case variable name"));
        }
        if name == "PATH" || name.starts_with("DEN_") || name.starts_with("__DEN") || name.starts_with("LD_")
        {
            return Err(format!("`[env]` cannot set `{name}` (den's own, PATH or the loader's)"));
        }
        let mut rest = value;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').ok_or_else(|| format!("`{value}` has a `{{` without `}}`"))?;
            let place = &rest[open + 1..open + close];
            if !PLACES.contains(&place) {
                return Err(format!(
                    "`[env]` value `{value}` uses `{{{place}}}`; it knows {{root}}, {{dir}}, {{home}}"
                ));
            }
            rest = &rest[open + close + 1..];
        }
        Ok(HomeVar { name: name.to_string(), value: value.to_string() })
    }

    /// The value for one installed tool.
    pub fn render(&self, places: &Places) -> String {
        let text = |p: &Path| p.to_string_lossy().into_owned();
        self.value
            .replace("{root}", &text(places.root))
            .replace("{dir}", &text(places.dir))
            .replace("{home}", &text(places.home))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_three_places() {
        let var = HomeVar::new("GOBIN", "{home}/bin").unwrap();
        let places =
            Places { dir: Path::new("/s/k"), root: Path::new("/s/k/go"), home: Path::new("/d/homes-v1/go") };
        assert_eq!(var.render(&places), "/d/homes-v1/go/bin");
        assert_eq!(HomeVar::new("GOROOT", "{root}").unwrap().render(&places), "/s/k/go");
        assert_eq!(HomeVar::new("GOTOOLCHAIN", "local").unwrap().render(&places), "local");
    }

    #[test]
    fn refuses_what_a_definition_must_not_set() {
        for (name, value) in [
            ("PATH", "{root}/bin"),
            ("DEN_ROOT", "x"),
            ("LD_PRELOAD", "{dir}/x.so"),
            ("java_home", "{root}"),
            ("JAVA_HOME", "{version}"),
            ("JAVA_HOME", "{root"),
        ] {
            assert!(HomeVar::new(name, value).is_err(), "{name} = {value}");
        }
    }
}
