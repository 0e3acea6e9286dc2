//! Live resolution against the machine's configured npm registry and PyPI index (found by
//! discovery, never written here). Resolve only: nothing is downloaded. An unreachable
//! registry fails the test; `DEN_TEST_SKIP_LIVE=1` skips these tests, saying so.

use super::*;
use crate::catalog::Platform;
use crate::http::Client;
use crate::project::{Location, ToolRequest};

/// The user's opt-out of the tests that need the real registries.
const SKIP_LIVE: &str = "DEN_TEST_SKIP_LIVE";

/// A resolver with this machine's npm and pip configuration, or `None` (saying so) when the
/// user opted out of the live tests. None of den's own variables (`DEN_NPM_REGISTRY`,
/// `DEN_HOME`, …) of the shell running the tests, and no cache in den's directories: the
/// caches go to the returned temp dir, so a test never writes where the user's den keeps
/// things (the integration tests' live `den` is given the same environment).
fn live() -> Option<(Resolver, tempfile::TempDir)> {
    if std::env::var(SKIP_LIVE).as_deref() == Ok("1") {
        let test = std::thread::current().name().unwrap_or("live test").to_string();
        eprintln!("skipped: {test}: it needs the package registries ({SKIP_LIVE}=1)");
        return None;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let machine = |name: &str| std::env::var(name).ok().filter(|_| !name.starts_with("DEN_"));
    let settings = crate::http::Settings::from_lookup(false, &machine, tmp.path().join("http"));
    let mut discovery = registry::Discovery::system(None);
    discovery.var = Box::new(|name| crate::helper_env::var(name).filter(|_| !name.starts_with("DEN_")));
    discovery.run = Box::new(registry::helper_output);
    let config = crate::config::Config::default();
    let resolver =
        Resolver::with_parts(Client::new(settings), &config, discovery, None, None, Host::current())
            .remembering(unreachable::Memory::at(&tmp.path().join("unreachable")));
    Some((resolver, tmp))
}

/// What `resolve` gave; a failure names the registry these tests need.
fn resolved(result: Result<Resolved, Error>, what: &str) -> Resolved {
    result.unwrap_or_else(|e| {
        panic!("resolving {what} failed (this test needs a reachable package registry; {SKIP_LIVE}=1 skips it): {e}")
    })
}

fn request(name: &str, version: &str, source: &str) -> ToolRequest {
    ToolRequest {
        name: name.into(),
        version: version.into(),
        source: Some(source.into()),
        url: None,
        sha256: None,
        bin: Vec::new(),
        at: Location { file: "den.toml".into(), line: 1 },
    }
}

#[test]
fn ruff_from_pypi() {
    let Some((resolver, _tmp)) = live() else { return };
    let platform = Platform::current().unwrap();
    let r = resolved(resolver.resolve(&request("ruff", "0.6.9", "pypi:ruff"), &[platform]), "ruff");
    let a = &r.artifacts[&platform];
    assert_eq!(r.version, "0.6.9");
    assert!(a.url.ends_with(".whl") && a.checksum.starts_with("sha256:"), "{a:?}");
}

#[test]
fn biome_from_npm() {
    let Some((resolver, _tmp)) = live() else { return };
    let platform = Platform::current().unwrap();
    // The platform packages declare no `bin`: den.toml names it, as the catalog's fallback does.
    let req = ToolRequest {
        bin: vec!["package/biome".into()],
        ..request("biome", "2", "npm:@biomejs/cli-{os}-{arch}")
    };
    let r = resolved(resolver.resolve(&req, &[platform]), "biome");
    let a = &r.artifacts[&platform];
    assert!(r.version.starts_with("2."), "{}", r.version);
    assert!(a.url.ends_with(".tgz") && a.checksum.starts_with("sha512-"), "{a:?}");
    assert_eq!(a.bin, ["package/biome"]);
}
