//! A fake of every upstream den downloads from, on 127.0.0.1, for the install and run
//! tests: the GitHub releases API and downloads, a nodejs.org dist folder, an npm registry,
//! a PEP 691 index and releases.hashicorp.com, each shaped like the real one (as the
//! upstream notes record it), serving archives the test builds. Each real host lives under
//! `/<host>/` (`/nodejs.org/dist/index.json`), and [`Upstream::config_toml`] points den at
//! it with `[sources]` and `[mirrors]` URL-prefix rewrites. The GitHub API is at the root
//! (`/repos/...`), npm under `/npm/`, the simple index under `/simple/`.
//! Never binds anything but 127.0.0.1, never writes outside the test's temp dir.

pub mod adoptium;
pub mod archives;
mod catalog;
pub mod client;
mod dotnet;
pub mod faults;
pub mod github;
mod godev;
mod gradle;
mod hashicorp;
mod hexbuilds;
mod nodejs;
mod npm;
mod pypi;
mod rustdist;
/// The fake HTTP server, shared with the unit tests (`tests/support/http-server`).
pub use den_test_server as server;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

pub use archives::{AsEntry, Entry, Evil, script};
pub use faults::Fault;
pub use github::{Asset, Release};
use server::{Request, Response, Server};

/// The real hosts den's catalog fetches from, each mirrored under `/<host>/`.
pub const HOSTS: &[&str] = &[
    "nodejs.org",
    "go.dev",
    "dl.google.com",
    "github.com",
    "api.github.com",
    "raw.githubusercontent.com",
    "releases.hashicorp.com",
    "dl.k8s.io",
    "get.helm.sh",
    "ziglang.org",
    "api.adoptium.net",
    "services.gradle.org",
    "dotnetcli.blob.core.windows.net",
    "builds.dotnet.microsoft.com",
    "static.rust-lang.org",
    "builds.hex.pm",
];

/// A static file (or redirect) at a decoded path.
#[derive(Debug, Clone)]
pub enum File {
    Bytes {
        body: Vec<u8>,
        content_type: String,
        headers: Vec<(String, String)>,
        /// The path tests know this file by, when it is served after a redirect.
        alias: Option<String>,
    },
    /// 302 to this path on the same server (plus a query, kept verbatim).
    Redirect(String),
}

/// Everything the fake upstreams serve.
#[derive(Default)]
pub struct State {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub files: BTreeMap<String, File>,
    pub github: github::Github,
    pub npm: npm::Registry,
    pub pypi: pypi::Index,
    pub nodejs: nodejs::Dist,
    pub hashicorp: hashicorp::Releases,
    /// go.dev's release list, newest first.
    pub godev: Vec<serde_json::Value>,
    /// The Adoptium API's releases (Temurin JDKs), in publishing order.
    pub adoptium: Vec<serde_json::Value>,
    /// services.gradle.org's `versions/all`, newest first.
    pub gradle: Vec<serde_json::Value>,
    /// The .NET release metadata: channel → its releases, newest first.
    pub dotnet: BTreeMap<String, Vec<serde_json::Value>>,
    pub faults: faults::Faults,
    /// The next release/asset id.
    pub next_id: u64,
}

impl State {
    /// Adds a downloadable file at `path`.
    pub fn put(&mut self, path: &str, body: Vec<u8>, content_type: &str) {
        self.files.insert(
            path.to_string(),
            File::Bytes { body, content_type: content_type.into(), headers: vec![], alias: None },
        );
    }

    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The running fake upstreams; dropping it stops the server.
pub struct Upstream {
    state: Arc<Mutex<State>>,
    server: Server,
}

impl Upstream {
    /// Starts an empty server on a free port of 127.0.0.1.
    pub fn start() -> Upstream {
        let state = Arc::new(Mutex::new(State { next_id: 100_000_000, ..State::default() }));
        let shared = state.clone();
        let server = Server::start(move |req: &Request, _| route(&mut shared.lock().unwrap(), req));
        state.lock().unwrap().base = server.base();
        Upstream { state, server }
    }

    /// `http://127.0.0.1:<port>`
    pub fn base(&self) -> String {
        self.server.base()
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// Locks the state, for helpers that need more than the builder methods.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Publishes a GitHub release of `repo` (`owner/name`); the newest published lists first.
    pub fn github_release(&self, repo: &str, tag: &str, assets: &[Asset]) -> &Self {
        self.github(repo, Release::new(tag).assets(assets))
    }

    /// Publishes a release built with [`Release`]'s builder (prerelease, draft, ...).
    pub fn github(&self, repo: &str, release: Release) -> &Self {
        github::publish(&mut self.state(), repo, release);
        self
    }

    /// Caps the GitHub API's page size (real: `per_page`, max 100), to paginate few releases.
    pub fn github_page_size(&self, n: usize) -> &Self {
        self.state().github.page_size = Some(n);
        self
    }

    /// The path of a release asset's download URL (`/github.com/o/r/releases/download/t/n`),
    /// the path faults and request counts use for it.
    pub fn github_download_path(&self, repo: &str, tag: &str, name: &str) -> String {
        github::download_path(repo, tag, name)
    }

    /// Publishes a Node.js version on the nodejs.org dist folder: `node-v{v}-{os}-{arch}`
    /// tarballs (.tar.xz and .tar.gz) for linux/darwin x64/arm64 holding `files` under the
    /// top directory (a default `bin/node`, `bin/npm`, `bin/npx` when empty),
    /// `v{v}/SHASUMS256.txt` and the `index.json` entry with its `lts` codename.
    pub fn nodejs<E: AsEntry>(&self, version: &str, lts: Option<&str>, files: &[E]) -> &Self {
        nodejs::publish(&mut self.state(), version, lts, &archives::entries(files));
        self
    }

    /// Publishes an npm package version; `files` go under `package/` in the tarball.
    pub fn npm<E: AsEntry>(&self, name: &str, version: &str, files: &[E]) -> &Self {
        npm::publish(&mut self.state(), name, version, &archives::entries(files));
        self
    }

    /// Node as its npm package `node-<platform>` (a stand-in: `--version`, else it runs the
    /// script it is given with `sh`, telling it which node ran it, as node runs
    /// `#!/usr/bin/env node` scripts) for each platform, and the npm 10.9.0 (with npx) and
    /// corepack 0.34.0 den installs into it; each script says which node ran it.
    pub fn npm_node(&self, platforms: &[&str]) -> &Self {
        const FAKE_NODE: &str = "#!/bin/sh\nif [ \"$1\" = --version ]; then echo v22.11.0; exit 0; fi\n\
                                 DEN_TEST_NODE=\"$0\" exec sh \"$@\"\n";
        for plat in platforms {
            self.npm(&format!("node-{plat}"), "22.11.0", &[Entry::exe("bin/node", FAKE_NODE)]);
        }
        // npm ships its scripts without the executable bit (npm sets it when installing).
        self.npm(
            "npm",
            "10.9.0",
            &[
                Entry::file("bin/npm-cli.js", npm_script("npm 10.9.0"), 0o644),
                Entry::file("bin/npx-cli.js", npm_script("npx 10.9.0"), 0o644),
            ],
        );
        self.npm(
            "corepack",
            "0.34.0",
            &[Entry::file("dist/corepack.js", npm_script("corepack 0.34.0"), 0o644)],
        )
    }

    /// The path of an npm tarball (`/npm/@biomejs/cli-linux-x64/-/cli-linux-x64-1.9.4.tgz`).
    pub fn npm_tarball_path(&self, name: &str, version: &str) -> String {
        npm::tarball_path(name, version)
    }

    /// Publishes a wheel `{name}-{version}-{tag}.whl` on the simple index.
    pub fn pypi_wheel<E: AsEntry>(&self, name: &str, version: &str, tag: &str, files: &[E]) -> &Self {
        pypi::publish_wheel(&mut self.state(), name, version, tag, &archives::entries(files));
        self
    }

    /// Publishes an sdist (`{name}-{version}.tar.gz`), which den must never pick.
    pub fn pypi_sdist(&self, name: &str, version: &str) -> &Self {
        pypi::publish_sdist(&mut self.state(), name, version);
        self
    }

    /// Publishes a HashiCorp product version (`terraform_{v}_{os}_{arch}.zip` for
    /// linux/darwin amd64/arm64, `_SHA256SUMS`, both index.json files).
    pub fn hashicorp<E: AsEntry>(&self, product: &str, version: &str, files: &[E]) -> &Self {
        hashicorp::publish(&mut self.state(), product, version, &archives::entries(files));
        self
    }

    /// Publishes a Temurin JDK (`21.0.5+11`) on the Adoptium API, its archives as GitHub
    /// release assets of `adoptium/temurin<major>-binaries` in the real layout.
    pub fn adoptium(&self, version: &str) -> &Self {
        adoptium::publish(&mut self.state(), version);
        self
    }

    /// Publishes a Gradle distribution (`gradle-{v}-bin.zip`, its `.sha256`, its entry in
    /// `versions/all`); `snapshot` lists it as a nightly snapshot instead.
    pub fn gradle(&self, version: &str, snapshot: bool) -> &Self {
        gradle::publish(&mut self.state(), version, snapshot);
        self
    }

    /// Publishes a .NET SDK (`8.0.404`, shipped with runtime `8.0.11`) in the release
    /// metadata, its archives for linux and osx, x64 and arm64.
    pub fn dotnet(&self, sdk: &str, runtime: &str) -> &Self {
        dotnet::publish(&mut self.state(), sdk, runtime);
        self
    }

    /// Publishes a Rust release (`1.83.0`, dated `2024-11-28`) on the dist server: its
    /// channel manifests and component tarballs for linux and darwin, x64 and arm64;
    /// `stable` also makes it the stable channel's.
    pub fn rust(&self, version: &str, date: &str, stable: bool) -> &Self {
        rustdist::publish(&mut self.state(), version, date, stable);
        self
    }

    /// Publishes Erlang/OTP (`27.1.2`, erts `15.1.2`) in Hex's amd64 and arm64 Ubuntu 22.04
    /// build directories.
    pub fn otp(&self, version: &str, erts: &str) -> &Self {
        hexbuilds::otp(&mut self.state(), version, erts);
        self
    }

    /// Publishes Elixir (`1.17.3`) precompiled for OTP `major` (`27`) in Hex's builds.
    pub fn elixir(&self, version: &str, major: &str) -> &Self {
        hexbuilds::elixir(&mut self.state(), version, major);
        self
    }

    /// Publishes a Go version on go.dev/dl (JSON list, 302 to dl.google.com, `.sha256`).
    pub fn go<E: AsEntry>(&self, version: &str, files: &[E]) -> &Self {
        godev::publish(&mut self.state(), version, &archives::entries(files));
        self
    }

    /// The bytes served at `path` (a file, not a redirect).
    pub fn get_file(&self, path: &str) -> Vec<u8> {
        match self.state().files.get(path) {
            Some(File::Bytes { body, .. }) => body.clone(),
            other => panic!("no file at {path}: {other:?}"),
        }
    }

    /// Serves `body` at `path` (any other upstream file: go.dev, dl.k8s.io, ...).
    pub fn file(&self, path: &str, body: impl Into<Vec<u8>>) -> &Self {
        self.state().put(path, body.into(), "application/octet-stream");
        self
    }

    /// Serves a 302 from `path` to `to` (a path on this server).
    pub fn redirect(&self, path: &str, to: &str) -> &Self {
        self.state().files.insert(path.into(), File::Redirect(to.into()));
        self
    }

    /// Publishes a catalog tool's real release layout (jq, ripgrep, ruff, uv, node,
    /// shellcheck, terraform, go): the exact asset names for linux and darwin, x64 and arm64,
    /// each binary a script printing what the real `--version` prints.
    pub fn catalog_tool(&self, name: &str, version: &str) -> &Self {
        catalog::publish(self, name, version);
        self
    }

    /// Makes `path` (exact, or a prefix written `/x/*`) misbehave.
    pub fn fault(&self, path: &str, fault: Fault) -> &Self {
        self.state().faults.set(path, fault);
        self
    }

    pub fn clear_fault(&self, path: &str) -> &Self {
        self.state().faults.clear(path);
        self
    }

    /// How many requests reached `path` (decoded, without query).
    pub fn requests(&self, path: &str) -> usize {
        self.state().faults.requests_to(path).len()
    }

    /// The `Range` header of each request to `path`, in order.
    pub fn ranges(&self, path: &str) -> Vec<Option<String>> {
        self.state().faults.requests_to(path).iter().map(|r| r.header("range").map(str::to_string)).collect()
    }

    /// The requests to `path` (headers included: `authorization`, `accept`, ...).
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.state().faults.requests_to(path).into_iter().cloned().collect()
    }

    /// Every request target seen, in order (for debugging a failing test).
    pub fn log(&self) -> Vec<String> {
        self.state().faults.log.iter().map(|l| format!("{} {}", l.request.method, l.request.target)).collect()
    }

    /// The den user config pointing den at this server: `[sources]` for npm, PyPI and the
    /// GitHub API, and a `[mirrors]` prefix rewrite for each real host in [`HOSTS`].
    pub fn config_toml(&self) -> String {
        let base = self.base();
        let mut out = format!(
            "[sources]\nnpm = \"{base}/npm/\"\npypi = \"{base}/simple/\"\ngithub_api = \"{base}\"\n\n[mirrors]\n"
        );
        for host in HOSTS {
            out.push_str(&format!("\"https://{host}/\" = \"{base}/{host}/\"\n"));
        }
        out
    }

    /// Writes [`Self::config_toml`] where `den` run through `env` reads its user config.
    /// A home whose den talks to this upstream, and a trusted project with `toml`.
    pub fn project(&self, toml: &str) -> crate::support::Env {
        let env = crate::support::Env::new();
        self.write_config(&env);
        env.write("den.toml", toml);
        env.trust();
        env
    }

    pub fn write_config(&self, env: &crate::support::Env) {
        let dir = env.home().join(".config/den");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), self.config_toml()).unwrap();
    }
}

/// Answers one request: faults first, then the upstream the path belongs to.
fn route(state: &mut State, req: &Request) -> Response {
    let path = req.path.clone();
    let alias = match state.files.get(&path) {
        Some(File::Bytes { alias, .. }) => alias.clone(),
        _ => None,
    };
    state.faults.log.push(faults::Logged { path: path.clone(), alias: alias.clone(), request: req.clone() });
    if let Some(resp) = state.faults.before(&path) {
        return resp;
    }
    let api = path.strip_prefix("/api.github.com").unwrap_or(&path);
    let mut resp = if api.starts_with("/repos/") || api.starts_with("/repositories/") {
        github::api(state, req, api)
    } else if let Some(rest) = path.strip_prefix("/npm/") {
        npm::serve(state, req, rest)
    } else if path.starts_with("/simple") {
        pypi::serve(state, req)
    } else if let Some(rest) = path.strip_prefix("/api.adoptium.net/v3/") {
        adoptium::serve(state, req, rest)
    } else {
        match state.files.get(&path) {
            Some(File::Bytes { body, content_type, headers, .. }) => {
                let mut r = Response::file(content_type, body.clone());
                r.headers.extend(headers.iter().cloned());
                r
            }
            Some(File::Redirect(to)) => Response::redirect(302, &format!("{}{to}", state.base)),
            None => Response::new(404, "text/plain; charset=utf-8", "Not Found\n"),
        }
    };
    state.faults.after(&path, alias.as_deref(), &mut resp);
    resp
}

/// A `#!/usr/bin/env node` script of a fake npm package that prints `what` and which node
/// ran it.
pub fn npm_script(what: &str) -> String {
    format!("#!/usr/bin/env node\necho \"{what} by $DEN_TEST_NODE\"\n")
}
