//! `--json` on `den ls` and `den outdated`: the documented shapes, parsed with serde_json
//! (`den explain`, `den cache ls` and `den doctor` have theirs in their own test files).

use serde_json::{Value, json};

use crate::support::run;
use crate::upstream::{Fault, Upstream};

fn parse(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn ls_json_lists_each_tool_with_spec_lock_and_install() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[tools]\njq = \"1.7\"\n");
    assert_eq!(run(env.den(), &["install"]).code, 0);
    env.write("den.toml", "[tools]\njq = \"1.7\"\nripgrep = \"14\"\n");
    let out = run(env.den(), &["ls", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = parse(&out.stdout);
    let dir = json["tools"][0]["dir"].as_str().unwrap().to_string();
    assert!(dir.contains("/tools-v1/sha256-"), "{dir}");
    assert_eq!(
        json,
        json!({"tools": [
            {"name": "jq", "spec": "1.7", "locked": "1.7.1", "installed": true, "dir": dir},
            {"name": "ripgrep", "spec": "14", "locked": null, "installed": false, "dir": null},
        ]})
    );
}

#[test]
fn outdated_json_gives_locked_wanted_latest_and_errors() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = up.project("[tools]\njq = \"1.7\"\nripgrep = \"14\"\n");
    assert_eq!(run(env.den(), &["install"]).code, 0);
    up.catalog_tool("jq", "1.7.2").catalog_tool("jq", "1.8.0");
    let out = run(env.den(), &["outdated", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        parse(&out.stdout),
        json!({"tools": [
            {"name": "jq", "spec": "1.7", "locked": "1.7.1", "wanted": "1.7.2", "latest": "1.8.0", "error": null},
            {"name": "ripgrep", "spec": "14", "locked": "14.1.1", "wanted": "14.1.1", "latest": "14.1.1", "error": null},
        ]})
    );
    up.fault("/repos/BurntSushi/ripgrep/*", Fault::RateLimited);
    let out = run(env.den(), &["outdated", "--json"]);
    assert_eq!(out.code, 1);
    let json = parse(&out.stdout);
    let rg = &json["tools"][1];
    assert_eq!((rg["wanted"].clone(), rg["latest"].clone()), (Value::Null, Value::Null));
    assert!(rg["error"].as_str().unwrap().contains("rate limit"), "{rg}");
    assert_eq!(json["tools"][0]["error"], Value::Null);
}
