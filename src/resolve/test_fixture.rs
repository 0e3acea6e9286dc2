//! Test support for the resolver: a local server (the HTTP layer's test server) answering
//! per path what each test sets, and a resolver whose `[mirrors]` point the catalog's real
//! upstream URLs at it. Registry hosts are placeholders; none is ever named.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;

pub use den_test_server::{Request, Response, Server};

use super::*;
use crate::catalog::{Arch, Os, Platform};
use crate::config::{Config, Sources};
use crate::http::{Client, Settings};
use crate::project::{Location, ToolRequest};

pub const LX: Platform = Platform { os: Os::Linux, arch: Arch::X64 };
pub const LA: Platform = Platform { os: Os::Linux, arch: Arch::Arm64 };
pub const DA: Platform = Platform { os: Os::Darwin, arch: Arch::Arm64 };

/// A payload shaped like a real upstream's, from `tests/fixtures/upstreams/` in the
/// repository. A missing or unreadable fixture fails the test, naming the file.
pub fn sample(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstreams").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

type Routes = Arc<Mutex<HashMap<String, (u16, Vec<(&'static str, String)>, String)>>>;

/// The fake upstreams and a resolver pointed at them.
pub struct Fixture {
    pub server: Server,
    routes: Routes,
    pub cache: tempfile::TempDir,
    pub host: Host,
    pub token: Option<String>,
    pub offline: bool,
}

impl Fixture {
    pub fn new() -> Fixture {
        let routes: Routes = Arc::default();
        let seen = routes.clone();
        let server = Server::start(move |req: &Request, _| {
            let path = req.line.split_whitespace().nth(1).unwrap_or_default().to_string();
            match seen.lock().unwrap().get(&path) {
                Some((200, headers, body)) if headers.is_empty() => Response::body(body.clone().into_bytes()),
                Some((code, headers, body)) => Response::status(*code, headers.clone(), body.clone()),
                None => Response::status(404, vec![], "{\"message\":\"Not Found\"}".into()),
            }
        });
        Fixture {
            server,
            routes,
            cache: tempfile::tempdir().unwrap(),
            host: Host { platform: Some(LX), libc: Some(Libc::Glibc(2, 36)) },
            token: None,
            offline: false,
        }
    }

    /// Serves `body` at `path` (with the query) with 200.
    pub fn at(&self, path: &str, body: impl Into<String>) -> &Self {
        self.reply(path, 200, vec![], body)
    }

    pub fn reply(
        &self,
        path: &str,
        code: u16,
        headers: Vec<(&'static str, String)>,
        body: impl Into<String>,
    ) -> &Self {
        self.routes.lock().unwrap().insert(path.to_string(), (code, headers, body.into()));
        self
    }

    /// The request paths the server saw.
    pub fn paths(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .map(|r| r.line.split_whitespace().nth(1).unwrap_or_default().to_string())
            .collect()
    }

    pub fn config(&self) -> Config {
        let mut mirrors = IndexMap::new();
        for (upstream, local) in [
            ("https://nodejs.org/dist/", "/node/"),
            ("https://go.dev/dl/", "/go/"),
            ("https://dl.google.com/go/", "/dlgo/"),
            ("https://github.com/", "/gh/"),
            ("https://ziglang.org/download/", "/zig/"),
            ("https://releases.hashicorp.com/", "/hashicorp/"),
        ] {
            mirrors.insert(upstream.to_string(), self.server.url(local));
        }
        Config {
            sources: Sources {
                npm: Some(self.server.url("/npm/")),
                pypi: Some(self.server.url("/simple/")),
                github_api: Some(self.server.url("/api")),
            },
            mirrors,
            ..Config::default()
        }
    }

    pub fn resolver(&self) -> Resolver {
        let mut settings = Settings::from_lookup(self.offline, &|_| None, self.cache.path().to_path_buf());
        settings.attempts = 1;
        let discovery = Discovery {
            var: Box::new(|_| None),
            home: None,
            project: None,
            root: self.cache.path().join("no-root"),
            run: Box::new(|_, _| None),
        };
        Resolver::with_parts(
            Client::new(settings),
            &self.config(),
            discovery,
            None,
            self.token.clone(),
            self.host,
        )
    }
}

/// A den.toml request `name = "version"`.
pub fn req(name: &str, version: &str) -> ToolRequest {
    ToolRequest {
        name: name.into(),
        version: version.into(),
        source: None,
        url: None,
        sha256: None,
        bin: Vec::new(),
        at: Location { file: "den.toml".into(), line: 1 },
    }
}

/// `name = { version, source }`.
pub fn req_from(name: &str, version: &str, source: &str) -> ToolRequest {
    ToolRequest { source: Some(source.into()), ..req(name, version) }
}
