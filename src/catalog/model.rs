//! The typed model of a tool definition: what the resolver and the store read. Built from
//! a catalog file or from a den.toml `source`/`url` override by `raw.rs`; never parsed here.

use indexmap::IndexMap;

use super::template::{JsonPath, Template, Vars};
use crate::artifact::Format;
use crate::artifact::{Arch, Os, Platform};
use crate::version::{Prereleases, Version};

/// A tool den knows how to install.
#[derive(Debug, Clone)]
pub struct Tool {
    pub name: String,
    /// One line about the tool (checked by the catalog tests; no command shows it yet).
    #[cfg_attr(not(test), allow(dead_code))]
    pub description: String,
    /// The upstream first, then the fallbacks, tried in order when one is unreachable or
    /// has no artifact for the version.
    pub sources: Vec<Source>,
    /// Names a spec may use instead of a version (`lts`).
    pub aliases: IndexMap<String, Alias>,
    /// Long-term-support lines, lowercase codename → major (`hydrogen` → 18): the
    /// authority on which majors are LTS when the source serving the tool does not flag
    /// them (node's npm packages), and what `lts/<codename>` means.
    pub lts: std::collections::BTreeMap<String, u64>,
    /// The variables den sets wherever the tool is in an environment (a runtime's home:
    /// `JAVA_HOME`, `GOROOT`, `GOPATH`), by name (`catalog::home`).
    pub env: Vec<super::home::HomeVar>,
    /// Writable directories (under `{home}`) put on PATH after the tool's own binaries:
    /// where the runtime installs commands (`gem install`'s `bin/`).
    pub path: Vec<super::home::HomeValue>,
}

impl Tool {
    /// A tool with no definition of den's: `name` served by `source` alone (den.toml's own
    /// `source`/`url`, a short name's aqua package).
    pub fn with_source(name: &str, source: Source) -> Tool {
        Tool {
            name: name.to_string(),
            description: String::new(),
            sources: vec![source],
            aliases: Default::default(),
            lts: Default::default(),
            env: Vec::new(),
            path: Vec::new(),
        }
    }
}

/// What an `lts` spec asks for (`lts`, `lts/*`, `lts/<codename>`, `lts/<major>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lts {
    /// The newest release of any LTS line.
    Any,
    /// The newest release of this major (a line the table names).
    Major(u64),
    /// A codename the table does not know: only an index that flags lines by codename
    /// (nodejs.org's `lts` field) can answer it.
    Codename(String),
}

impl Tool {
    /// What `alias` means as an `lts` spec, when the tool has LTS lines and it is one:
    /// `None` for other aliases, `Some(Err(why))` for an `lts/...` that names no LTS line.
    pub fn lts(&self, alias: &str) -> Option<Result<Lts, String>> {
        if self.lts.is_empty() {
            return None;
        }
        let line = match alias {
            "lts" | "lts/*" => return Some(Ok(Lts::Any)),
            other => other.strip_prefix("lts/")?.to_ascii_lowercase(),
        };
        if let Ok(major) = line.parse::<u64>() {
            return Some(if self.lts.values().any(|m| *m == major) {
                Ok(Lts::Major(major))
            } else {
                Err(format!("{} {major} is not an LTS line", self.name))
            });
        }
        Some(Ok(match self.lts.get(&line) {
            Some(major) => Lts::Major(*major),
            None => Lts::Codename(line),
        }))
    }

    /// The LTS lines as `codename (major)`, oldest first, for messages.
    pub fn lts_lines(&self) -> Vec<String> {
        let mut lines: Vec<(&u64, &String)> = self.lts.iter().map(|(c, m)| (m, c)).collect();
        lines.sort();
        lines.into_iter().map(|(m, c)| format!("lts/{c} ({m})")).collect()
    }
}

/// One place a tool's versions and artifacts come from.
#[derive(Debug, Clone)]
pub struct Source {
    pub kind: SourceKind,
    /// How the versions are listed.
    pub versions: VersionList,
    /// How a version is written as an upstream tag (`jq-{version}`); tags that do not
    /// fit are not versions of this tool. `None`: any tag that parses as a version.
    pub tag: Option<Template>,
    /// GitHub sources: the asset's name; `None` picks it by os/arch words.
    pub asset: Option<Template>,
    /// The artifact URL (url sources, and GitHub-listed tools served from elsewhere).
    pub url: Option<Template>,
    /// The archive format word (`tar.xz`, `binary`, ...), when the file name does not say.
    pub format: Option<String>,
    /// Executables inside the unpacked artifact; their directories go on PATH.
    pub bin: Vec<Template>,
    pub checksum: Checksum,
    /// Upstream spellings of os and arch; a platform missing from a map is unsupported.
    pub os: IndexMap<Os, String>,
    pub arch: IndexMap<Arch, String>,
    /// Per-platform exceptions (ripgrep's linux-x64 is musl, ninja's assets are unnamed).
    pub overrides: IndexMap<Platform, Override>,
    pub prereleases: Prereleases,
    pub post_install: Vec<PostInstall>,
    /// npm packages installed into the tool's directory beside its own artifact.
    pub bundles: Vec<Bundle>,
}

/// An npm package a tool's upstream builds bundle and this source's artifact lacks (node's
/// npm and corepack, missing from the `node-{os}-{arch}` packages): installed from the same
/// registry into `into`, its commands linked beside the tool's binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub package: String,
    /// Where its `package/` goes, inside the tool's directory.
    pub into: String,
    /// `(link, target)`: a link in the tool's directory and its relative target.
    pub links: Vec<(String, String)>,
    /// Tool major → the spec of the package its releases ship (node 22 → npm `10`).
    pub lines: std::collections::BTreeMap<u64, String>,
    /// The spec for majors past the table; `None`: they do not bundle it.
    pub newer: Option<String>,
}

impl Bundle {
    /// The spec of the package a tool release of `major` bundles, if it bundles one.
    pub fn spec_for(&self, major: u64) -> Option<&str> {
        match self.lines.get(&major) {
            Some(spec) => Some(spec),
            None if self.lines.keys().next_back().is_some_and(|last| major > *last) => self.newer.as_deref(),
            None => None,
        }
    }
}

/// Where a source lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    /// `github:owner/repo`: a release asset.
    Github { repo: String },
    /// `npm:<package>` (placeholders allowed: `@esbuild/{os}-{arch}`); the registry URL
    /// comes from configuration.
    Npm { package: Template },
    /// `pypi:<package>`; the index URL comes from configuration.
    Pypi { package: String },
    /// A URL template.
    Url,
    /// `adoptium:<api base>`: the Adoptium API (v3), Eclipse Temurin's releases with a
    /// sha256 per asset; the base is rewritten by `[mirrors]` like any URL.
    Adoptium { api: String },
    /// `aqua:<package>` (`aqua:rhysd/actionlint`): a package of the aqua registry, whose
    /// definition says, per version and platform, which release asset or URL is the
    /// artifact (`resolve::aqua`); versions are its repository's release tags.
    Aqua { package: String },
    /// `dotnet:<metadata base>`: the .NET release metadata (`releases-index.json`, each
    /// channel's `releases.json`), SDK archives with a sha512 each.
    Dotnet { base: String },
    /// `rustdist:<dist server>`: the Rust project's channel manifests
    /// (`dist/channel-rust-<channel>.toml`), a toolchain's components with a sha256 each,
    /// merged into one directory.
    RustDist { base: String },
    /// `hexbuilds:<build directory>` (`{arch}` allowed): Hex's builds of Erlang/OTP and
    /// Elixir, `builds.txt` with a sha256 per build.
    HexBuilds { base: String },
}

/// How a source's versions are listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionList {
    /// The tags of a repository's GitHub releases (filtered by the source's `tag`).
    GithubTags { repo: String },
    /// Versions found in the asset names of a repository's releases (python-build-standalone
    /// tags are dates; the Python version is in `cpython-{version}-...`).
    GithubAssets { repo: String, asset: Template },
    /// A JSON index and the path of the version strings in it.
    Json { url: Template, path: JsonPath },
    /// The package document of the npm source.
    Npm,
    /// The simple index of the PyPI source.
    Pypi,
    /// The general-availability releases the Adoptium API lists per feature version.
    Adoptium,
    /// The SDKs the .NET release metadata lists per channel.
    Dotnet,
    /// The release a Rust channel manifest names (`stable`, `1.83`, `1.83.0`).
    RustDist,
    /// The builds a Hex build directory's `builds.txt` lists.
    HexBuilds,
    /// Nothing to list: only exact versions can be asked for (a bare den.toml `url`).
    ExactOnly,
}

/// Where the artifact's checksum comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checksum {
    /// No published checksum (the download is still pinned in den.lock by its sha256).
    None,
    /// GitHub: the asset's `digest`, else a checksum asset found by name
    /// (`*.sha256`, `SHA256SUMS`, `checksums.txt`).
    Auto,
    /// npm `dist.integrity`, the PyPI index's sha256, the Adoptium API's, or the .NET
    /// metadata's sha512.
    Registry,
    /// A known sha256 (den.toml `sha256 = "..."`).
    Sha256(String),
    /// A checksum file at a URL: the line naming the artifact, or a bare digest.
    Url(Template),
    /// A checksum file among the release's assets (`SHA256SUMS`, `{asset}.sha256`).
    Asset(Template),
    /// A string inside a JSON document (ziglang.org's `{version}/{arch}-{os}/shasum`).
    Json { url: Template, path: JsonPath },
}

/// What an alias means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alias {
    /// Another spec (`iron = "20"`).
    Spec(String),
    /// The newest version whose index entry has this field set to something other than
    /// `false`/`null` (node's `lts`); needs a [`VersionList::Json`].
    Flag(String),
}

/// Per-platform replacements of a source's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Override {
    pub os: Option<String>,
    pub arch: Option<String>,
    pub asset: Option<Template>,
    pub url: Option<Template>,
    pub bin: Option<Vec<Template>>,
    pub format: Option<String>,
}

/// The post-install steps real artifacts need; paths are inside the install directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostInstall {
    /// Make a file executable.
    Chmod(Template),
    /// Rename a file.
    Rename { from: Template, to: Template },
    /// Create a relative symbolic link `link` → `target` (bun's `bunx`).
    Symlink { link: Template, target: Template },
    /// Create the links listed in a JSON file `[{"source": .., "target": ..}]`, paths
    /// relative to `base`, each link `target` pointing at `source`
    /// (`@embedded-postgres/*`'s `native/pg-symlinks.json`).
    SymlinksFromJson { file: Template, base: Template },
    /// Make the Erlang/OTP release in this directory runnable where it lies (what its
    /// `Install -minimal` script does, done by den: `store::otp_install`).
    OtpInstall(Template),
}

/// A source seen for one platform, with the overrides applied.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub source: &'a Source,
    #[cfg_attr(not(test), allow(dead_code))] // read by the catalog tests
    pub platform: Platform,
    pub os: &'a str,
    pub arch: &'a str,
    pub asset: Option<&'a Template>,
    pub url: Option<&'a Template>,
    pub bin: &'a [Template],
    pub format: Option<&'a str>,
}

impl Source {
    /// The source for `platform`, or `None` when it has no build for it.
    pub fn target(&self, platform: Platform) -> Option<Target<'_>> {
        let over = self.overrides.get(&platform);
        let os =
            over.and_then(|o| o.os.as_deref()).or_else(|| self.os.get(&platform.os).map(String::as_str))?;
        let arch = over
            .and_then(|o| o.arch.as_deref())
            .or_else(|| self.arch.get(&platform.arch).map(String::as_str))?;
        Some(Target {
            source: self,
            platform,
            os,
            arch,
            asset: over.and_then(|o| o.asset.as_ref()).or(self.asset.as_ref()),
            url: over.and_then(|o| o.url.as_ref()).or(self.url.as_ref()),
            bin: over.and_then(|o| o.bin.as_deref()).unwrap_or(&self.bin),
            format: over.and_then(|o| o.format.as_deref()).or(self.format.as_deref()),
        })
    }

    /// A listed tag (or index entry) as a version of this source, `None` when it is not one.
    pub fn version_from_tag(&self, tag: &str) -> Option<Version> {
        if let Some(template) = &self.tag {
            template.capture_version(tag, &Vars::default())?;
        }
        Version::parse(tag).ok()
    }
}

impl Target<'_> {
    /// The placeholder values for `version` on this platform.
    pub fn vars(&self, version: &Version) -> Vars {
        let bare = version.bare();
        let mut vars = Vars {
            version: bare.to_string(),
            build: bare.split_once('+').map(|(_, b)| b.to_string()).unwrap_or_default(),
            os: self.os.to_string(),
            arch: self.arch.to_string(),
            ..Vars::default()
        };
        vars.tag = match &self.source.tag {
            Some(template) => template.render(&vars),
            None => version.as_str().to_string(),
        };
        vars
    }

    /// The artifact URL when the definition says it (`None`: it comes from the API).
    pub fn url(&self, vars: &Vars) -> Option<String> {
        self.url.map(|t| t.render(vars))
    }

    /// The artifact's file name: the asset template, else the URL's last segment.
    pub fn file_name(&self, vars: &Vars) -> Option<String> {
        match (self.asset, self.url(vars)) {
            (Some(asset), _) => Some(asset.render(vars)),
            (None, Some(url)) => url.rsplit('/').next().map(str::to_string),
            (None, None) => None,
        }
    }

    /// The executables' paths inside the install directory.
    pub fn bins(&self, vars: &Vars) -> Vec<String> {
        self.bin.iter().map(|t| t.render(vars)).collect()
    }

    /// How to unpack the artifact called `file_name`; a single executable is named after
    /// the first `bin` entry.
    pub fn format(&self, file_name: &str, vars: &Vars) -> Format {
        let exe = self.bins(vars).into_iter().next().unwrap_or_else(|| file_name.to_string());
        match self.format.and_then(|word| Format::from_word(word, &exe)) {
            Some(format) => format,
            None => match Format::from_file_name(file_name) {
                Format::Binary { .. } => Format::Binary { name: exe },
                Format::Gz { .. } => Format::Gz { name: exe },
                other => other,
            },
        }
    }
}
