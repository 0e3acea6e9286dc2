//! The team cache against a real OCI registry on 127.0.0.1 (Debian's `docker-registry`, the
//! CNCF distribution registry, started here with its own config and storage in a temp dir,
//! anonymous and with htpasswd authentication), and a directory cache served over HTTP by
//! the fake server. Artifacts come from the fake upstreams; afterwards the upstreams are
//! unreachable (the mirrors point at a closed port), so an install that succeeds got
//! everything from the cache, verified against den.lock.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::install::{install_ok, project, run_tool, tool_dirs};
use crate::prereq;
use crate::support::{Env, Run, run};
use crate::upstream::{Entry, Upstream, script};

/// A registry process, killed (and waited for) when dropped, even when the test fails.
struct Registry {
    child: Child,
    port: u16,
    tmp: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    /// Starts `docker-registry` on a free loopback port; with `user`, htpasswd auth.
    fn start(user: Option<(&str, &str)>) -> Option<Registry> {
        let program = prereq::program("docker-registry")?;
        let tmp = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: 127.0.0.1:{port}\n",
            tmp.path().join("data").display()
        );
        if let Some((name, password)) = user {
            let htpasswd = prereq::program("htpasswd")?;
            let out = Command::new(htpasswd).args(["-nbB", name, password]).output().unwrap();
            assert!(out.status.success(), "htpasswd failed");
            std::fs::write(tmp.path().join("htpasswd"), &out.stdout).unwrap();
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: den-test\n    path: {}\n",
                tmp.path().join("htpasswd").display()
            ));
        }
        let config_path = tmp.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        // Nothing from the outer environment: the registry reads any `REGISTRY_*` variable
        // (`REGISTRY_AUTH_FILE`, containers' credentials file) as its own configuration.
        let child = Command::new(program)
            .env_clear()
            .args(["serve", config_path.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let registry = Registry { child, port, tmp };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "docker-registry did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(registry)
    }

    fn url(&self) -> String {
        format!("oci://127.0.0.1:{}/team/den", self.port)
    }

    /// The registry's stored copy of the blob with this sha256.
    fn blob_file(&self, hex: &str) -> PathBuf {
        self.tmp.path().join(format!("data/docker/registry/v2/blobs/sha256/{}/{hex}/data", &hex[..2]))
    }
}

/// Release assets pinned by sha256, and an npm package pinned by its sha512 integrity
/// (which a registry finds through the manifest, not by digest).
const TOML: &str = "[tools]\njq = \"1.7.1\"\nripgrep = \"14\"\nnode = \"22\"\n\
                    esbuild = { version = \"0.24\", source = \"npm:@esbuild/{os}-{arch}\" }\n";
const TOOLS: [&str; 4] = ["jq 1.7.1", "ripgrep 14.1.1", "node 22.11.0", "esbuild 0.24.2"];

/// A project installed from the fake upstreams.
fn pushed_project() -> (Upstream, Env) {
    let up = Upstream::start();
    up.catalog_tool("jq", "1.7.1").catalog_tool("ripgrep", "14.1.1").catalog_tool("node", "22.11.0");
    for plat in ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"] {
        up.npm(&format!("@esbuild/{plat}"), "0.24.2", &[Entry::exe("bin/esbuild", script("0.24.2"))]);
    }
    let env = project(&up, TOML);
    install_ok(&env);
    (up, env)
}

/// A fresh home with `from`'s den.toml and den.lock, a user config of `config`, trusted.
fn fresh(from: &Env, config: &str) -> Env {
    let env = Env::new();
    for file in ["den.toml", "den.lock"] {
        std::fs::copy(from.project().join(file), env.project().join(file)).unwrap();
    }
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    env.trust();
    env
}

/// The upstreams' user config, with the upstream server stopped: its port is closed, so
/// every upstream is unreachable.
fn dead_upstreams(up: Upstream) -> String {
    let config = up.config_toml();
    drop(up);
    config
}

fn assert_tools_run(env: &Env) {
    assert_eq!(run_tool(env, "jq"), "jq-1.7.1");
    assert_eq!(run_tool(env, "rg"), "ripgrep 14.1.1");
    assert_eq!(run_tool(env, "node"), "v22.11.0");
    assert_eq!(run_tool(env, "esbuild"), "0.24.2");
}

/// jq's sha256 as den.lock pins it.
fn jq_sha256(env: &Env) -> String {
    let lock = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    let jq = &lock[lock.find("[tools.jq]").unwrap()..];
    let at = jq.find("sha256:").unwrap() + 7;
    jq[at..at + 64].to_string()
}

#[test]
fn oci_push_then_install_with_no_upstream_and_a_second_push_sends_nothing() {
    let Some(reg) = Registry::start(None) else { return };
    let (up, env) = pushed_project();
    let first = env.ok(&["cache", "push", &reg.url()]);
    assert!(first.stderr.contains("pushed 4 artifacts to oci://127.0.0.1:"), "{}", first.stderr);
    assert!(!first.stderr.contains(": 0 B sent"), "{}", first.stderr);
    let again = env.ok(&["cache", "push", &reg.url()]);
    assert!(again.stderr.contains(": 0 B sent"), "a second push uploaded something:\n{}", again.stderr);

    let config = format!("{}\n[cache]\nurls = [\"{}\"]\n", dead_upstreams(up), reg.url());
    let other = fresh(&env, &config);
    let out = other.ok(&["install", "--frozen"]);
    for tool in TOOLS {
        assert!(out.stderr.contains(&format!("{tool} from the cache {}", reg.url())), "{}", out.stderr);
    }
    assert_tools_run(&other);
    let lock = std::fs::read_to_string(other.project().join("den.lock")).unwrap();
    assert!(!lock.contains("oci://") && !lock.contains("cache"), "den.lock mentions the cache:\n{lock}");
}

#[test]
fn a_tampered_blob_is_refused_with_a_warning_and_the_upstream_serves() {
    let Some(reg) = Registry::start(None) else { return };
    let (up, env) = pushed_project();
    env.ok(&["cache", "push", &reg.url()]);
    let blob = reg.blob_file(&jq_sha256(&env));
    let mut bytes = std::fs::read(&blob).expect("the registry stores jq's blob under its sha256");
    bytes[0] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();

    let config = format!("{}\n[cache]\nurls = [\"{}\"]\n", up.config_toml(), reg.url());
    let other = fresh(&env, &config);
    let out = other.ok(&["install"]);
    assert!(
        out.stderr.contains(&format!(
            "the cache {} served jq 1.7.1 with other bytes than den.lock pins",
            reg.url()
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("jq 1.7.1 from the cache"), "{}", out.stderr);
    assert!(out.stderr.contains("ripgrep 14.1.1 from the cache"), "{}", out.stderr);
    assert_tools_run(&other);
}

#[test]
fn htpasswd_registry_with_docker_credentials() {
    let Some(reg) = Registry::start(Some(("den-ci", "s3cret"))) else { return };
    let (up, env) = pushed_project();
    let denied = run(env.den(), &["cache", "push", &reg.url()]);
    assert_ne!(denied.code, 0);
    assert!(denied.stderr.contains(&format!("{} refused den", reg.url())), "{}", denied.stderr);
    assert!(denied.stderr.contains("docker login"), "{}", denied.stderr);

    let docker_config = |home: &Path| {
        std::fs::create_dir_all(home.join(".docker")).unwrap();
        // base64("den-ci:s3cret")
        let auths =
            format!("{{\"auths\":{{\"127.0.0.1:{}\":{{\"auth\":\"ZGVuLWNpOnMzY3JldA==\"}}}}}}", reg.port);
        std::fs::write(home.join(".docker/config.json"), auths).unwrap();
    };
    docker_config(&env.home());
    env.ok(&["cache", "push", &reg.url()]);

    let upstreams = dead_upstreams(up);
    let config = format!("{upstreams}\n[cache]\nurls = [\"{}\"]\n", reg.url());
    let other = fresh(&env, &config);
    docker_config(&other.home());
    let out = other.ok(&["install"]);
    assert!(out.stderr.contains(&format!("node 22.11.0 from the cache {}", reg.url())), "{}", out.stderr);
    assert_tools_run(&other);

    // CI: the cache and the job's credentials from the environment alone.
    let ci = fresh(&env, &upstreams);
    let mut den = ci.den();
    den.env("DEN_CACHE_URLS", reg.url())
        .env("DEN_CACHE_USERNAME", "den-ci")
        .env("DEN_CACHE_PASSWORD", "s3cret");
    let out = run(den, &["install", "--frozen"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("esbuild 0.24.2 from the cache {}", reg.url())), "{}", out.stderr);
    assert_tools_run(&ci);
}

#[test]
fn directory_cache_served_over_http() {
    let (up, env) = pushed_project();
    let dir = env.tmp.path().join("team-cache");
    let first = env.ok(&["cache", "push", dir.to_str().unwrap()]);
    assert!(first.stderr.contains("pushed 4 artifacts"), "{}", first.stderr);
    let again = env.ok(&["cache", "push", &format!("file://{}", dir.display())]);
    assert!(again.stderr.contains(": 0 B sent"), "{}", again.stderr);
    assert!(dir.join(format!("v1/blobs/sha256/{}", jq_sha256(&env))).is_file());
    assert!(
        dir.join("v1/index/jq-1.7.1-linux-x64.toml").is_file()
            || dir.join("v1/index").read_dir().unwrap().count() == 3
    );

    // Any static server will do: the fake one serves the tree's files under /team/.
    let server = Upstream::start();
    for (rel, bytes) in files_under(&dir) {
        server.file(&format!("/team/{rel}"), bytes);
    }
    let config = format!("{}\n[cache]\nurls = [\"{}/team/\"]\n", dead_upstreams(up), server.base());
    let other = fresh(&env, &config);
    let out = other.ok(&["install"]);
    assert!(
        out.stderr.contains(&format!("jq 1.7.1 from the cache {}/team/", server.base())),
        "{}",
        out.stderr
    );
    assert_tools_run(&other);
}

#[test]
fn export_import_round_trip_then_offline_install() {
    let (up, env) = pushed_project();
    let bundle = env.tmp.path().join("tools.tar");
    let out = env.ok(&["cache", "export", bundle.to_str().unwrap()]);
    assert!(out.stderr.contains("exported 4 artifacts"), "{}", out.stderr);
    // --all: everything in the store, whichever project pinned it (here the same four).
    let all = env.tmp.path().join("all.tar");
    let out = env.ok(&["cache", "export", "--all", all.to_str().unwrap()]);
    assert!(out.stderr.contains("exported 4 artifacts"), "{}", out.stderr);

    // A machine that never saw the network: no upstream reachable, no cache configured.
    let other = fresh(&env, &dead_upstreams(up));
    let offline = run(other.den(), &["install", "--offline"]);
    assert_ne!(offline.code, 0, "installed offline with nothing: {}", offline.stderr);
    let imported = other.ok(&["--offline", "cache", "import", bundle.to_str().unwrap()]);
    assert!(imported.stderr.contains("imported 4 verified files ("), "{}", imported.stderr);
    assert!(tool_dirs(&other).is_empty(), "the import installed something");
    let out = other.ok(&["install", "--offline"]);
    for tool in TOOLS {
        assert!(out.stderr.contains(&format!("den: {tool} from den's imported bundles\n")), "{}", out.stderr);
    }
    assert_tools_run(&other);
    let again = other.ok(&["--offline", "cache", "import", bundle.to_str().unwrap()]);
    assert!(again.stderr.contains("imported 0 verified files (0 B) (4 kept already)"), "{}", again.stderr);
    // Pruning drops the imported bytes (the tools stay: the project pins them).
    let pruned = other.ok(&["cache", "prune", "--older-than", "0"]);
    assert!(pruned.stderr.contains("removed 4 files of imported bundles ("), "{}", pruned.stderr);
    assert!(crate::install::bucket(&other, "imported-v1/v1/blobs/sha256").is_empty());
    assert_tools_run(&other);
}

#[test]
fn offline_installs_use_a_cache_only_when_the_user_config_says_so() {
    let (up, env) = pushed_project();
    let dir = env.tmp.path().join("team-cache");
    env.ok(&["cache", "push", dir.to_str().unwrap()]);
    let upstreams = dead_upstreams(up);

    let config = format!("{upstreams}\n[cache]\nurls = [\"file://{}\"]\n", dir.display());
    let other = fresh(&env, &config);
    let refused = run(other.den(), &["install", "--offline"]);
    assert_ne!(refused.code, 0, "used the cache offline without offline_ok:\n{}", refused.stderr);
    assert!(!refused.stderr.contains("from the cache"), "{}", refused.stderr);

    let config = format!("{upstreams}\n[cache]\nurls = [\"file://{}\"]\noffline_ok = true\n", dir.display());
    let allowed = fresh(&env, &config);
    let out = allowed.ok(&["install", "--offline"]);
    assert!(
        out.stderr.contains(&format!("jq 1.7.1 from the cache file://{}", dir.display())),
        "{}",
        out.stderr
    );
    assert_tools_run(&allowed);
}

#[test]
fn a_den_toml_cache_is_used_only_once_the_project_is_trusted() {
    let (up, env) = pushed_project();
    let dir = env.tmp.path().join("team-cache");
    env.ok(&["cache", "push", dir.to_str().unwrap()]);

    let other = fresh(&env, &dead_upstreams(up));
    let toml = format!("{TOML}\n[cache]\nurls = [\"{}\"]\n", dir.display());
    std::fs::write(other.project().join("den.toml"), toml).unwrap();
    let untrusted = run(other.den(), &["install"]);
    assert_ne!(untrusted.code, 0, "{}", untrusted.stderr);
    assert!(
        !untrusted.stderr.contains("from the cache"),
        "an untrusted den.toml chose the cache:\n{}",
        untrusted.stderr
    );

    other.trust();
    let out = other.ok(&["install"]);
    assert!(out.stderr.contains(&format!("node 22.11.0 from the cache {}", dir.display())), "{}", out.stderr);
    assert_tools_run(&other);
    let lock = std::fs::read_to_string(other.project().join("den.lock")).unwrap();
    assert!(!lock.contains("team-cache"), "den.lock mentions the cache:\n{lock}");
}

/// The real npm registry of this machine (found from its npm configuration, as
/// `tests/it/live.rs` does): a package pinned by its sha512 integrity is pushed to the
/// registry, then installed in a fresh home whose every upstream is behind a dead proxy.
#[test]
fn live_npm_package_through_the_registry() {
    let Some(reg) = Registry::start(None) else { return };
    let Some(env) = crate::live::live() else { return };
    let toml = "[tools]\nesbuild = { version = \"0.24.0\", source = \"npm:@esbuild/{os}-{arch}\" }\n";
    let dir = env.project();
    std::fs::write(dir.join("den.toml"), toml).unwrap();
    assert_eq!(run(crate::live::den_in(&env, &dir), &["trust"]).code, 0);
    let out = run(crate::live::den_in(&env, &dir), &["install"]);
    if out.code != 0
        && ["cannot reach", "sent nothing for", "TLS error", "answered HTTP 5"]
            .iter()
            .any(|w| out.stderr.contains(w))
    {
        prereq::missing(
            prereq::SKIP_LIVE,
            &format!("a reachable npm registry; den install said:\n{}", out.stderr),
        );
    }
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pushed = run(crate::live::den_in(&env, &dir), &["cache", "push", &reg.url()]);
    assert_eq!(pushed.code, 0, "{}", pushed.stderr);
    assert!(pushed.stderr.contains("pushed 1 artifacts"), "{}", pushed.stderr);

    let other = Env::new();
    for file in ["den.toml", "den.lock"] {
        std::fs::copy(dir.join(file), other.project().join(file)).unwrap();
    }
    assert_eq!(run(crate::live::den_in(&other, &other.project()), &["trust"]).code, 0);
    let mut den = crate::live::den_in(&other, &other.project());
    for var in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        den.env(var, "http://127.0.0.1:9");
    }
    den.env("NO_PROXY", "127.0.0.1").env("no_proxy", "127.0.0.1").env("DEN_CACHE_URLS", reg.url());
    let out = run(den, &["install", "--frozen"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains(&format!("esbuild 0.24.0 from the cache {}", reg.url())), "{}", out.stderr);
    let json = run(crate::live::den_in(&other, &other.project()), &["export", "--format", "json"]);
    let path: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let exe = path["PATH"]
        .as_str()
        .unwrap()
        .split(':')
        .map(|d| Path::new(d).join("esbuild"))
        .find(|p| p.exists())
        .expect("esbuild on the project's PATH");
    let ran = other.command(exe).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout).trim(), "0.24.0");
}

/// A project whose node comes from its npm package (nodejs.org is at a closed port), with
/// the npm and corepack den.lock installs into it from the fake npm registry; installed.
fn npm_node_project() -> (Upstream, Env) {
    let up = Upstream::start();
    up.npm_node(&["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"]);
    let env = Env::new();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = up
        .config_toml()
        .replace(&format!("{}/nodejs.org/", up.base()), &format!("http://127.0.0.1:{closed}/nodejs.org/"));
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    env.write("den.toml", "[tools]\nnode = \"22\"\n");
    env.trust();
    let mut den = env.den();
    den.env("DEN_HTTP_RETRIES", "0");
    let out = run(den, &["install"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lock = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    assert!(lock.contains("{ package = { name = \"corepack\", url = "), "{lock}");
    (up, env)
}

/// node, npm, npx and corepack all run, each script by den's node.
fn assert_node_complete(env: &Env) {
    assert_eq!(run_tool(env, "node"), "v22.11.0");
    for (command, want) in [("npm", "npm 10.9.0"), ("npx", "npx 10.9.0"), ("corepack", "corepack 0.34.0")] {
        let out = run(env.den(), &["run", "--", command, "--version"]);
        assert_eq!(out.code, 0, "{command}: {}", out.stderr);
        let (said, node) =
            out.stdout.trim().split_once(" by ").unwrap_or_else(|| panic!("{command}: {}", out.stdout));
        assert_eq!(said, want);
        assert!(
            node.contains("/tools-v1/") && node.ends_with("/package/bin/node"),
            "{command} ran by {node}"
        );
    }
}

/// Every part of node that came `from` a cache (`the cache <address>`, `den's imported
/// bundles`): the tool and both bundled packages.
fn assert_served_by(out: &Run, from: &str) {
    for part in ["node 22.11.0", "node 22.11.0 (npm)", "node 22.11.0 (corepack)"] {
        assert!(out.stderr.contains(&format!("den: {part} from {from}\n")), "{part}:\n{}", out.stderr);
    }
}

#[test]
fn oci_push_carries_nodes_bundled_npm_and_corepack() {
    let Some(reg) = Registry::start(None) else { return };
    let (up, env) = npm_node_project();
    let first = env.ok(&["cache", "push", &reg.url()]);
    assert!(
        first.stderr.contains(&format!("pushed 1 artifacts and 2 bundled packages to {}", reg.url())),
        "{}",
        first.stderr
    );
    assert!(first.stderr.contains("den: pushed node 22.11.0 (npm)\n"), "{}", first.stderr);
    let again = env.ok(&["cache", "push", &reg.url()]);
    assert!(again.stderr.contains("and 2 bundled packages"), "{}", again.stderr);
    assert!(again.stderr.contains(": 0 B sent"), "a second push uploaded something:\n{}", again.stderr);

    // The npm registry and every other upstream unreachable: the registry serves it all.
    let config = format!("{}\n[cache]\nurls = [\"{}\"]\n", dead_upstreams(up), reg.url());
    let other = fresh(&env, &config);
    let out = other.ok(&["install", "--frozen"]);
    assert_served_by(&out, &format!("the cache {}", reg.url()));
    assert_node_complete(&other);
}

#[test]
fn directory_cache_and_bundle_carry_nodes_bundled_packages() {
    let (up, env) = npm_node_project();
    let dir = env.tmp.path().join("team-cache");
    let first = env.ok(&["cache", "push", dir.to_str().unwrap()]);
    assert!(first.stderr.contains("pushed 1 artifacts and 2 bundled packages"), "{}", first.stderr);
    // npm's tarballs (node's own, npm's, corepack's) are addressed by their sha512 integrity;
    // the packages have no index of their own (node's den.lock entry names them).
    assert_eq!(dir.join("v1/blobs/sha512").read_dir().unwrap().count(), 3);
    assert_eq!(dir.join("v1/index").read_dir().unwrap().count(), 1);
    let again = env.ok(&["cache", "push", dir.to_str().unwrap()]);
    assert!(again.stderr.contains(": 0 B sent"), "{}", again.stderr);
    let bundle = env.tmp.path().join("node.tar");
    let out = env.ok(&["cache", "export", bundle.to_str().unwrap()]);
    assert!(out.stderr.contains("exported 1 artifacts and 2 bundled packages"), "{}", out.stderr);

    let upstreams = dead_upstreams(up);
    let cache = format!("file://{}", dir.display());
    let other = fresh(&env, &format!("{upstreams}\n[cache]\nurls = [\"{cache}\"]\n"));
    let out = other.ok(&["install", "--frozen"]);
    assert_served_by(&out, &format!("the cache {}", cache));
    assert_node_complete(&other);

    // An air-gapped machine: the bundle alone, then an offline install.
    let gapped = fresh(&env, &upstreams);
    let imported = gapped.ok(&["--offline", "cache", "import", bundle.to_str().unwrap()]);
    assert!(imported.stderr.contains("imported 3 verified files ("), "{}", imported.stderr);
    let out = gapped.ok(&["install", "--offline"]);
    assert_served_by(&out, "den's imported bundles");
    assert_node_complete(&gapped);
}

#[test]
fn repair_reinstalls_nodes_bundled_npm_from_the_cache() {
    use std::os::unix::fs::PermissionsExt;
    let (up, env) = npm_node_project();
    let dir = env.tmp.path().join("team-cache");
    env.ok(&["cache", "push", dir.to_str().unwrap()]);
    let tools = env.home().join(".local/share/den/tools-v1");
    let npm_cli = std::fs::read_dir(&tools)
        .unwrap()
        .flatten()
        .map(|e| e.path().join("package/lib/node_modules/npm/bin/npm-cli.js"))
        .find(|p| p.is_file())
        .expect("node's bundled npm in the store");
    std::fs::set_permissions(&npm_cli, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(&npm_cli, "#!/usr/bin/env node\necho evil\n").unwrap();
    let out = run(env.den(), &["run", "--", "npm", "--version"]);
    assert_eq!(out.stdout.trim(), "evil");
    let out = run(env.den(), &["cache", "verify"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("modified: package/lib/node_modules/npm/bin/npm-cli.js"), "{}", out.stdout);

    // The npm registry is gone: the repair gets node and its packages from the team cache.
    let cache = format!("file://{}", dir.display());
    let config = format!("{}\n[cache]\nurls = [\"{cache}\"]\n", dead_upstreams(up));
    std::fs::write(env.home().join(".config/den/config.toml"), config).unwrap();
    let out = env.ok(&["cache", "verify", "--repair"]);
    assert!(
        out.stderr.contains("den: repaired node 22.11.0: installed again from its source"),
        "{}",
        out.stderr
    );
    assert_served_by(&out, &format!("the cache {}", cache));
    assert_node_complete(&env);
    let out = env.ok(&["cache", "verify"]);
    assert_eq!(out.stdout, "node 22.11.0: ok\n");
}

#[test]
fn export_all_leaves_out_a_node_whose_packages_no_den_lock_names() {
    let (_up, env) = npm_node_project();
    let all = env.tmp.path().join("all.tar");
    let out = env.ok(&["cache", "export", "--all", all.to_str().unwrap()]);
    assert!(out.stderr.contains("exported 1 artifacts and 2 bundled packages"), "{}", out.stderr);
    // Without the den.lock, only the receipt is left: it names node's tarball, not its npm.
    std::fs::remove_file(env.project().join("den.lock")).unwrap();
    let out = env.ok(&["cache", "export", "--all", all.to_str().unwrap()]);
    assert!(
        out.stderr.contains("den: warning: skipping node 22.11.0: installed with bundled packages"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("exported 0 artifacts ("), "{}", out.stderr);
}

/// An attacker's bundle, made by the real den on the attacker's machine: node 22.11.0 from
/// a nodejs.org of the attacker's whose `bin/node` prints `evil`. Its index says "catalog
/// node 22.11.0" with the real download URL and the checksum of the attacker's bytes.
fn evil_node_bundle(into: &Path) -> PathBuf {
    let evil = Upstream::start();
    evil.nodejs(
        "22.11.0",
        Some("Jod"),
        &[
            Entry::exe("bin/node", script("evil")),
            Entry::symlink("bin/npm", "../lib/node_modules/npm/bin/npm-cli.js"),
            Entry::symlink("bin/npx", "../lib/node_modules/npm/bin/npx-cli.js"),
            Entry::exe("lib/node_modules/npm/bin/npm-cli.js", script("evil")),
            Entry::exe("lib/node_modules/npm/bin/npx-cli.js", script("evil")),
        ],
    );
    let attacker = project(&evil, "[tools]\nnode = \"22.11.0\"\n");
    install_ok(&attacker);
    assert_eq!(run_tool(&attacker, "node"), "evil");
    let bundle = into.join("node-22.11.0.tar");
    attacker.ok(&["cache", "export", bundle.to_str().unwrap()]);
    bundle
}

/// `den run -- node --version` in `env`'s project and `den x node@22.11.0 --version`.
fn both_nodes(env: &Env, offline: bool) -> [Run; 2] {
    let with = |args: &[&str]| {
        let mut all = if offline { vec!["--offline"] } else { vec![] };
        all.extend_from_slice(args);
        run(env.den(), &all)
    };
    [with(&["run", "--", "node", "--version"]), with(&["x", "node@22.11.0", "--version"])]
}

#[test]
fn a_bundle_that_names_catalog_node_never_runs() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let env = Env::new();
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), up.config_toml()).unwrap();
    env.write(".nvmrc", "22.11.0\n");
    let bundle = evil_node_bundle(env.tmp.path());

    let imported = env.ok(&["--offline", "cache", "import", bundle.to_str().unwrap()]);
    assert!(imported.stderr.contains("imported 1 verified files ("), "{}", imported.stderr);
    assert!(tool_dirs(&env).is_empty(), "the import installed the bundle's node");

    // Offline: den has no node it resolved itself, so none runs; one line says why.
    for out in both_nodes(&env, true) {
        assert_ne!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert!(!out.stdout.contains("evil"), "ran the bundle's node:\n{}", out.stdout);
        let said: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("den: ")).collect();
        assert_eq!(said.len(), 1, "{}", out.stderr);
        assert!(said[0].contains("den is offline"), "{}", out.stderr);
    }
    // Online: den resolves node 22.11.0 from its real source and gets the real bytes; the
    // imported ones, under another digest, are never offered.
    for out in both_nodes(&env, false) {
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(out.stdout.trim(), "v22.11.0", "{}", out.stderr);
        assert!(!out.stderr.contains("imported bundles"), "{}", out.stderr);
    }
    assert_eq!(tool_dirs(&env).len(), 1, "only den's own node is in the store");
}

/// A forged index entry beside real bytes: den.lock of a trusted project decides the tool's
/// URL and binaries; the bundle only supplies the bytes den.lock's checksum names.
#[test]
fn a_bundle_entry_with_other_bin_or_url_is_not_used_for_a_locked_tool() {
    let (up, env) = pushed_project();
    let dir = env.tmp.path().join("team-cache");
    env.ok(&["cache", "push", dir.to_str().unwrap()]);
    let jq = jq_sha256(&env);
    let platform = std::fs::read_dir(dir.join("v1/index"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find_map(|n| n.strip_prefix("jq-1.7.1-").and_then(|p| p.strip_suffix(".toml")).map(str::to_string))
        .expect("jq's index");
    let index = std::fs::read_to_string(dir.join(format!("v1/index/jq-1.7.1-{platform}.toml"))).unwrap();
    // The index names the attacker's URL and a `bin` that is the attacker's file, with the
    // attacker's bytes under their own digest; the real artifacts ride along.
    let evil = script("evil").into_bytes();
    let evil_hex = crate::upstream::archives::sha256_hex(&evil);
    let forged = index
        .replace("https://github.com/", "https://attacker.example/")
        .replace(&jq, &evil_hex)
        .replace("bin = [\"", "bin = [\"evil\", \"");
    assert_ne!(forged, index);
    std::fs::write(dir.join(format!("v1/index/jq-1.7.1-{platform}.toml")), forged).unwrap();
    std::fs::write(dir.join(format!("v1/blobs/sha256/{evil_hex}")), &evil).unwrap();
    let mut files = Vec::new();
    for (rel, bytes) in files_under(&dir) {
        files.push(Entry::file(&rel, bytes, 0o644));
    }
    let bundle = env.tmp.path().join("forged.tar");
    std::fs::write(&bundle, crate::upstream::archives::tar(&files)).unwrap();

    let other = fresh(&env, &dead_upstreams(up));
    other.ok(&["--offline", "cache", "import", bundle.to_str().unwrap()]);
    let out = other.ok(&["install", "--offline"]);
    assert!(out.stderr.contains("den: jq 1.7.1 from den's imported bundles\n"), "{}", out.stderr);
    assert_tools_run(&other);
    assert_eq!(tool_dirs(&other).len(), 4, "{:?}", tool_dirs(&other));
    // Nothing the index claimed: no `evil` binary, and `den x` finds no jq den did not choose.
    let path = crate::install::exported_path(&other);
    assert!(path.split(':').all(|d| !Path::new(d).join("evil").exists()), "{path}");
    let x = run(other.den(), &["--offline", "x", "jq@1.7.1", "--version"]);
    assert!(!x.stdout.contains("evil"), "{}", x.stdout);

    // An untrusted project's den.lock is not offered the imported bytes (it could name the
    // digest of anything a bundle carried).
    let untrusted =
        fresh(&other, &std::fs::read_to_string(other.home().join(".config/den/config.toml")).unwrap());
    run(untrusted.den(), &["untrust"]);
    untrusted.ok(&["--offline", "cache", "import", bundle.to_str().unwrap()]);
    let out = run(untrusted.den(), &["install", "--offline"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("imported bundles"), "{}", out.stderr);
}

/// The same through a team cache: its index files claim catalog node 22.11.0 with the
/// attacker's bytes; den asks caches only for checksums it chose, so the claim is never read.
#[test]
fn a_cache_index_that_names_catalog_node_never_runs() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let env = Env::new();
    let bundle = evil_node_bundle(env.tmp.path());
    // The attacker's bytes and index as a directory cache, served over HTTP too.
    let cache = env.tmp.path().join("cache");
    let entries = tar::Archive::new(std::fs::File::open(&bundle).unwrap())
        .entries()
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.header().entry_type().is_file())
        .map(|mut e| {
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
            (path, bytes)
        })
        .collect::<Vec<_>>();
    let server = Upstream::start();
    for (path, bytes) in &entries {
        std::fs::create_dir_all(cache.join(path).parent().unwrap()).unwrap();
        std::fs::write(cache.join(path), bytes).unwrap();
        server.file(&format!("/team/{path}"), bytes.clone());
    }
    assert!(entries.iter().any(|(p, _)| p.starts_with("v1/index/node-22.11.0-")), "{entries:?}");
    let dir = env.home().join(".config/den");
    std::fs::create_dir_all(&dir).unwrap();
    env.write(".nvmrc", "22.11.0\n");
    for url in [format!("file://{}", cache.display()), format!("{}/team/", server.base())] {
        let config = format!("{}\n[cache]\nurls = [\"{url}\"]\noffline_ok = true\n", up.config_toml());
        std::fs::write(dir.join("config.toml"), config).unwrap();
        for out in both_nodes(&env, true) {
            assert!(!out.stdout.contains("evil"), "{url}: ran the cache's node:\n{}", out.stdout);
        }
        for out in both_nodes(&env, false) {
            assert_eq!(out.stdout.trim(), "v22.11.0", "{url}: {}", out.stderr);
            assert!(!out.stderr.contains("from the cache"), "{url}: {}", out.stderr);
        }
    }
}

#[test]
fn a_bad_bundle_is_named_with_its_true_cause() {
    let (_up, env) = pushed_project();
    let good = env.tmp.path().join("tools.tar");
    env.ok(&["cache", "export", good.to_str().unwrap()]);
    let bytes = std::fs::read(&good).unwrap();
    let other = Env::new();
    let at = |name: &str| other.tmp.path().join(name);
    std::fs::write(at("notes.txt"), "these are my notes, not a tar file\n".repeat(40)).unwrap();
    std::fs::write(at("cut.tar"), &bytes[..bytes.len() / 2 + 100]).unwrap();
    std::fs::write(at("empty.tar"), "").unwrap();
    for (file, says) in [
        ("missing.tar", "cannot read "),
        ("notes.txt", "notes.txt is not a den bundle: "),
        ("cut.tar", "cut.tar is not a den bundle: "),
        ("empty.tar", "empty.tar is not a den bundle: it holds nothing"),
    ] {
        let out = run(other.den(), &["--offline", "cache", "import", at(file).to_str().unwrap()]);
        assert_eq!(out.code, 1, "{file}: {}", out.stderr);
        assert!(out.stderr.starts_with("den: "), "{file}: {}", out.stderr);
        assert!(out.stderr.lines().next().unwrap().contains(says), "{file}: {}", out.stderr);
        assert!(!out.stderr.contains("oci://"), "{file}: {}", out.stderr);
    }
    assert!(tool_dirs(&other).is_empty());
}

/// Every file under `dir` (a directory cache's tree), by its path relative to `dir`.
fn files_under(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    files
}
