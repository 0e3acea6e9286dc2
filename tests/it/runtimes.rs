//! Language runtimes with their homes: the variables a runtime's definition sets (`GOROOT`,
//! `GOTOOLCHAIN`, `GOPATH`, `JAVA_HOME`) seen through `den export --format json`, `den run`
//! and `den explain`, and the writable directories they name outside the read-only store;
//! java from a fake Adoptium API (`upstream::adoptium`), with its imports.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Env, Run, run, store_dir, this_platform};
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
    assert_eq!(out.stdout, "GOTOOLCHAIN=local  (go in den.lock (den's definition of it))\n");
    let out = ok(&env, &["explain", "GOROOT", "--json"]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let origin = &json["variables"][0]["origin"];
    assert_eq!((origin["kind"].as_str(), origin["tool"].as_str()), (Some("tool"), Some("go")));
    env.write(
        "den.toml",
        "[tools]\ngo = \"1.23\"\n\n[env]\nGOTOOLCHAIN = \"go1.23.4+auto\"\nGOFLAGS = \"-C=${GOROOT}\"\n",
    );
    env.trust();
    let vars = exported(&env);
    assert_eq!(text(&vars, "GOTOOLCHAIN"), "go1.23.4+auto");
    let out = ok(&env, &["explain", "GOTOOLCHAIN"]);
    assert!(
        out.stdout.contains("1. go in den.lock (den's definition of it): local  (overridden)"),
        "{}",
        out.stdout
    );
    assert_eq!(text(&vars, "GOFLAGS"), format!("-C={}", root.display()));
}

/// The JDK's root in the store for this machine (`<key>/jdk-21.0.5+11`, on macOS its
/// `Contents/Home`).
fn java_home(env: &Env, version: &str) -> PathBuf {
    let top = store_dir(env, "java").join(crate::upstream::adoptium::release_name(version));
    if cfg!(target_os = "macos") { top.join("Contents/Home") } else { top }
}

#[test]
fn java_from_adoptium_installs_locks_per_platform_and_sets_java_home() {
    let up = Upstream::start();
    up.adoptium("21.0.4+7").adoptium("21.0.5+11").adoptium("17.0.13+11").adoptium("23.0.1+11");
    let env = up.project("[tools]\n");
    let out = ok(&env, &["add", "java@21"]);
    assert!(out.stderr.contains("installed java 21.0.5+11"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(env.project().join("den.toml")).unwrap(), "[tools]\njava = \"21\"\n");

    let lock = lock(&env);
    let java = &lock["tools"]["java"];
    assert_eq!(java["version"].as_str(), Some("21.0.5+11"));
    let here = &java["platforms"][this_platform().as_str()];
    let arch = if cfg!(target_arch = "aarch64") { "aarch64" } else { "x64" };
    let os = if cfg!(target_os = "macos") { "mac" } else { "linux" };
    let name = format!("OpenJDK21U-jdk_{arch}_{os}_hotspot_21.0.5_11.tar.gz");
    assert_eq!(
        here["url"].as_str(),
        Some(
            format!(
                "https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%2B11/{name}"
            )
            .as_str()
        )
    );
    let body = up
        .get_file(&format!("/github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5+11/{name}"));
    let sha = crate::upstream::archives::sha256_hex(&body);
    assert_eq!(here["checksum"].as_str(), Some(format!("sha256:{sha}").as_str()));

    // The program sees JAVA_HOME at the JDK's root, and `java` is the JDK's.
    let home = java_home(&env, "21.0.5+11");
    let out = ok(&env, &["run", "--", "java", "-version"]);
    assert_eq!(out.stdout, format!("JAVA_HOME={}\n", home.display()));
    assert!(out.stderr.contains("openjdk version \"21.0.5\" (Temurin)"), "{}", out.stderr);
    assert_eq!(text(&exported(&env), "JAVA_HOME"), home.to_str().unwrap());

    // Other platforms lock the same release with their own layout, nothing downloaded.
    ok(&env, &["lock", "--platform", "darwin-arm64,linux-arm64"]);
    let lock = self::lock(&env);
    let mac = &lock["tools"]["java"]["platforms"]["darwin-arm64"];
    assert_eq!(mac["bin"][0].as_str(), Some("jdk-21.0.5+11/Contents/Home/bin/java"));
    let linux_arm = &lock["tools"]["java"]["platforms"]["linux-arm64"];
    assert_eq!(linux_arm["bin"][0].as_str(), Some("jdk-21.0.5+11/bin/java"));
    assert!(
        linux_arm["url"].as_str().unwrap().ends_with("OpenJDK21U-jdk_aarch64_linux_hotspot_21.0.5_11.tar.gz")
    );
    assert!(linux_arm["checksum"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn java_outdated_and_upgrade_follow_the_adoptium_api() {
    let up = Upstream::start();
    up.adoptium("17.0.12+7").adoptium("21.0.4+7").adoptium("8.0.432+6");
    let env = up.project("[tools]\njava = \"21\"\n");
    ok(&env, &["install"]);
    up.adoptium("21.0.5+11").adoptium("23.0.1+11");
    let out = ok(&env, &["outdated"]);
    assert_eq!(
        out.stdout,
        "TOOL  SPEC  LOCKED    WANTED     LATEST\njava  21    21.0.4+7  21.0.5+11  23.0.1+11\n"
    );
    let out = ok(&env, &["upgrade", "java"]);
    assert_eq!(out.stdout, "java 21.0.4+7 → 21.0.5+11\n");
    let out = ok(&env, &["run", "--", "java"]);
    assert_eq!(out.stdout, format!("JAVA_HOME={}\n", java_home(&env, "21.0.5+11").display()));

    // Java 8's archive is `jdk8u432-b06/`; an exact build pins it.
    env.write("den.toml", "[tools]\njava = \"8.0.432+6\"\n");
    env.trust();
    ok(&env, &["install"]);
    let out = ok(&env, &["run", "--", "java"]);
    assert_eq!(out.stdout, format!("JAVA_HOME={}\n", java_home(&env, "8.0.432+6").display()));
    assert!(out.stdout.contains("/jdk8u432-b06"), "{}", out.stdout);
}

/// `den ls` in a project with foreign files only: `(tool, spec)` rows and the warnings
/// (the project's path as `<p>`).
fn ls(env: &Env) -> (Vec<(String, String)>, Vec<String>) {
    let out = ok(env, &["ls"]);
    let rows = out
        .stdout
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    let shown = out.stderr.replace(&env.project().display().to_string(), "<p>");
    let warnings = shown.lines().map(|l| l.strip_prefix("den: warning: ").unwrap_or(l).to_string()).collect();
    (rows, warnings)
}

fn java_row(spec: &str) -> Vec<(String, String)> {
    vec![("java".to_string(), spec.to_string())]
}

/// A fresh directory holding one foreign file.
fn foreign(name: &str, text: &str) -> Env {
    let env = Env::new();
    env.write(name, text);
    env
}

const NOT_TEMURIN: &str =
    "which den does not install yet (it installs Eclipse Temurin: write a version such as `21`)";

#[test]
fn java_imports_from_java_version_sdkmanrc_asdf_and_mise() {
    assert_eq!(ls(&foreign(".java-version", "temurin64-17.0.2\n")), (java_row("17.0.2"), vec![]));
    assert_eq!(ls(&foreign(".java-version", "1.8\n")), (java_row("8"), vec![]));
    assert_eq!(
        ls(&foreign(".java-version", "zulu-17.0.9\n")),
        (
            vec![],
            vec![format!(
                "<p>/.java-version:1: not read: `zulu-17.0.9` is Azul Zulu, {NOT_TEMURIN}; it holds one version of java, such as `21` or `21.0.5`"
            )]
        )
    );
    assert_eq!(
        ls(&foreign(".sdkmanrc", "# Enable auto-env through the sdkman_auto_env config\njava=21.0.5-tem\ngradle=8.5\nkotlin=2.0.21\n")),
        (
            vec![("java".to_string(), "21.0.5".to_string()), ("gradle".to_string(), "8.5".to_string())],
            vec!["<p>/.sdkmanrc:4: kotlin not imported: den has no built-in definition of it (declare it in den.toml with a `source` or `url`)".to_string()]
        )
    );
    assert_eq!(
        ls(&foreign(".sdkmanrc", "java=17.0.9-zulu\n")),
        (
            vec![],
            vec![format!("<p>/.sdkmanrc:1: java not imported: `17.0.9-zulu` is Azul Zulu, {NOT_TEMURIN}")]
        )
    );
    assert_eq!(
        ls(&foreign(".tool-versions", "java temurin-21.0.5+11.0.LTS\n")),
        (java_row("21.0.5+11"), vec![])
    );
    assert_eq!(
        ls(&foreign(".tool-versions", "java corretto-17.0.7.7.1\n")),
        (
            vec![],
            vec![format!(
                "<p>/.tool-versions:1: java not imported: `corretto-17.0.7.7.1` is Amazon Corretto, {NOT_TEMURIN}"
            )]
        )
    );
    assert_eq!(ls(&foreign("mise.toml", "[tools]\njava = \"temurin-21\"\n")), (java_row("21"), vec![]));
}

#[test]
fn java_from_an_asdf_file_installs_without_a_den_toml() {
    let up = Upstream::start();
    up.adoptium("21.0.4+7").adoptium("21.0.5+11");
    let env = foreign(".tool-versions", "java temurin-21.0.4+7.0.LTS\n");
    up.write_config(&env);
    ok(&env, &["install"]);
    assert!(
        !env.project().join("den.lock").exists(),
        "den writes nothing into a repository without den.toml"
    );
    let out = ok(&env, &["run", "--", "java", "-version"]);
    assert!(out.stderr.contains("openjdk version \"21.0.4\""), "{}", out.stderr);
    assert!(out.stdout.starts_with("JAVA_HOME="), "{}", out.stdout);
    assert!(
        out.stdout.trim_end().ends_with("/jdk-21.0.4+7") || out.stdout.trim_end().ends_with("/Contents/Home"),
        "{}",
        out.stdout
    );
}

#[test]
fn gradle_from_its_distributions_runs_on_the_projects_java() {
    let up = Upstream::start();
    up.adoptium("21.0.5+11")
        .gradle("8.10.1", false)
        .gradle("8.10.2", false)
        .gradle("8.12-20241105002153+0000", true);
    let env = up.project("[tools]\njava = \"21\"\n");
    ok(&env, &["add", "gradle@8"]);
    let lock = lock(&env);
    let gradle = &lock["tools"]["gradle"];
    assert_eq!(gradle["version"].as_str(), Some("8.10.2"), "a nightly snapshot is not a release");
    let here = &gradle["platforms"][this_platform().as_str()];
    assert_eq!(here["url"].as_str(), Some("https://services.gradle.org/distributions/gradle-8.10.2-bin.zip"));
    let sha = crate::upstream::archives::sha256_hex(
        &up.get_file("/services.gradle.org/distributions/gradle-8.10.2-bin.zip"),
    );
    assert_eq!(here["checksum"].as_str(), Some(format!("sha256:{sha}").as_str()));

    let out = ok(&env, &["run", "--", "gradle", "--version"]);
    let root = store_dir(&env, "gradle").join("gradle-8.10.2");
    assert_eq!(
        out.stdout,
        format!(
            "Gradle 8.10.2 GRADLE_HOME={} JAVA_HOME={}\n",
            root.display(),
            java_home(&env, "21.0.5+11").display()
        )
    );
}

#[test]
fn java_lts_is_the_newest_long_term_support_release() {
    let up = Upstream::start();
    up.adoptium("17.0.13+11")
        .adoptium("21.0.4+7")
        .adoptium("21.0.5+11")
        .adoptium("22.0.2+9")
        .adoptium("23.0.1+11");
    let env = up.project("[tools]\n");
    ok(&env, &["add", "java@lts"]);
    assert_eq!(lock(&env)["tools"]["java"]["version"].as_str(), Some("21.0.5+11"));
    assert_eq!(std::fs::read_to_string(env.project().join("den.toml")).unwrap(), "[tools]\njava = \"lts\"\n");
    // The feature versions newer than the LTS one are read, older ones never.
    assert_eq!(up.requests("/api.adoptium.net/v3/assets/feature_releases/17/ga"), 0);
    assert!(up.requests("/api.adoptium.net/v3/assets/feature_releases/23/ga") > 0);

    // `den ls-remote` reads every feature version.
    let out = ok(&env, &["ls-remote", "java"]);
    assert_eq!(out.stdout, "17.0.13+11\n21.0.4+7\n21.0.5+11\n22.0.2+9\n23.0.1+11\n");
    let out = ok(&env, &["ls-remote", "java", "21"]);
    assert_eq!(out.stdout, "21.0.4+7\n21.0.5+11\n");
}

#[test]
fn java_pages_through_a_feature_version_with_many_releases() {
    let up = Upstream::start();
    // 25 builds of 17.0.x: the API gives 20 a page, newest first, and 404 past the last.
    for security in 1..=25 {
        up.adoptium(&format!("17.0.{security}+1"));
    }
    let env = up.project("[tools]\njava = \"17.0.2\"\n");
    ok(&env, &["install"]);
    assert_eq!(lock(&env)["tools"]["java"]["version"].as_str(), Some("17.0.2+1"), "found on the second page");
    let pages: Vec<String> = up
        .requests_to("/api.adoptium.net/v3/assets/feature_releases/17/ga")
        .iter()
        .map(|r| r.param("page").unwrap_or_default().to_string())
        .collect();
    assert_eq!(pages, ["0", "1"]);
    let out = ok(&env, &["outdated"]);
    assert!(out.stdout.ends_with("java  17.0.2  17.0.2+1  17.0.2+1  17.0.25+1\n"), "{}", out.stdout);
}

#[test]
fn a_hostile_adoptium_answer_is_refused_in_one_line() {
    let up = Upstream::start();
    up.adoptium("21.0.5+11");
    // A top directory that would put JAVA_HOME and PATH outside the tool's directory.
    up.state().adoptium[0]["release_name"] = Value::from("../../../etc");
    let env = up.project("[tools]\n");
    let out = run(env.den(), &["add", "java@21"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("den: ") && first.contains("api.adoptium.net lists no"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(env.project().join("den.toml")).unwrap(), "[tools]\n");
    assert!(!env.project().join("den.lock").exists());
}

/// A yarn package's `bin/yarn`: a shell script saying which yarn it is (the real one runs
/// `yarn.js` with node).
fn yarn_script(what: &str) -> String {
    format!("#!/bin/sh\necho \"{what}\"\n")
}

#[test]
fn yarn_classic_and_berry_come_from_their_packages() {
    let up = Upstream::start();
    up.npm(
        "yarn",
        "1.22.22",
        &[
            Entry::exe("bin/yarn", yarn_script("yarn classic 1.22.22")),
            Entry::exe("bin/yarnpkg", "#!/bin/sh\n"),
        ],
    );
    // Berry's bin/yarn is packed without its executable bit, as the real package is.
    up.npm("@yarnpkg/cli-dist", "4.5.0", &[Entry::file("bin/yarn", yarn_script("yarn berry 4.5.0"), 0o644)]);

    let env = foreign(".tool-versions", "yarn 1.22.22\n");
    up.write_config(&env);
    assert_eq!(ls(&env), (vec![("yarn".to_string(), "1.22.22".to_string())], vec![]));
    ok(&env, &["install"]);
    assert_eq!(ok(&env, &["run", "--", "yarn"]).stdout, "yarn classic 1.22.22\n");

    let env = up.project("[tools]\nyarn = \"4\"\n");
    ok(&env, &["install"]);
    assert_eq!(lock(&env)["tools"]["yarn"]["version"].as_str(), Some("4.5.0"));
    assert_eq!(ok(&env, &["run", "--", "yarn"]).stdout, "yarn berry 4.5.0\n");
}

/// Publishes portable Ruby `v` as jdx/ruby releases it: `ruby-{v}.<platform>.tar.gz` with
/// `ruby-{v}/bin/*`. Its `gem install NAME` writes a command NAME into `$GEM_HOME/bin`.
fn publish_ruby(up: &Upstream, v: &str) {
    let ruby = format!("#!/bin/sh\necho \"ruby {v} GEM_HOME=$GEM_HOME\"\n");
    let gem = "#!/bin/sh\nset -e\n[ \"$1\" = install ] || exit 2\nmkdir -p \"$GEM_HOME/bin\"\n\
               printf '#!/bin/sh\\necho %s from GEM_HOME\\n' \"$2\" > \"$GEM_HOME/bin/$2\"\nchmod +x \"$GEM_HOME/bin/$2\"\n";
    let top = format!("ruby-{v}");
    let entries = [
        Entry::exe(&format!("{top}/bin/ruby"), ruby),
        Entry::exe(&format!("{top}/bin/gem"), gem),
        Entry::exe(&format!("{top}/bin/bundle"), "#!/bin/sh\necho bundler\n"),
        Entry::exe(&format!("{top}/bin/irb"), "#!/bin/sh\n"),
        Entry::file(&format!("{top}/lib/ruby/{v}/rubygems.rb"), "# rubygems\n", 0o644),
    ];
    let assets: Vec<crate::upstream::Asset> = ["x86_64_linux", "arm64_linux", "macos"]
        .iter()
        .map(|p| crate::upstream::Asset::archive(&format!("ruby-{v}.{p}.tar.gz"), &entries))
        .collect();
    up.github_release("jdx/ruby", v, &assets);
}

#[test]
fn ruby_gems_install_outside_the_store_and_their_commands_are_on_path() {
    let up = Upstream::start();
    publish_ruby(&up, "3.3.6");
    publish_ruby(&up, "3.4.1");
    let env = foreign(".ruby-version", "ruby-3.3.6\n");
    up.write_config(&env);
    assert_eq!(ls(&env), (vec![("ruby".to_string(), "3.3.6".to_string())], vec![]));

    let env = up.project("[tools]\nruby = \"3.4\"\n");
    ok(&env, &["install"]);
    let gem_home = env.home().join(".local/share/den/homes-v1/ruby/3.4.1");
    assert_eq!(text(&exported(&env), "GEM_HOME"), gem_home.to_str().unwrap());
    assert_eq!(
        ok(&env, &["run", "--", "ruby"]).stdout,
        format!("ruby 3.4.1 GEM_HOME={}\n", gem_home.display())
    );

    // `gem install` writes into GEM_HOME, never the store, and its command runs from PATH.
    ok(&env, &["run", "--", "gem", "install", "rails"]);
    assert!(gem_home.join("bin/rails").is_file());
    assert_eq!(ok(&env, &["run", "--", "rails"]).stdout, "rails from GEM_HOME\n");
    let path = text(&exported(&env), "PATH").to_string();
    let store = store_dir(&env, "ruby").join("ruby-3.4.1/bin");
    let (ruby_at, gems_at) = (
        path.find(store.to_str().unwrap()).unwrap(),
        path.find(gem_home.join("bin").to_str().unwrap()).unwrap(),
    );
    assert!(ruby_at < gems_at, "ruby's own bin comes first: {path}");

    let out = ok(&env, &["export", "--format", "json"]);
    assert!(!out.stdout.contains("GEM_PATH"), "GEM_PATH stays unset: {}", out.stdout);
    let refused = ls(&foreign(".ruby-version", "jruby-9.4.8.0\n")).1;
    assert_eq!(
        refused,
        [
            "<p>/.ruby-version:1: not read: `jruby-9.4.8.0` is jruby, which den does not install (it installs CRuby)"
        ]
    );
}

#[test]
fn pnpm_falls_back_to_its_npm_packages() {
    let up = Upstream::start();
    // No pnpm release on GitHub: its packages on the npm registry serve it.
    for plat in ["linux-x64", "linux-arm64", "macos-x64", "macos-arm64"] {
        up.npm(&format!("@pnpm/{plat}"), "9.15.0", &[Entry::exe("pnpm", "#!/bin/sh\necho 9.15.0\n")]);
    }
    let env = up.project("[tools]\npnpm = \"9\"\n");
    let out = ok(&env, &["install"]);
    assert!(out.stderr.contains("using npm:@pnpm/"), "{}", out.stderr);
    assert_eq!(ok(&env, &["run", "--", "pnpm", "--version"]).stdout, "9.15.0\n");
    let url = lock(&env)["tools"]["pnpm"]["platforms"][this_platform().as_str()]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.contains("/@pnpm/"), "{url}");
}

#[test]
fn dotnet_from_the_release_metadata_with_its_sha512_and_global_json() {
    let up = Upstream::start();
    up.dotnet("8.0.403", "8.0.10")
        .dotnet("8.0.404", "8.0.11")
        .dotnet("8.0.110", "8.0.11")
        .dotnet("9.0.100", "9.0.0");
    let env = up.project("[tools]\ndotnet = \"8.0\"\n");
    ok(&env, &["install"]);
    let lock = lock(&env);
    let dotnet = &lock["tools"]["dotnet"];
    assert_eq!(dotnet["version"].as_str(), Some("8.0.404"));
    let here = &dotnet["platforms"][this_platform().as_str()];
    let rid = this_platform().replace("darwin", "osx");
    let path = format!("/builds.dotnet.microsoft.com/dotnet/Sdk/8.0.404/dotnet-sdk-8.0.404-{rid}.tar.gz");
    assert_eq!(here["url"].as_str(), Some(format!("https://{}", &path[1..]).as_str()));
    let sha512 = crate::upstream::archives::hex(&<sha2::Sha512 as sha2::Digest>::digest(up.get_file(&path)));
    assert_eq!(here["checksum"].as_str(), Some(format!("sha512:{sha512}").as_str()));
    // The 9.0 channel is never read for an 8.0 spec.
    assert_eq!(up.requests("/dotnetcli.blob.core.windows.net/dotnet/release-metadata/9.0/releases.json"), 0);

    let root = env.home().join(".local/share/den/tools-v1").join(format!("sha512-{}", &sha512[..32]));
    assert_eq!(text(&exported(&env), "DOTNET_ROOT"), root.to_str().unwrap());
    assert_eq!(
        ok(&env, &["run", "--", "dotnet"]).stdout,
        format!("dotnet 8.0.404 DOTNET_ROOT={}\n", root.display())
    );

    // global.json: the roll-forward policy becomes the range den takes the newest of.
    let json =
        "{\n  \"sdk\": {\n    \"version\": \"8.0.100\",\n    \"rollForward\": \"latestPatch\"\n  }\n}\n";
    let env = foreign("global.json", json);
    assert!(
        ok(&env, &["ls"]).stdout.starts_with("dotnet  >=8.0.100, <8.0.200  "),
        "{}",
        ok(&env, &["ls"]).stdout
    );
    let notes = ls(&env).1;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].starts_with("<p>/global.json:3: dotnet `>=8.0.100, <8.0.200` is a range"), "{notes:?}");
    let json = "{\"sdk\": {\"version\": \"8.0.400\", \"rollForward\": \"latestFeature\"}}";
    let env = foreign("global.json", json);
    up.write_config(&env);
    ok(&env, &["install"]);
    assert_eq!(ok(&env, &["run", "--", "dotnet"]).stdout.split_whitespace().nth(1), Some("8.0.404"));
    let json = "{\"sdk\": {\"version\": \"8.0.100\", \"rollForward\": \"disable\"}, \"msbuild-sdks\": {}}";
    assert_eq!(
        ls(&foreign("global.json", json)),
        (vec![("dotnet".to_string(), "8.0.100".to_string())], vec![])
    );
}

/// The host's Rust target triple, as the dist server names it.
fn rust_triple() -> &'static str {
    match (cfg!(target_os = "macos"), cfg!(target_arch = "aarch64")) {
        (false, false) => "x86_64-unknown-linux-gnu",
        (false, true) => "aarch64-unknown-linux-gnu",
        (true, false) => "x86_64-apple-darwin",
        (true, true) => "aarch64-apple-darwin",
    }
}

/// The toolchain's root in the store (rustc's own tree, the others merged into it).
fn rust_root(env: &Env, version: &str) -> PathBuf {
    let top = format!("rustc-{version}-{}", rust_triple());
    let store = env.home().join(".local/share/den/tools-v1");
    let key = std::fs::read_dir(&store)
        .unwrap()
        .flatten()
        .find(|e| e.path().join(&top).is_dir())
        .unwrap_or_else(|| panic!("no {top} in the store"));
    key.path().join(top).join("rustc")
}

#[test]
fn rust_components_merge_into_one_toolchain_with_cargo_home_outside_the_store() {
    let up = Upstream::start();
    up.rust("1.82.0", "2024-10-17", false).rust("1.83.0", "2024-11-28", true);
    let env = up.project("[tools]\nrust = \"1.83\"\n");
    let out = ok(&env, &["install"]);
    assert!(out.stderr.contains("installed rust 1.83.0"), "{}", out.stderr);

    // den.lock: rustc's tarball, the other components as steps merged into its tree.
    let lock = lock(&env);
    let rust = &lock["tools"]["rust"];
    assert_eq!(rust["version"].as_str(), Some("1.83.0"));
    let triple = rust_triple();
    let here = &rust["platforms"][this_platform().as_str()];
    let name = format!("rustc-1.83.0-{triple}.tar.xz");
    assert_eq!(
        here["url"].as_str(),
        Some(format!("https://static.rust-lang.org/dist/2024-11-28/{name}").as_str())
    );
    let sha = crate::upstream::archives::sha256_hex(
        &up.get_file(&format!("/static.rust-lang.org/dist/2024-11-28/{name}")),
    );
    assert_eq!(here["checksum"].as_str(), Some(format!("sha256:{sha}").as_str()));
    let steps: Vec<&str> = here["post_install"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["component"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["cargo", "rust-std", "rustfmt-preview", "clippy-preview"]);
    let into = format!("rustc-1.83.0-{triple}/rustc");
    assert!(
        here["post_install"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["component"]["into"].as_str() == Some(&into))
    );

    ok(&env, &["install", "--frozen"]);

    // One tree: every component's files, none of install.sh's own.
    let root = rust_root(&env, "1.83.0");
    for file in ["bin/rustc", "bin/cargo", "bin/rustfmt", "bin/cargo-clippy", "bin/clippy-driver"] {
        assert!(root.join(file).is_file(), "{file} not merged");
    }
    assert!(root.join(format!("lib/rustlib/{triple}/lib/libstd.rlib")).is_file());
    assert!(root.join(format!("lib/rustlib/{triple}/bin/rust-lld")).is_file());

    // cargo runs the toolchain's rustc; CARGO_HOME is den's per-user directory for rust.
    let home = env.home().join(".local/share/den/homes-v1/rust");
    let out = ok(&env, &["run", "--", "cargo"]);
    assert_eq!(out.stdout, format!("rustc 1.83.0 CARGO_HOME={}\n", home.display()));
    let out = ok(&env, &["run", "--", "cargo-clippy"]);
    assert_eq!(out.stdout, format!("clippy 1.83.0 CARGO_HOME={}\n", home.display()));
    let vars = exported(&env);
    assert_eq!(text(&vars, "CARGO_HOME"), home.to_str().unwrap());

    // `cargo install` writes outside the store, and what it installs is on PATH after.
    ok(&env, &["run", "--", "cargo", "install", "ripgrep"]);
    assert!(home.join("bin/ripgrep").is_file());
    assert_eq!(ok(&env, &["run", "--", "ripgrep"]).stdout, "installed\n");
    let path = text(&exported(&env), "PATH").to_string();
    let ours = path.find(root.join("bin").to_str().unwrap()).expect("the toolchain on PATH");
    let theirs = path.find(home.join("bin").to_str().unwrap()).expect("CARGO_HOME/bin on PATH");
    assert!(ours < theirs, "{path}");

    // Other platforms lock their own triple's components, nothing downloaded.
    ok(&env, &["lock", "--platform", "darwin-arm64,linux-arm64"]);
    let lock = self::lock(&env);
    let mac = &lock["tools"]["rust"]["platforms"]["darwin-arm64"];
    assert_eq!(mac["bin"][0].as_str(), Some("rustc-1.83.0-aarch64-apple-darwin/rustc/bin/rustc"));
    let arm = &lock["tools"]["rust"]["platforms"]["linux-arm64"];
    assert!(arm["post_install"].as_array().unwrap().iter().any(|s| {
        s["component"]["url"]
            .as_str()
            .is_some_and(|u| u.ends_with("/rust-std-1.83.0-aarch64-unknown-linux-gnu.tar.xz"))
    }));
}

#[test]
fn rust_outdated_and_upgrade_follow_the_stable_channel() {
    let up = Upstream::start();
    up.rust("1.82.0", "2024-10-17", true);
    let env = up.project("[tools]\nrust = \"1.82\"\n");
    ok(&env, &["install"]);
    up.rust("1.82.1", "2024-11-01", true).rust("1.83.0", "2024-11-28", true);
    let out = ok(&env, &["outdated"]);
    assert_eq!(out.stdout, "TOOL  SPEC  LOCKED  WANTED  LATEST\nrust  1.82  1.82.0  1.82.1  1.83.0\n");
    let out = ok(&env, &["upgrade", "rust"]);
    assert_eq!(out.stdout, "rust 1.82.0 → 1.82.1\n");
    assert_eq!(
        ok(&env, &["run", "--", "rustc"]).stdout.split_whitespace().take(2).collect::<Vec<_>>(),
        ["rustc", "1.82.1"]
    );

    // `stable` is the stable channel's release.
    env.write("den.toml", "[tools]\nrust = \"stable\"\n");
    env.trust();
    ok(&env, &["install"]);
    assert_eq!(lock(&env)["tools"]["rust"]["version"].as_str(), Some("1.83.0"));
}

fn rust_row(spec: &str) -> Vec<(String, String)> {
    vec![("rust".to_string(), spec.to_string())]
}

#[test]
fn rust_imports_from_rust_toolchain_files_and_asdf() {
    let toml = "[toolchain]\nchannel = \"1.83\"\ncomponents = [\"rustfmt\", \"clippy\", \"rust-src\"]\ntargets = [\"wasm32-unknown-unknown\"]\n";
    assert_eq!(
        ls(&foreign("rust-toolchain.toml", toml)),
        (
            rust_row("1.83"),
            vec![
                "<p>/rust-toolchain.toml:3: components `rust-src` are not installed: den installs rustc, cargo, rust-std, rustfmt and clippy".to_string(),
                "<p>/rust-toolchain.toml:4: targets `wasm32-unknown-unknown` are not installed: den installs the standard library of this machine's target only".to_string(),
            ]
        )
    );
    assert_eq!(ls(&foreign("rust-toolchain", "1.82.0\n")), (rust_row("1.82.0"), vec![]));
    let (rows, notes) = ls(&foreign("rust-toolchain", "nightly-2024-11-01\n"));
    assert_eq!(rows, vec![]);
    assert_eq!(
        notes,
        [
            "<p>/rust-toolchain:1: not read: `nightly-2024-11-01` is a pre-release channel; den installs stable releases of rust"
        ]
    );
    assert_eq!(ls(&foreign(".tool-versions", "rust 1.83.0\n")), (rust_row("1.83.0"), vec![]));
}

#[test]
fn rust_from_a_rust_toolchain_toml_installs_without_a_den_toml() {
    let up = Upstream::start();
    up.rust("1.83.0", "2024-11-28", true);
    let env =
        foreign("rust-toolchain.toml", "[toolchain]\nchannel = \"stable\"\ncomponents = [\"clippy\"]\n");
    up.write_config(&env);
    ok(&env, &["install"]);
    assert!(
        !env.project().join("den.lock").exists(),
        "den writes nothing into a repository without den.toml"
    );
    let out = ok(&env, &["run", "--", "rustc"]);
    assert!(out.stdout.starts_with("rustc 1.83.0 CARGO_HOME="), "{}", out.stdout);
}

/// The one store directory holding `top` (a tool whose key the test does not compute).
fn store_dir_holding(env: &Env, top: &str) -> PathBuf {
    let store = env.home().join(".local/share/den/tools-v1");
    let found = std::fs::read_dir(&store).unwrap().flatten().find(|e| e.path().join(top).exists());
    found.unwrap_or_else(|| panic!("no {top} in the store")).path()
}

#[cfg(target_os = "linux")]
#[test]
fn erlang_from_hex_builds_runs_where_the_store_put_it_and_elixir_runs_on_it() {
    let up = Upstream::start();
    up.otp("26.2.5", "14.2.5").otp("27.1.2", "15.1.2");
    up.elixir("1.17.3", "26").elixir("1.17.3", "27").elixir("1.16.3", "26");
    let env = up.project("[tools]\nerlang = \"27\"\nelixir = \"1.17\"\n");
    let out = ok(&env, &["install"]);
    assert!(out.stderr.contains("installed erlang 27.1.2, elixir 1.17.3+otp-27"), "{}", out.stderr);

    // den.lock: the build's archive and sha256 from builds.txt, den's own install step.
    let lock = lock(&env);
    let erlang = &lock["tools"]["erlang"];
    assert_eq!(erlang["version"].as_str(), Some("27.1.2"));
    let arch = if cfg!(target_arch = "aarch64") { "arm64" } else { "amd64" };
    let here = &erlang["platforms"][this_platform().as_str()];
    let path = format!("builds.hex.pm/builds/otp/{arch}/ubuntu-22.04/OTP-27.1.2.tar.gz");
    assert_eq!(here["url"].as_str(), Some(format!("https://{path}").as_str()));
    let sha = crate::upstream::archives::sha256_hex(&up.get_file(&format!("/{path}")));
    assert_eq!(here["checksum"].as_str(), Some(format!("sha256:{sha}").as_str()));
    assert_eq!(here["post_install"][0]["otp_install"].as_str(), Some("OTP-27.1.2"));
    assert_eq!(lock["tools"]["elixir"]["version"].as_str(), Some("1.17.3+otp-27"));
    // den.lock's entries are the ones the definitions give (checked offline).
    ok(&env, &["install", "--frozen"]);

    // erl finds its root from where it lies in the store (Install never ran).
    let root = store_dir(&env, "erlang").join("OTP-27.1.2");
    let out = ok(&env, &["run", "--", "erl"]);
    assert_eq!(out.stdout, format!("erlang 27.1.2 ROOTDIR={} EMU=beam PROGNAME=erl\n", root.display()));
    assert_eq!(ok(&env, &["run", "--", "erlc"]).stdout, "erlc\n");
    // mix runs on the project's erlang; what it installs lands outside the store.
    let home = env.home().join(".local/share/den/homes-v1/elixir");
    let out = ok(&env, &["run", "--", "mix"]);
    assert!(out.stdout.starts_with("mix 1.17.3 otp-27\nerlang 27.1.2 ROOTDIR="), "{}", out.stdout);
    let vars = exported(&env);
    assert_eq!(text(&vars, "MIX_HOME"), home.to_str().unwrap());
    assert_eq!(text(&vars, "MIX_ARCHIVES"), home.join("archives").to_str().unwrap());
    assert_eq!(text(&vars, "HEX_HOME"), home.join("hex").to_str().unwrap());
    ok(&env, &["run", "--", "mix", "archive.install", "phx_new"]);
    assert!(home.join("archives/phx_new.ez").is_file());
    assert!(!store_dir_holding(&env, "bin/mix").join("archives").exists());

    // Elixir's build follows the project's erlang major; the other platform locks its own arch.
    env.write("den.toml", "[tools]\nerlang = \"26\"\nelixir = \"1.17\"\n");
    env.trust();
    ok(&env, &["install"]);
    assert_eq!(
        ok(&env, &["run", "--", "elixir"]).stdout.split_whitespace().take(3).collect::<Vec<_>>(),
        ["elixir", "1.17.3", "otp-26"]
    );
    assert_eq!(self::lock(&env)["tools"]["elixir"]["version"].as_str(), Some("1.17.3+otp-26"));
    ok(&env, &["lock", "--platform", "linux-arm64,linux-x64"]);
    let lock = self::lock(&env);
    let arm = lock["tools"]["erlang"]["platforms"]["linux-arm64"]["url"].as_str().unwrap().to_string();
    assert!(arm.ends_with("/otp/arm64/ubuntu-22.04/OTP-26.2.5.tar.gz"), "{arm}");
}

#[cfg(target_os = "linux")]
#[test]
fn erlang_and_elixir_outdated_and_upgrade_follow_builds_txt() {
    let up = Upstream::start();
    up.otp("27.1.1", "15.1.1").elixir("1.17.2", "27");
    let env = up.project("[tools]\nerlang = \"27\"\nelixir = \"1.17\"\n");
    ok(&env, &["install"]);
    up.otp("27.1.2", "15.1.2").otp("28.0", "16.0").elixir("1.17.3", "27");
    let out = ok(&env, &["outdated"]);
    assert_eq!(
        out.stdout,
        "TOOL    SPEC  LOCKED         WANTED         LATEST\nerlang  27    27.1.1         27.1.2         28.0\nelixir  1.17  1.17.2+otp-27  1.17.3+otp-27  1.17.3+otp-27\n"
    );
    ok(&env, &["upgrade"]);
    assert!(ok(&env, &["run", "--", "erl"]).stdout.starts_with("erlang 27.1.2 "));
}

#[test]
fn a_tool_versions_with_every_runtime_imports_without_a_note() {
    let file = "java temurin-21.0.5+11.0.LTS\nruby 3.3.6\nrust 1.83.0\nerlang 27.1.2\nelixir 1.17.3-otp-27\nyarn 1.22.22\n";
    let (rows, notes) = ls(&foreign(".tool-versions", file));
    let rows: Vec<(&str, &str)> = rows.iter().map(|(t, s)| (t.as_str(), s.as_str())).collect();
    assert_eq!(
        rows,
        [
            ("java", "21.0.5+11"),
            ("ruby", "3.3.6"),
            ("rust", "1.83.0"),
            ("erlang", "27.1.2"),
            ("elixir", "1.17.3+otp-27"),
            ("yarn", "1.22.22")
        ]
    );
    assert_eq!(notes, Vec::<String>::new());
    let (rows, _) = ls(&foreign("mise.toml", "[tools]\nelixir = \"1.16.3-otp-26\"\nerlang = \"26.2.5\"\n"));
    assert_eq!(rows[0], ("elixir".to_string(), "1.16.3+otp-26".to_string()));
}

#[test]
fn a_hostile_rust_component_or_lock_step_is_refused_in_one_line() {
    use crate::upstream::archives::{self, Entry};
    let up = Upstream::start();
    up.rust("1.83.0", "2024-11-28", true);
    // cargo's tarball without its `components` list, with the right sha256 in the manifest.
    let triple = rust_triple();
    let name = format!("cargo-1.83.0-{triple}.tar.xz");
    let body = archives::build(
        &name,
        &[Entry::exe(&format!("cargo-1.83.0-{triple}/cargo/bin/cargo"), "#!/bin/sh\n")],
    );
    let sha = archives::sha256_hex(&body);
    {
        let mut state = up.state();
        let path = "/static.rust-lang.org/dist/channel-rust-1.83.0.toml";
        let manifest = match state.files.get(path) {
            Some(crate::upstream::File::Bytes { body, .. }) => String::from_utf8(body.clone()).unwrap(),
            _ => panic!("no manifest"),
        };
        let old =
            archives::sha256_hex(&up_file(&state, &format!("/static.rust-lang.org/dist/2024-11-28/{name}")));
        state.put(path, manifest.replace(&old, &sha).into_bytes(), "application/toml");
        state.put(&format!("/static.rust-lang.org/dist/2024-11-28/{name}"), body, "application/x-xz");
    }
    let env = up.project("[tools]\nrust = \"1.83.0\"\n");
    let out = run(env.den(), &["install"]);
    assert_ne!(out.code, 0);
    let first =
        out.stderr.lines().find(|l| l.starts_with("den: ") && !l.starts_with("den: download")).unwrap();
    assert!(
        first.contains("merge the component `cargo`") && first.contains("has no `components` file"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("help: "), "{}", out.stderr);

    // A den.lock step that installs something the definition does not is refused.
    let up = Upstream::start();
    up.rust("1.83.0", "2024-11-28", true);
    let env = up.project("[tools]\nrust = \"1.83.0\"\n");
    ok(&env, &["install"]);
    let lock = std::fs::read_to_string(env.project().join("den.lock")).unwrap();
    let evil = lock.replacen("name = \"cargo\"", "name = \"evil\"", 1);
    assert_ne!(lock, evil);
    env.write("den.lock", &evil);
    let out = run(env.den(), &["install", "--frozen"]);
    assert_ne!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("no component `evil`"), "{}", out.stderr);
}

fn up_file(state: &crate::upstream::State, path: &str) -> Vec<u8> {
    match state.files.get(path) {
        Some(crate::upstream::File::Bytes { body, .. }) => body.clone(),
        _ => panic!("no {path}"),
    }
}
