//! Each discovery step, with injected variables, HOME, project, system root and commands.
//! Hosts are placeholders under `.invalid`; no real registry is ever named.

use crate::hint::Hint;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::*;

struct Fake {
    _tmp: tempfile::TempDir,
    home: PathBuf,
    project: PathBuf,
    root: PathBuf,
    vars: HashMap<String, String>,
    outputs: HashMap<String, String>,
    ran: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn new() -> Fake {
        let tmp = tempfile::tempdir().unwrap();
        let (home, project, root) =
            (tmp.path().join("home"), tmp.path().join("proj"), tmp.path().join("root"));
        for d in [&home, &project, &root] {
            std::fs::create_dir_all(d).unwrap();
        }
        Fake {
            _tmp: tmp,
            home,
            project,
            root,
            vars: HashMap::new(),
            outputs: HashMap::new(),
            ran: Arc::default(),
        }
    }

    fn var(mut self, k: &str, v: &str) -> Self {
        self.vars.insert(k.into(), v.into());
        self
    }

    fn output(mut self, cmd: &str, out: &str) -> Self {
        self.outputs.insert(cmd.into(), out.into());
        self
    }

    fn write(self, path: &Path, text: &str) -> Self {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    fn discovery(&self) -> Discovery {
        let vars = self.vars.clone();
        let outputs = self.outputs.clone();
        let ran = self.ran.clone();
        Discovery {
            var: Box::new(move |k| vars.get(k).cloned()),
            home: Some(self.home.clone()),
            project: Some(self.project.clone()),
            root: self.root.clone(),
            run: Box::new(move |program, args| {
                let line = format!("{program} {}", args.join(" "));
                ran.lock().unwrap().push(line.clone());
                outputs.get(&line).cloned()
            }),
        }
    }

    fn npm(&self, package: &str) -> Result<Found, Error> {
        npm_registry(&Sources::default(), &self.discovery(), package)
    }

    fn pypi(&self) -> Result<Found, Error> {
        pypi_index(&Sources::default(), &self.discovery())
    }
}

fn url(r: Result<Found, Error>) -> String {
    r.unwrap().url
}

#[test]
fn npm_order_config_env_files_command() {
    let f = Fake::new();
    let home_rc = f.home.join(".npmrc");
    let proj_rc = f.project.join(".npmrc");
    let etc = f.root.join("etc/npmrc");
    let f = f
        .output("npm config get registry", "https://cmd.registry.test.invalid/\n")
        .write(&etc, "registry=https://etc.registry.test.invalid/\n");
    assert_eq!(url(f.npm("esbuild")), "https://etc.registry.test.invalid/");
    let f = f.write(&home_rc, "; comment\nregistry = \"https://user.registry.test.invalid/\"\n");
    assert_eq!(url(f.npm("esbuild")), "https://user.registry.test.invalid/");
    let f = f.write(&proj_rc, "registry=https://proj.registry.test.invalid/\n");
    let found = f.npm("esbuild").unwrap();
    assert_eq!(found.url, "https://proj.registry.test.invalid/");
    assert_eq!(found.from, format!("registry in {}", proj_rc.display()));
    let f = f.var("npm_config_registry", "https://env.registry.test.invalid/");
    assert_eq!(url(f.npm("esbuild")), "https://env.registry.test.invalid/");
    let f = f.var("DEN_NPM_REGISTRY", "https://den.registry.test.invalid/");
    assert_eq!(url(f.npm("esbuild")), "https://den.registry.test.invalid/");
    let sources = Sources { npm: Some("https://config.registry.test.invalid/".into()), ..Sources::default() };
    assert_eq!(
        url(npm_registry(&sources, &f.discovery(), "esbuild")),
        "https://config.registry.test.invalid/"
    );
    assert!(f.ran.lock().unwrap().is_empty(), "npm is not run when a file names the registry");
}

#[test]
fn npm_command_is_the_last_resort_and_nothing_found_names_the_settings() {
    let f = Fake::new().output("npm config get registry", "https://cmd.registry.test.invalid/\n");
    assert_eq!(url(f.npm("esbuild")), "https://cmd.registry.test.invalid/");
    let f = Fake::new();
    let err = f.npm("esbuild").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no npm registry is configured: set `[sources] npm = \"<registry URL>\"` in den's config.toml, \
         or DEN_NPM_REGISTRY, or `registry=<registry URL>` in ~/.npmrc"
    );
    assert_eq!(err.hint(), None, "the message says it all");
}

#[test]
fn npm_scoped_registry_and_variable_expansion() {
    let f = Fake::new().var("CORP", "corp.registry.test.invalid");
    let rc = f.home.join(".npmrc");
    let f = f.write(
        &rc,
        "registry=https://plain.registry.test.invalid/\n@biomejs:registry=https://${CORP}/npm/\n//x/:_authToken=t\n",
    );
    assert_eq!(url(f.npm("@biomejs/cli-linux-x64")), "https://corp.registry.test.invalid/npm/");
    assert_eq!(url(f.npm("@esbuild/linux-x64")), "https://plain.registry.test.invalid/");
    let custom = f.home.join("custom-npmrc");
    let f = f
        .var("npm_config_userconfig", custom.to_str().unwrap())
        .write(&custom, "registry=https://custom.registry.test.invalid/\n");
    assert_eq!(url(f.npm("esbuild")), "https://custom.registry.test.invalid/");
}

/// A repository's `.npmrc` cannot put the user's variables (a token) into a URL den asks.
#[test]
fn the_project_npmrc_expands_no_variables() {
    let f = Fake::new().var("SECRET_TOKEN", "s3cret");
    let proj_rc = f.project.join(".npmrc");
    let f = f.write(&proj_rc, "registry=https://proj.registry.test.invalid/${SECRET_TOKEN}/\n");
    assert_eq!(url(f.npm("esbuild")), "https://proj.registry.test.invalid/${SECRET_TOKEN}/");
}

#[test]
fn a_bad_value_is_an_error_naming_where_it_came_from() {
    let f = Fake::new().var("DEN_NPM_REGISTRY", "registry.test.invalid");
    let err = f.npm("esbuild").unwrap_err();
    assert_eq!(err.to_string(), "`registry.test.invalid` from DEN_NPM_REGISTRY is not an http(s) URL");
}

const PIP_RUN: &str = "python3 -c import sys; print(sys.prefix); from pip._internal.models.index import PyPI; print(PyPI.simple_url)";

#[test]
fn pypi_order_config_env_files_commands() {
    let prefix = Fake::new();
    let site = prefix.root.join("opt/python");
    let f =
        prefix.output(PIP_RUN, &format!("{}\nhttps://default.index.test.invalid/simple\n", site.display()));
    assert_eq!(url(f.pypi()), "https://default.index.test.invalid/simple");
    assert_eq!(f.ran.lock().unwrap().len(), 1, "one python3 run");
    let f =
        f.write(&site.join("pip.conf"), "[global]\nindex-url = https://site.index.test.invalid/simple/\n");
    assert_eq!(url(f.pypi()), "https://site.index.test.invalid/simple/");
    let etc = f.root.join("etc/pip.conf");
    let f = f.write(&etc, "[global]\nindex-url = https://etc.index.test.invalid/simple/\n");
    assert_eq!(url(f.pypi()), "https://etc.index.test.invalid/simple/");
    let legacy = f.home.join(".pip/pip.conf");
    let f = f.write(&legacy, "[global]\nindex-url=https://legacy.index.test.invalid/simple/\n");
    assert_eq!(url(f.pypi()), "https://legacy.index.test.invalid/simple/");
    let user = f.home.join(".config/pip/pip.conf");
    let f = f.write(
        &user,
        "[global]\nindex-url = https://user.index.test.invalid/simple/\n[install]\nindex-url = https://install.index.test.invalid/simple/\n",
    );
    let found = f.pypi().unwrap();
    assert_eq!(found.url, "https://install.index.test.invalid/simple/");
    assert_eq!(found.from, "index-url in ~/.config/pip/pip.conf");
    let venv = f.home.join("venv");
    let f = f
        .var("VIRTUAL_ENV", venv.to_str().unwrap())
        .write(&venv.join("pip.conf"), "[global]\nindex-url = https://venv.index.test.invalid/simple/\n");
    assert_eq!(url(f.pypi()), "https://venv.index.test.invalid/simple/");
    let given = f.home.join("given.conf");
    let f = f
        .var("PIP_CONFIG_FILE", given.to_str().unwrap())
        .write(&given, "[global]\nindex-url = https://given.index.test.invalid/simple/\n");
    assert_eq!(url(f.pypi()), "https://given.index.test.invalid/simple/");
    // uv's files come before pip's: the system's, the user's, the project's.
    let (root, home, project) = (f.root.clone(), f.home.clone(), f.project.clone());
    let f =
        f.write(&root.join("etc/uv/uv.toml"), "index-url = \"https://uvetc.index.test.invalid/simple/\"\n");
    assert_eq!(url(f.pypi()), "https://uvetc.index.test.invalid/simple/");
    let f = f.write(
        &home.join(".config/uv/uv.toml"),
        "[[index]]\nname = \"x\"\nurl = \"https://other.test.invalid/simple/\"\n\n[[index]]\nurl = \"https://uvuser.index.test.invalid/simple/\"\ndefault = true\n",
    );
    let found = f.pypi().unwrap();
    assert_eq!(found.url, "https://uvuser.index.test.invalid/simple/");
    assert_eq!(found.from, "the default index in ~/.config/uv/uv.toml");
    let f = f.write(&project.join("uv.toml"), "index-url = \"https://uvproj.index.test.invalid/simple/\"\n");
    assert_eq!(url(f.pypi()), "https://uvproj.index.test.invalid/simple/");
    // A uv.toml that is not TOML, or names no default index, names nothing.
    let f = f.write(&project.join("uv.toml"), "index-url = [[[\n").write(
        &home.join(".config/uv/uv.toml"),
        "[[index]]\nurl = \"https://notdefault.test.invalid/simple/\"\n",
    );
    assert_eq!(url(f.pypi()), "https://uvetc.index.test.invalid/simple/");
    assert_eq!(f.ran.lock().unwrap().len(), 2, "no command once a file names the index");
}

#[test]
fn pypi_env_variables_in_order() {
    let mut f = Fake::new();
    for (var, host) in [
        ("PIP_INDEX_URL", "pip"),
        ("UV_INDEX_URL", "uvold"),
        ("UV_DEFAULT_INDEX", "uv"),
        ("DEN_PYPI_INDEX", "den"),
    ] {
        f = f.var(var, &format!("https://{host}.index.test.invalid/simple/"));
        let found = f.pypi().unwrap();
        assert_eq!(found.url, format!("https://{host}.index.test.invalid/simple/"));
        assert_eq!(found.from, var);
    }
    let sources =
        Sources { pypi: Some("https://config.index.test.invalid/simple/".into()), ..Sources::default() };
    assert_eq!(url(pypi_index(&sources, &f.discovery())), "https://config.index.test.invalid/simple/");
}

#[test]
fn pypi_nothing_found_names_the_settings() {
    let err = Fake::new().pypi().unwrap_err();
    assert!(err.to_string().starts_with("no PyPI registry is configured: set `[sources] pypi = "), "{err}");
    assert!(err.to_string().contains("PIP_INDEX_URL"), "{err}");
}
