//! Language runtimes with their homes: the variables a runtime's definition sets (`GOROOT`,
//! `GOTOOLCHAIN`, `GOPATH`, `JAVA_HOME`) seen through `den export --format json`, `den run`
//! and `den explain`, and the writable directories they name outside the read-only store;
//! java from a fake Adoptium API (`upstream::adoptium`), with its imports.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Env, Run, run};
use crate::upstream::{Entry, Upstream};

fn ok(env: &Env, args: &[&str]) -> Run {
    let out = run(env.den(), args);
    assert_eq!(out.code, 0, "den {args:?} failed:\n{}", out.stderr);
    out
}

/// den.lock as TOML.
fn lock(env: &Env) -> toml::Table {
    std::fs::read_to_string(env.project().join("den.lock")).unwrap().parse().unwrap()
}

/// This machine's platform as den spells it.
fn this_platform() -> String {
    let os = if cfg!(target_os = "macos") { "darwin" } else { "linux" };
    let arch = if cfg!(target_arch = "aarch64") { "arm64" } else { "x64" };
    format!("{os}-{arch}")
}

/// The store directory of `tool`'s artifact for this machine.
fn store_dir(env: &Env, tool: &str) -> PathBuf {
    let lock = lock(env);
    let checksum = lock["tools"][tool]["platforms"][this_platform().as_str()]["checksum"].as_str().unwrap();
    let hex = checksum.strip_prefix("sha256:").expect("a sha256 checksum");
    env.home().join(".local/share/den/tools-v1").join(format!("sha256-{}", &hex[..32]))
}

/// `den export --format json` as a map of name → value.
fn exported(env: &Env) -> serde_json::Map<String, Value> {
    let out = ok(env, &["export", "--format", "json"]);
    match serde_json::from_str(&out.stdout).unwrap() {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn text<'a>(vars: &'a serde_json::Map<String, Value>, name: &str) -> &'a str {
    vars.get(name).and_then(Value::as_str).unwrap_or_else(|| panic!("{name} not exported: {vars:?}"))
}

#[test]
fn go_gets_its_root_a_local_toolchain_and_writable_dirs_outside_the_store() {
    let up = Upstream::start();
    let go = "#!/bin/sh\necho \"GOROOT=$GOROOT GOTOOLCHAIN=$GOTOOLCHAIN GOPATH=$GOPATH GOBIN=$GOBIN\"\n";
    up.go("1.23.4", &[Entry::exe("bin/go", go), Entry::exe("bin/gofmt", "#!/bin/sh\n")]);
    let env = up.project("[tools]\ngo = \"1.23\"\n");
    ok(&env, &["install"]);
    let root = store_dir(&env, "go").join("go");
    let home = env.home().join(".local/share/den/homes-v1/go");

    let vars = exported(&env);
    assert_eq!(text(&vars, "GOROOT"), root.to_str().unwrap());
    assert_eq!(text(&vars, "GOTOOLCHAIN"), "local");
    assert_eq!(text(&vars, "GOPATH"), home.to_str().unwrap());
    assert_eq!(text(&vars, "GOBIN"), home.join("bin").to_str().unwrap());
    assert!(!text(&vars, "GOPATH").contains("tools-v1"), "GOPATH is in the store");

    // The program den runs sees the same values.
    let out = ok(&env, &["run", "--", "go"]);
    assert_eq!(
        out.stdout,
        format!(
            "GOROOT={} GOTOOLCHAIN=local GOPATH={} GOBIN={}/bin\n",
            root.display(),
            home.display(),
            home.display()
        )
    );

    // `den explain` names where they come from; den.toml's `[env]` overrides them.
    let out = ok(&env, &["explain", "GOTOOLCHAIN"]);
    assert!(out.stdout.contains("go in den.lock (den's definition of it)"), "{}", out.stdout);
    env.write(
        "den.toml",
        "[tools]\ngo = \"1.23\"\n\n[env]\nGOTOOLCHAIN = \"go1.23.4+auto\"\nGOFLAGS = \"-C=${GOROOT}\"\n",
    );
    env.trust();
    let vars = exported(&env);
    assert_eq!(text(&vars, "GOTOOLCHAIN"), "go1.23.4+auto");
    assert_eq!(text(&vars, "GOFLAGS"), format!("-C={}", root.display()));
}
