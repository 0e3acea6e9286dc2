//! Which package ecosystem a registry belongs to (npm, PyPI), and the settings that name
//! its registry: what `registry` finds and `error` reports, below both. Only names; never
//! reads a setting.

/// Which package ecosystem a registry belongs to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Npm,
    Pypi,
}

impl Ecosystem {
    /// The settings that name this registry, for the error when none is found.
    pub fn settings(self) -> &'static str {
        match self {
            Ecosystem::Npm => {
                "set `[sources] npm = \"<registry URL>\"` in den's config.toml, or DEN_NPM_REGISTRY, \
                 or `registry=<registry URL>` in ~/.npmrc"
            }
            Ecosystem::Pypi => {
                "set `[sources] pypi = \"<index URL>/simple/\"` in den's config.toml, or DEN_PYPI_INDEX \
                 (or PIP_INDEX_URL), or `index-url` under `[global]` in ~/.config/pip/pip.conf"
            }
        }
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Ecosystem::Npm => "npm",
            Ecosystem::Pypi => "PyPI",
        })
    }
}
