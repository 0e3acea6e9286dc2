//! A runtime's home: the variables a tool's definition sets wherever the tool is in a
//! project's environment (`[env]` of a catalog file: `JAVA_HOME = "{root}"`,
//! `GOTOOLCHAIN = "local"`, `GEM_HOME = "{home}/{version}"`), and the writable
//! directories it puts on PATH after its own (`path = ["{home}/{version}/bin"]`: what
//! `gem install` installs), checked when the catalog is read. Values are plain
//! substitution of places den knows; nothing here touches a disk, and a definition can
//! never set `PATH` itself, den's own variables or the loader's.

use std::path::Path;

/// The placeholders a home value may use.
pub const PLACES: &[&str] = &["root", "dir", "home", "version"];

/// A value with placeholders, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeValue(String);

/// One variable a definition sets for its tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeVar {
    pub name: String,
    pub value: HomeValue,
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
    /// `{version}`: the installed version (`3.4.1`).
    pub version: &'a str,
}

impl HomeValue {
    /// Checks that every `{...}` is a known place.
    pub fn new(value: &str) -> Result<HomeValue, String> {
        let mut rest = value;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').ok_or_else(|| format!("`{value}` has a `{{` without `}}`"))?;
            let place = &rest[open + 1..open + close];
            if !PLACES.contains(&place) {
                return Err(format!(
                    "`{value}` uses `{{{place}}}`; a runtime's home knows {{root}}, {{dir}}, {{home}}, {{version}}"
                ));
            }
            rest = &rest[open + close + 1..];
        }
        Ok(HomeValue(value.to_string()))
    }

    /// The value for one installed tool.
    pub fn render(&self, places: &Places) -> String {
        let text = |p: &Path| p.to_string_lossy().into_owned();
        self.0
            .replace("{root}", &text(places.root))
            .replace("{dir}", &text(places.dir))
            .replace("{home}", &text(places.home))
            .replace("{version}", places.version)
    }

    /// A PATH entry must be one of the runtime's writable directories.
    pub fn check_path_entry(&self) -> Result<(), String> {
        if self.0.starts_with("{home}") && !self.0.contains("..") {
            Ok(())
        } else {
            Err(format!("`path` entry `{}` is not under {{home}}", self.0))
        }
    }
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
        let value = HomeValue::new(value).map_err(|e| format!("`[env]` {name}: {e}"))?;
        Ok(HomeVar { name: name.to_string(), value })
    }

    /// The value for one installed tool.
    pub fn render(&self, places: &Places) -> String {
        self.value.render(places)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places<'static> {
        Places {
            dir: Path::new("/s/k"),
            root: Path::new("/s/k/go"),
            home: Path::new("/d/homes-v1/go"),
            version: "1.23.4",
        }
    }

    #[test]
    fn renders_the_places() {
        let var = HomeVar::new("GOBIN", "{home}/bin").unwrap();
        assert_eq!(var.render(&places()), "/d/homes-v1/go/bin");
        assert_eq!(HomeVar::new("GOROOT", "{root}").unwrap().render(&places()), "/s/k/go");
        assert_eq!(HomeVar::new("GOTOOLCHAIN", "local").unwrap().render(&places()), "local");
        assert_eq!(
            HomeVar::new("GEM_HOME", "{home}/{version}").unwrap().render(&places()),
            "/d/homes-v1/go/1.23.4"
        );
    }

    #[test]
    fn refuses_what_a_definition_must_not_set() {
        for (name, value) in [
            ("PATH", "{root}/bin"),
            ("DEN_ROOT", "x"),
            ("LD_PRELOAD", "{dir}/x.so"),
            ("java_home", "{root}"),
            ("JAVA_HOME", "{tag}"),
            ("JAVA_HOME", "{root"),
        ] {
            assert!(HomeVar::new(name, value).is_err(), "{name} = {value}");
        }
        assert!(HomeValue::new("{root}/bin").unwrap().check_path_entry().is_err());
        assert!(HomeValue::new("{home}/../x").unwrap().check_path_entry().is_err());
        assert!(HomeValue::new("{home}/{version}/bin").unwrap().check_path_entry().is_ok());
    }
}
