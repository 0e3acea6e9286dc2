//! den.lock as an attacker would write it (issue 8): the lock is read from the repository,
//! so it may narrow what den.toml allows but never widen it. Each test builds the crafted
//! lock itself and runs the real `den` against the fake upstreams.

use std::os::unix::fs::PermissionsExt;

use crate::install::{exported_path, install_ok, lock, project, run_tool, tool_dirs};
use crate::support::{Env, run};
use crate::upstream::Upstream;
use crate::upstream::archives::{self, Entry, script, sha256_hex};
use crate::upstream::github::Asset;

/// Writes the project's den.lock.
fn write_lock(env: &Env, text: &str) {
    std::fs::write(env.project().join("den.lock"), text).unwrap();
}

/// An executable the attacker ships in the repository.
fn planted(env: &Env, rel: &str) -> std::path::PathBuf {
    let path = env.write(rel, "#!/bin/sh\necho owned\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn bin_entries_outside_the_tool_directory_never_reach_path() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&env);
    let honest = lock(&env);
    assert!(honest.contains("bin = [\"jq\"]"), "{honest}");
    let hidden = planted(&env, ".hidden/git");
    let absolute = hidden.to_str().unwrap().to_string();
    for evil in ["../../../../proc/self/cwd/.hidden/git", absolute.as_str()] {
        write_lock(&env, &honest.replace("bin = [\"jq\"]", &format!("bin = [\"{evil}\"]")));
        for args in [
            &["install"][..],
            &["export", "--format", "json"],
            &["run", "--", "sh", "-c", "echo PATH=$PATH"],
            &["which", "git"],
        ] {
            let out = run(env.den(), args);
            assert_ne!(out.code, 0, "den {args:?} accepted bin `{evil}`:\n{}", out.stdout);
            assert!(!out.stdout.contains(".hidden"), "den {args:?} put `{evil}` on PATH:\n{}", out.stdout);
            assert!(
                out.stderr.contains("den.lock:")
                    && out
                        .stderr
                        .contains(&format!("`bin` entry `{evil}` is not a path inside the tool's directory")),
                "den {args:?}: {}",
                out.stderr
            );
            assert!(out.stderr.contains("run `den install` to write it again"), "{}", out.stderr);
        }
    }
}

/// This machine's platform as den spells it.
fn this_platform() -> String {
    let os = if cfg!(target_os = "macos") { "darwin" } else { "linux" };
    let arch = if cfg!(target_arch = "aarch64") { "arm64" } else { "x64" };
    format!("{os}-{arch}")
}

#[test]
fn a_lock_that_disagrees_with_den_toml_pins_is_refused_and_installs_nothing() {
    let up = Upstream::start();
    let genuine = archives::build("t.tar.gz", &[Entry::exe("mytool/mytool", script("mytool 2.1.0"))]);
    let evil = archives::build("t.tar.gz", &[Entry::exe("mytool/mytool", script("owned"))]);
    let genuine_path = format!("/downloads.example/mytool-2.1.0-{}.tar.gz", this_platform());
    let evil_path = "/downloads.example/other-9.9.9.tar.gz";
    up.file(&genuine_path, genuine.clone()).file(evil_path, evil.clone());
    let toml = format!(
        "[tools]\nmytool = {{ version = \"2.1.0\", url = \"{}/downloads.example/mytool-{{version}}-{{os}}-{{arch}}.tar.gz\", \
         sha256 = \"{}\", bin = [\"mytool/mytool\"] }}\n",
        up.base(),
        sha256_hex(&genuine)
    );
    let honest = lock(&{
        let env = project(&up, &toml);
        install_ok(&env);
        env
    });
    let (genuine_sha, evil_sha) = (sha256_hex(&genuine), sha256_hex(&evil));
    assert!(honest.contains(&up.url(&genuine_path)) && honest.contains(&genuine_sha), "{honest}");
    let both = honest.replace(&up.url(&genuine_path), &up.url(evil_path)).replace(&genuine_sha, &evil_sha);
    let url_only = honest.replace(&up.url(&genuine_path), &up.url(evil_path));
    let sum_only = honest.replace(&genuine_sha, &evil_sha);
    for (crafted, named) in [
        (&both, vec![up.url(evil_path), up.url(&genuine_path), evil_sha.clone(), genuine_sha.clone()]),
        (&url_only, vec![up.url(evil_path), up.url(&genuine_path)]),
        (&sum_only, vec![evil_sha.clone(), genuine_sha.clone()]),
    ] {
        let victim = project(&up, &toml);
        write_lock(&victim, crafted);
        for args in [
            &["install"][..],
            &["install", "--frozen"],
            &["export", "--format", "json"],
            &["run", "--", "mytool"],
        ] {
            let out = run(victim.den(), args);
            assert_ne!(out.code, 0, "den {args:?} honoured the crafted lock:\n{}", out.stdout);
            let first = out.stderr.lines().next().unwrap_or_default();
            assert!(
                first.starts_with(&format!(
                    "den: {} pins what den.toml does not allow: `mytool` is locked",
                    victim.project().join("den.lock").display()
                )),
                "den {args:?}: {}",
                out.stderr
            );
            for value in &named {
                assert!(first.contains(value.as_str()), "den {args:?} does not name {value}: {first}");
            }
            assert!(out.stderr.contains("run `den upgrade mytool`"), "{}", out.stderr);
            assert!(!out.stdout.contains("owned"), "{}", out.stdout);
        }
        assert_eq!(tool_dirs(&victim), Vec::<String>::new(), "den installed something");
        assert_eq!(up.requests(evil_path), 0, "den downloaded the crafted lock's artifact");
        assert_eq!(lock(&victim), *crafted, "a refused lock is left as it was");
    }

    // The way out the message gives: den resolves again from den.toml.
    let victim = project(&up, &toml);
    write_lock(&victim, &both);
    let out = run(victim.den(), &["upgrade", "mytool"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(lock(&victim), honest);
    assert_eq!(run_tool(&victim, "mytool"), "mytool 2.1.0");
}

#[test]
fn a_locked_version_outside_the_spec_is_refused() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("jq", "1.6");
    let env = project(&up, "[tools]\njq = \"1.6\"\n");
    install_ok(&env);
    let old = lock(&env);
    // The genuine jq 1.7.1 artifact, but den.toml asks for 1.6.
    let newer = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&newer);
    let crafted = lock(&newer).replace("spec = \"1.7\"", "spec = \"1.6\"");
    assert_ne!(crafted, old);
    write_lock(&env, &crafted);
    let out = run(env.den(), &["install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("`jq` is locked at 1.7.1, which the requested `1.6` does not accept"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_locked_tool_den_toml_does_not_declare_never_reaches_path() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1");
    let env = project(&up, "[tools]\njq = \"1.7\"\n");
    install_ok(&env);
    // ripgrep is in the shared store, installed for another project of the same user.
    let other = env.tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("den.toml"), "[tools]\nripgrep = \"14\"\n").unwrap();
    assert_eq!(run(env.den_in(&other), &["trust"]).code, 0);
    assert_eq!(run(env.den_in(&other), &["install"]).code, 0);
    let rg = std::fs::read_to_string(other.join("den.lock")).unwrap();
    let entry = rg[rg.find("[tools.ripgrep]").unwrap()..].replace("[tools.ripgrep", "[tools.git");
    assert!(entry.contains("/rg\"]"), "{entry}");
    write_lock(&env, &format!("{}\n{entry}", lock(&env)));

    let path = exported_path(&env);
    assert!(!path.contains("ripgrep-14.1.1"), "an undeclared tool reached PATH: {path}");
    let out = run(env.den(), &["run", "--", "sh", "-c", "command -v rg || echo none"]);
    assert_eq!((out.code, out.stdout.trim()), (0, "none"), "{}", out.stderr);
    install_ok(&env);
    assert!(!lock(&env).contains("[tools.git"), "den install keeps an undeclared tool:\n{}", lock(&env));
}

/// A home whose den talks to `up`, with a project that has only a `.nvmrc` (no trust needed).
fn nvmrc_project(up: &Upstream, lock: Option<&str>) -> Env {
    let env = Env::new();
    up.write_config(&env);
    env.write(".nvmrc", "22\n");
    if let Some(text) = lock {
        write_lock(&env, text);
    }
    env
}

/// The store directory of an artifact whose sha256 is `hex`.
fn store_dir(env: &Env, hex: &str) -> String {
    crate::install::store(env).join("tools-v1").join(format!("sha256-{}", &hex[..32])).display().to_string()
}

/// The lock den keeps in its own state for the foreign-files project of `env`.
pub fn state_lock(env: &Env) -> String {
    let dir = crate::install::store(env).join("foreign-locks-v1");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path().join("den.lock"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    std::fs::read_to_string(found.remove(0)).unwrap()
}

/// The lock a real install wrote for a `.nvmrc` project, and the same lock pointing at an
/// attacker's build of node served beside the genuine one (with the same layout).
fn honest_and_crafted(up: &Upstream) -> (String, String, Vec<u8>, String) {
    let plat = this_platform();
    let top = format!("node-v22.11.0-{plat}");
    let dist = "/nodejs.org/dist/v22.11.0";
    let evil = archives::build("t.tar.xz", &[Entry::exe(&format!("{top}/bin/node"), script("owned"))]);
    let evil_path = format!("{dist}/node-evil.tar.xz");
    up.file(&evil_path, evil.clone());
    let honest_env = nvmrc_project(up, None);
    let out = run(honest_env.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !honest_env.project().join("den.lock").exists(),
        "den wrote a den.lock into a repository that does not use den"
    );
    let honest = state_lock(&honest_env);
    let table: toml::Table = honest.parse().unwrap();
    let checksum = table["tools"]["node"]["platforms"][plat.as_str()]["checksum"].as_str().unwrap();
    let genuine_sha = checksum.trim_start_matches("sha256:").to_string();
    let crafted =
        honest.replace(&format!("{dist}/{top}.tar.xz"), &evil_path).replace(&genuine_sha, &sha256_hex(&evil));
    assert_ne!(crafted, honest);
    (honest, crafted, evil, genuine_sha)
}

#[test]
fn a_lock_beside_foreign_files_only_is_never_read_nor_rewritten() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let (honest, crafted, evil, genuine_sha) = honest_and_crafted(&up);
    let evil_path = "/nodejs.org/dist/v22.11.0/node-evil.tar.xz";

    let victim = nvmrc_project(&up, Some(&crafted));
    let out = run(victim.den(), &["run", "--", "node", "--version"]);
    assert_eq!((out.code, out.stdout.trim()), (0, "v22.11.0"), "{}", out.stderr);
    let out = run(victim.den(), &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let planted = victim.project().join("den.lock");
    assert!(
        out.stderr.contains(&format!(
            "den: {} is not read: without a den.toml, den keeps this project's lock in its own state",
            planted.display()
        )),
        "{}",
        out.stderr
    );
    assert_eq!(up.requests(evil_path), 0, "den downloaded the crafted artifact");
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), crafted, "den rewrote the repository's file");
    assert_eq!(state_lock(&victim), honest, "den's own lock holds den's own resolution");
    let path = exported_path(&victim);
    assert!(!path.contains(&store_dir(&victim, &sha256_hex(&evil))), "{path}");
    assert!(path.contains(&store_dir(&victim, &genuine_sha)), "{path}");
    // Locked in den's state: later commands use it with no network at all.
    let before = up.log().len();
    assert_eq!(run(victim.den(), &["install"]).code, 0);
    assert_eq!(run_tool(&victim, "node"), "v22.11.0");
    assert_eq!(up.log().len(), before, "{:?}", &up.log()[before..]);
}

#[test]
fn the_hook_with_auto_install_installs_den_s_own_resolution_not_the_crafted_lock() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let (honest, crafted, evil, genuine_sha) = honest_and_crafted(&up);
    let victim = nvmrc_project(&up, Some(&crafted));
    let config = victim.home().join(".config/den/config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("auto_install = true\n{text}")).unwrap();
    // What the hook runs at the prompt after `cd`.
    let out = run(victim.den(), &["export", "bash"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(&store_dir(&victim, &genuine_sha)), "{}", out.stdout);
    assert!(!out.stdout.contains(&store_dir(&victim, &sha256_hex(&evil))), "{}", out.stdout);
    assert_eq!(up.requests("/nodejs.org/dist/v22.11.0/node-evil.tar.xz"), 0);
    assert_eq!(std::fs::read_to_string(victim.project().join("den.lock")).unwrap(), crafted);
    assert_eq!(state_lock(&victim), honest);
}

#[test]
fn a_built_in_url_template_tool_is_held_to_its_template() {
    let up = Upstream::start();
    up.catalog_tool("terraform", "1.9.8");
    let env = project(&up, "[tools]\nterraform = \"1.9\"\n");
    install_ok(&env);
    let honest = lock(&env);
    let evil = archives::build("t.zip", &[Entry::exe("terraform", script("owned"))]);
    up.file("/releases.hashicorp.com/terraform/1.9.8/terraform_evil.zip", evil.clone());
    let table: toml::Table = honest.parse().unwrap();
    let locked = &table["tools"]["terraform"]["platforms"][this_platform().as_str()];
    let url = locked["url"].as_str().unwrap();
    let sha = locked["checksum"].as_str().unwrap().trim_start_matches("sha256:");
    let evil_url = "https://releases.hashicorp.com/terraform/1.9.8/terraform_evil.zip";
    let victim = project(&up, "[tools]\nterraform = \"1.9\"\n");
    write_lock(&victim, &honest.replace(url, evil_url).replace(sha, &sha256_hex(&evil)));
    let out = run(victim.den(), &["install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("`terraform` is locked to download `{evil_url}`, its source gives `{url}`")),
        "{}",
        out.stderr
    );
    assert_eq!(tool_dirs(&victim), Vec::<String>::new());
}

/// The attacker's release of another repository on the same GitHub, and the victim's lock
/// pointing at it: refused before any download, naming both URLs and the way out.
fn assert_other_repo_refused(up: &Upstream, toml: &str, tool: &str, evil_path: &str, gives: &str) {
    let env = project(up, toml);
    install_ok(&env);
    let honest = lock(&env);
    let table: toml::Table = honest.parse().unwrap();
    let locked = &table["tools"][tool]["platforms"][this_platform().as_str()];
    let url = locked["url"].as_str().unwrap();
    let sum = locked["checksum"].as_str().unwrap();
    let evil = archives::build("t.tar.gz", &[Entry::exe(&format!("{tool}/{tool}"), script("owned"))]);
    up.file(evil_path, evil.clone());
    let evil_url = up.url(evil_path);
    let crafted = honest.replace(url, &evil_url).replace(sum, &format!("sha256:{}", sha256_hex(&evil)));
    let victim = project(up, toml);
    write_lock(&victim, &crafted);
    for args in [&["install"][..], &["install", "--frozen"], &["run", "--", tool]] {
        let out = run(victim.den(), args);
        assert_ne!(out.code, 0, "den {args:?} honoured the crafted lock:\n{}", out.stdout);
        let first = out.stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "den: {} pins what den.toml does not allow: `{tool}` is locked to download `{evil_url}`, \
                 its source gives `",
                victim.project().join("den.lock").display()
            )) && first.ends_with(&format!("{gives}…`")),
            "den {args:?}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(&format!("run `den upgrade {tool}`")), "{}", out.stderr);
        assert!(!out.stdout.contains("owned"), "{}", out.stdout);
    }
    assert_eq!(up.requests(evil_path), 0, "den downloaded the crafted lock's artifact");
    assert_eq!(tool_dirs(&victim), Vec::<String>::new(), "den installed something");
    assert_eq!(lock(&victim), crafted, "a refused lock is left as it was");
}

#[test]
fn a_github_tool_is_held_to_its_repository() {
    let up = Upstream::start();
    let assets: Vec<Asset> = ["linux-x86_64", "linux-aarch64", "darwin-arm64", "darwin-x86_64"]
        .iter()
        .map(|p| {
            Asset::archive(
                &format!("mytool-{p}.tar.gz"),
                &[Entry::exe("mytool/mytool", script("mytool 1.0.0"))],
            )
        })
        .collect();
    up.github_release("acme/mytool", "v1.0.0", &assets);
    let toml =
        "[tools]\nmytool = { version = \"1\", source = \"github:acme/mytool\", bin = [\"mytool/mytool\"] }\n";
    // The same asset name, in the attacker's fork on the same host.
    let evil_path = up.github_download_path("evil/mytool", "v1.0.0", "mytool-linux-x86_64.tar.gz");
    let gives = format!("{}/acme/mytool/releases/download/", up.base());
    assert_other_repo_refused(&up, toml, "mytool", &evil_path, &gives);
    // Same owner, another repository.
    let evil_path = up.github_download_path("acme/other", "v1.0.0", "mytool.tar.gz");
    assert_other_repo_refused(&up, toml, "mytool", &evil_path, &gives);
}

#[test]
fn a_built_in_github_tool_is_held_to_its_repository() {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1");
    let evil_path = up.github_download_path("evil/jq", "jq-1.7.1", "jq-linux-amd64");
    let gives = format!("{}/jqlang/jq/releases/download/", up.base());
    assert_other_repo_refused(&up, "[tools]\njq = \"1.7\"\n", "jq", &evil_path, &gives);
}

#[test]
fn an_npm_tool_is_held_to_its_package_in_the_configured_registry() {
    let up = Upstream::start();
    let json = r#"{"name":"@acme/cli-linux-x64","version":"1.9.4","bin":{"acme":"bin/acme"}}"#;
    let files = [Entry::file("package.json", json, 0o644), Entry::exe("bin/acme", script("Version: 1.9.4"))];
    up.npm("@acme/cli-linux-x64", "1.9.4", &files);
    up.npm("@evil/cli-linux-x64", "1.9.4", &files);
    let toml = "[tools]\nacme = { version = \"1.9\", source = \"npm:@acme/cli-{os}-{arch}\" }\n";
    let gives = format!("{}/npm/@acme/cli-linux-x64/-/", up.base());
    let evil_path = up.npm_tarball_path("@evil/cli-linux-x64", "1.9.4");
    assert_other_repo_refused(&up, toml, "acme", &evil_path, &gives);
}

#[test]
fn a_pypi_wheel_is_held_to_the_index_s_own_file() {
    let up = Upstream::start();
    let scripts = [Entry::exe("acme_lint-3.1.0.data/scripts/acme-lint", script("acme-lint 3.1.0"))];
    for tag in ["py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64", "py3-none-manylinux_2_17_aarch64"] {
        up.pypi_wheel("acme-lint", "3.1.0", tag, &scripts);
    }
    up.pypi_wheel("acme-lint", "3.1.0", "py3-none-macosx_11_0_arm64", &scripts);
    let toml = "[tools]\nacme-lint = { version = \"3\", source = \"pypi:acme-lint\" }\n";
    let env = project(&up, toml);
    install_ok(&env);
    let honest = lock(&env);
    let table: toml::Table = honest.parse().unwrap();
    let locked = &table["tools"]["acme-lint"]["platforms"][this_platform().as_str()];
    let (url, sum) = (locked["url"].as_str().unwrap(), locked["checksum"].as_str().unwrap());
    let file = url.rsplit('/').next().unwrap();

    // The same wheel name on another server, with that other file's checksum.
    let evil_up = Upstream::start();
    let evil =
        archives::build(file, &[Entry::exe("acme_lint-3.1.0.data/scripts/acme-lint", script("owned"))]);
    let evil_path = format!("/packages/{file}");
    evil_up.file(&evil_path, evil.clone());
    let evil_url = evil_up.url(&evil_path);
    let crafted = honest.replace(url, &evil_url).replace(sum, &format!("sha256:{}", sha256_hex(&evil)));
    let victim = project(&up, toml);
    write_lock(&victim, &crafted);
    for args in [&["install"][..], &["install", "--frozen"], &["run", "--", "acme-lint"]] {
        let out = run(victim.den(), args);
        assert_ne!(out.code, 0, "den {args:?} honoured the crafted lock:\n{}", out.stdout);
        assert!(!out.stdout.contains("owned"), "{}", out.stdout);
        let mut lines = out.stderr.lines();
        let first = lines.next().unwrap_or_default();
        assert!(
            first.starts_with(&format!(
                "den: {} locks `acme-lint` to download `{evil_url}`, which must be the PyPI index's \
                 own file, and the index serves `{file}` from `{url}`",
                victim.project().join("den.lock").display()
            )),
            "den {args:?}: {}",
            out.stderr
        );
        assert!(
            lines.next().unwrap_or_default().starts_with("help: run `den upgrade acme-lint`"),
            "{}",
            out.stderr
        );
    }
    assert_eq!(evil_up.requests(&evil_path), 0, "den downloaded the crafted lock's wheel");
    assert_eq!(tool_dirs(&victim), Vec::<String>::new(), "den installed something");
    assert_eq!(lock(&victim), crafted, "a refused lock is left as it was");

    // The honest lock, committed with the project, installs on another machine.
    let teammate = project(&up, toml);
    write_lock(&teammate, &honest);
    install_ok(&teammate);
    assert_eq!(run_tool(&teammate, "acme-lint"), "acme-lint 3.1.0");
    assert_eq!(lock(&teammate), honest);

    // Offline nothing is downloaded, so no lock URL is ever used: with nothing in the
    // user's own caches the install fails for want of the bytes, one line, nothing installed.
    let offline = project(&up, toml);
    write_lock(&offline, &honest);
    let out = run(offline.den(), &["--offline", "install"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.starts_with("den: "), "{}", out.stderr);
    assert_eq!(tool_dirs(&offline), Vec::<String>::new(), "den installed something");
}
