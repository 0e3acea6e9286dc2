//! Live resolution against the machine's configured npm registry and PyPI index (found by
//! discovery, never written here), run only with `DEN_LIVE_TESTS=1`. Resolve only: nothing
//! is downloaded.

use super::*;
use crate::catalog::Platform;
use crate::project::{Location, ToolRequest};
use crate::store::http::{Client, Settings};

fn live() -> Option<Resolver> {
    if std::env::var(crate::env_vars::DEN_LIVE_TESTS).ok().as_deref() != Some("1") {
        eprintln!("skipped: set DEN_LIVE_TESTS=1 to run the live resolver tests");
        return None;
    }
    let config = crate::config::load().expect("den config");
    Some(Resolver::new(Client::new(Settings::from_env(false).with_config(&config)), &config, None))
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
    let Some(resolver) = live() else { return };
    let platform = Platform::current().unwrap();
    let r = resolver.resolve(&request("ruff", "0.6.9", "pypi:ruff"), &[platform]).unwrap();
    let a = &r.artifacts[&platform];
    assert_eq!(r.version, "0.6.9");
    assert!(a.url.ends_with(".whl") && a.checksum.starts_with("sha256:"), "{a:?}");
}

#[test]
fn biome_from_npm() {
    let Some(resolver) = live() else { return };
    let platform = Platform::current().unwrap();
    // The platform packages declare no `bin`: den.toml names it, as the catalog's fallback does.
    let req = ToolRequest {
        bin: vec!["package/biome".into()],
        ..request("biome", "2", "npm:@biomejs/cli-{os}-{arch}")
    };
    let r = resolver.resolve(&req, &[platform]).unwrap();
    let a = &r.artifacts[&platform];
    assert!(r.version.starts_with("2."), "{}", r.version);
    assert!(a.url.ends_with(".tgz") && a.checksum.starts_with("sha512-"), "{a:?}");
    assert_eq!(a.bin, ["package/biome"]);
}
