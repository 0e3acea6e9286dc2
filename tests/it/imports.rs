//! Importing other tools' files, one rule at a time, through the real binary: what `den ls`
//! and `den export` read in place of a missing den.toml (with a warning naming the file and
//! line for anything not imported as written), what `den init` imports, and that a
//! repository that does not use den is left untouched.

use std::path::Path;

use crate::shells::{BASH, World, installed, quoted};
use crate::support::{Env, run};

/// stderr with the project's path shown as `<p>`.
fn shown(env: &Env, stderr: &str) -> String {
    stderr.replace(&env.project().display().to_string(), "<p>")
}

/// `den ls` in the project: `(tool, spec)` rows and the warnings (without `den: warning: `).
fn ls(env: &Env) -> (Vec<(String, String)>, Vec<String>) {
    let out = run(env.den(), &["ls"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = out
        .stdout
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            (w.next().unwrap().to_string(), w.next().unwrap().to_string())
        })
        .collect();
    let warnings = shown(env, &out.stderr)
        .lines()
        .map(|l| l.strip_prefix("den: warning: ").unwrap_or_else(|| panic!("not a warning: {l}")).to_string())
        .collect();
    (rows, warnings)
}

fn rows(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// A fresh project holding `files`.
fn project(files: &[(&str, &str)]) -> Env {
    let env = Env::new();
    for (name, text) in files {
        env.write(name, text);
    }
    env
}

/// `den init`: its stderr (paths as `<p>`) and the den.toml it wrote.
fn init(env: &Env) -> (String, String) {
    let out = run(env.den(), &["init"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
    (shown(env, &out.stderr), std::fs::read_to_string(env.project().join("den.toml")).unwrap())
}

/// The lines of a den.toml section, up to the blank line that ends it.
fn section(text: &str, header: &str) -> Vec<String> {
    let start = text.find(&format!("{header}\n")).unwrap() + header.len() + 1;
    text[start..].lines().take_while(|l| !l.is_empty()).map(str::to_string).collect()
}

const FLOATS: &str = "the version changes as new releases appear (den locks the one it installs)";

#[test]
fn nvmrc_whitespace_cr_comments_v_and_quotes() {
    let env = project(&[(".nvmrc", "# the project's node\r\n\n  \"v20.11.1\"  # pinned\r\n")]);
    assert_eq!(ls(&env), (rows(&[("node", "20.11.1")]), vec![]));
    let env = project(&[(".node-version", "'v22.3.0'\r\n")]);
    assert_eq!(ls(&env), (rows(&[("node", "22.3.0")]), vec![]));
}

#[test]
fn nvmrc_lts_lines_are_kept_for_den_to_resolve() {
    let env = project(&[(".nvmrc", "lts/hydrogen\n")]);
    assert_eq!(
        ls(&env),
        (
            rows(&[("node", "lts/hydrogen")]),
            vec![format!("<p>/.nvmrc:1: node `lts/hydrogen` floats: {FLOATS}")]
        )
    );
    let env = project(&[(".node-version", "lts/*\n")]);
    assert_eq!(
        ls(&env),
        (rows(&[("node", "lts")]), vec![format!("<p>/.node-version:1: node `lts` floats: {FLOATS}")])
    );
}

#[test]
fn nvm_aliases_node_and_iojs() {
    let env = project(&[(".nvmrc", "node\n")]);
    assert_eq!(
        ls(&env),
        (rows(&[("node", "latest")]), vec![format!("<p>/.nvmrc:1: node `latest` floats: {FLOATS}")])
    );
    let env = project(&[(".nvmrc", "iojs\n")]);
    assert_eq!(
        ls(&env),
        (vec![], vec!["<p>/.nvmrc:1: not read: `iojs` is io.js, which den does not install".into()])
    );
}

#[test]
fn a_range_is_refused_in_nvmrc_and_kept_in_node_version() {
    for range in [">=18.16", "^18"] {
        let env = project(&[(".nvmrc", &format!("{range}\n"))]);
        assert_eq!(
            ls(&env),
            (
                vec![],
                vec![format!(
                    "<p>/.nvmrc:1: not read: `{range}` is a range, which nvm does not read: write one version, \
                     such as `22` or `22.11.0`"
                )]
            )
        );
        let env = project(&[(".node-version", &format!("{range}\n"))]);
        assert_eq!(
            ls(&env),
            (
                rows(&[("node", range)]),
                vec![format!(
                    "<p>/.node-version:1: node `{range}` is a range, not a pin: den takes the newest version it allows"
                )]
            )
        );
    }
    let env = project(&[(".nvmrc", "18 || 22\n")]);
    assert_eq!(
        ls(&env),
        (
            vec![],
            vec!["<p>/.nvmrc:1: not read: `18 || 22` is a choice of ranges, which den cannot express: write one \
                  version, such as the newest it allows; it holds one version of node, such as `22`, `22.11.0` or \
                  `lts/iron`"
                .into()]
        )
    );
}

#[test]
fn an_lts_codename_den_does_not_know_is_refused_with_its_line() {
    let env = project(&[(".nvmrc", "# node\nlts/unobtainium\n")]);
    let (tools, warnings) = ls(&env);
    assert_eq!(tools, vec![]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "<p>/.nvmrc:2: not read: `lts/unobtainium` is not an LTS line den knows (it knows lts/argon (4), "
        ) && warnings[0].contains("lts/iron (20)"),
        "{warnings:?}"
    );
}

#[test]
fn backend_names_of_catalog_tools_are_the_catalog_tools() {
    let env = project(&[(
        "mise.toml",
        "[tools]\n\"aqua:helm/helm\" = \"3.16.2\"\n\"aqua:kubernetes/kubectl\" = \"1.31\"\n\
         \"github:cli/cli\" = \"2.60.0\"\n\"aqua:helm/chart-testing\" = \"3.11.0\"\n\
         \"aqua:gruntwork-io/terragrunt\" = \"0.69.1\"\n",
    )]);
    let (stderr, text) = init(&env);
    assert_eq!(
        section(&text, "[tools]"),
        [
            "helm = \"3.16.2\"",
            "kubectl = \"1.31\"",
            "gh = \"2.60.0\"",
            "chart-testing = { version = \"3.11.0\", source = \"aqua:helm/chart-testing\" }",
            "terragrunt = \"0.69.1\"",
        ]
    );
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.starts_with("den: warning:")).collect();
    assert_eq!(
        warnings,
        [
            "den: warning: <p>/mise.toml:2: `aqua:helm/helm` is imported as den's helm (the catalog's definition of \
             the same tool)",
            "den: warning: <p>/mise.toml:3: `aqua:kubernetes/kubectl` is imported as den's kubectl (the catalog's \
             definition of the same tool)",
            "den: warning: <p>/mise.toml:4: `github:cli/cli` is imported as den's gh (the catalog's definition of \
             the same tool)",
            "den: warning: <p>/mise.toml:6: `aqua:gruntwork-io/terragrunt` is imported as den's terragrunt (the \
             catalog's definition of the same tool)",
        ]
    );
    let env = project(&[(".tool-versions", "aqua:helm/helm 3.16.2\n")]);
    assert_eq!(
        ls(&env),
        (
            rows(&[("helm", "3.16.2")]),
            vec!["<p>/.tool-versions:1: `aqua:helm/helm` is imported as den's helm (the catalog's definition of the \
                  same tool)"
                .into()]
        )
    );
}

#[test]
fn what_is_not_a_version_rejects_the_file_with_one_message() {
    for text in ["node = \"20\"\n", "node=20\n", "Please use the node LTS release\nthanks\n"] {
        let env = project(&[(".nvmrc", text)]);
        let (tools, warnings) = ls(&env);
        assert_eq!(tools, vec![], "{text:?}");
        assert_eq!(warnings.len(), 1, "{text:?}: {warnings:?}");
        let first = text.lines().next().unwrap();
        assert_eq!(
            warnings[0],
            format!(
                "<p>/.nvmrc:1: not read: `{first}` is not a version of node; it holds one version of node, such as \
                 `22`, `22.11.0` or `lts/iron`"
            )
        );
    }
}

#[test]
fn python_version_fallbacks_virtualenvs_system_and_other_pythons() {
    let env = project(&[(".python-version", "3.12.1\n3.11.9\n")]);
    assert_eq!(
        ls(&env),
        (
            rows(&[("python", "3.12.1")]),
            vec!["<p>/.python-version:1: the fallback versions `3.11.9` are ignored: den uses the first, `3.12.1`".into()]
        )
    );
    for (text, why) in [
        ("myenv", "`myenv` is not a version: a pyenv virtualenv's name, which den does not manage"),
        (
            "3d-viewer-env",
            "`3d-viewer-env` is not a version of python (a pyenv virtualenv's name or a build den does not \
             install; den installs CPython releases such as `3.12.1`)",
        ),
        ("system", "`system` means the machine's own python, which den does not manage"),
        ("pypy3.10-7.3.12", "`pypy3.10-7.3.12` is pypy, which den does not install (it installs CPython)"),
        ("graalpy-24.1.0", "`graalpy-24.1.0` is graalpy, which den does not install (it installs CPython)"),
    ] {
        let env = project(&[(".python-version", &format!("{text}\n"))]);
        assert_eq!(
            ls(&env),
            (
                vec![],
                vec![format!(
                    "<p>/.python-version:1: not read: {why}; it holds a version of python, such as `3.12`"
                )]
            )
        );
    }
}

#[test]
fn tool_versions_comments_fallbacks_skips_and_names() {
    let env = project(&[(
        ".tool-versions",
        "# tools of this repository\n\
         nodejs 22.11.0 20.18.0   # newest first\n\
         golang 1.23.4\n\
         terraform-switcher 0.19.0\n\
         golangci-lint 1.61.0\n\
         terraform 1.9.8 # infra\n\
         python system\n\
         zig ref:0.14-dev\n\
         ruff path:/opt/ruff\n",
    )]);
    assert_eq!(
        ls(&env),
        (
            rows(&[("node", "22.11.0"), ("go", "1.23.4"), ("golangci-lint", "1.61.0"), ("terraform", "1.9.8")]),
            vec![
                "<p>/.tool-versions:2: node: the first version, `22.11.0`, wins; `20.18.0` ignored".into(),
                "<p>/.tool-versions:4: terraform-switcher not imported: den has no built-in definition of it (declare \
                 it in den.toml with a `source` or `url`)"
                    .into(),
                "<p>/.tool-versions:7: python not imported: `system` means the machine's own python, which den does \
                 not manage"
                    .into(),
                "<p>/.tool-versions:8: zig not imported: `ref:0.14-dev` is not a released version (den installs \
                 released versions only)"
                    .into(),
                "<p>/.tool-versions:9: ruff not imported: `path:/opt/ruff` is not a released version (den installs \
                 released versions only)"
                    .into(),
            ]
        )
    );
}

#[test]
fn mise_tools_as_strings_lists_and_tables_with_backends() {
    let env = project(&[(
        "mise.toml",
        "min_version = \"2024.1.0\"\n\
         [tools]\n\
         node = \"22\"\n\
         python = [\"3.12\", \"3.11\"]\n\
         go = { version = \"1.23\", os = [\"linux\"] }\n\
         \"npm:prettier\" = \"3.3.3\"\n\
         \"pipx:black\" = \"24.8.0\"\n\
         \"pypi:uv\" = \"0.4\"\n\
         \"github:BurntSushi/ripgrep\" = \"14.1.1\"\n\
         \"ubi:sharkdp/fd\" = \"10\"\n\
         \"aqua:jqlang/jq\" = \"1.7.1\"\n\
         \"cargo:cargo-edit\" = \"0.13\"\n\
         \"core:zig\" = \"0.13.0\"\n\
         [tasks.build]\n\
         run = \"make\"\n\
         tools = { bun = \"1\" }\n",
    )]);
    let (stderr, text) = init(&env);
    assert_eq!(
        section(&text, "[tools]"),
        [
            "node = \"22\"",
            "python = \"3.12\"",
            "go = \"1.23\"",
            "prettier = { version = \"3.3.3\", source = \"npm:prettier\" }",
            "black = { version = \"24.8.0\", source = \"pypi:black\" }",
            "uv = { version = \"0.4\", source = \"pypi:uv\" }",
            "ripgrep = \"14.1.1\"",
            "fd = \"10\"",
            "jq = \"1.7.1\"",
            "zig = \"0.13.0\"",
        ]
    );
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        [
            "den: mise.toml: imported node 22, python 3.12, go 1.23, prettier 3.3.3 (from npm:prettier), black 24.8.0 \
             (from pypi:black), uv 0.4 (from pypi:uv), ripgrep 14.1.1, fd 10, jq 1.7.1, zig 0.13.0",
            "den: warning: <p>/mise.toml:4: python: the first version, `3.12`, wins; `3.11` ignored",
            "den: warning: <p>/mise.toml:5: go: its options `os` are not imported (den has no equivalent)",
            "den: warning: <p>/mise.toml:9: `github:BurntSushi/ripgrep` is imported as den's ripgrep (the catalog's \
             definition of the same tool)",
            "den: warning: <p>/mise.toml:10: `ubi:sharkdp/fd` is imported as den's fd (the catalog's definition of \
             the same tool)",
            "den: warning: <p>/mise.toml:11: `aqua:jqlang/jq` is imported as den's jq (the catalog's definition of \
             the same tool)",
            "den: warning: <p>/mise.toml:12: cargo:cargo-edit not imported: den has no source for mise's `cargo` backend",
            "den: wrote <p>/den.toml (not trusted yet: it holds sources or variables the repository's files chose)",
            "den: next: review it, run `den trust`, then `den install` to install its tools",
        ]
    );
    // What the repository chose waits for the user's review.
    assert_eq!(run(env.den(), &["export", "--format", "json"]).code, 1);
    assert_eq!(run(env.den(), &["trust"]).code, 0);
    let (tools, warnings) = ls(&env);
    assert_eq!((tools.len(), warnings), (10, vec![]));
}

#[test]
fn mise_aliases_and_disabled_tools() {
    let env = project(&[(
        ".mise.toml",
        "[settings]\ndisable_tools = [\"python\"]\n\
         [alias]\nfmt = \"npm:prettier\"\n\
         [alias.node.versions]\nwork = \"20\"\n\
         [tools]\nnode = \"work\"\npython = \"3.12\"\nfmt = \"3\"\n",
    )]);
    let (stderr, text) = init(&env);
    assert_eq!(
        section(&text, "[tools]"),
        ["node = \"20\"", "fmt = { version = \"3\", source = \"npm:prettier\" }"]
    );
    assert!(
        stderr.contains(
            "den: warning: <p>/.mise.toml:9: python not imported: settings.disable_tools disables it\n"
        ),
        "{stderr}"
    );
}

#[test]
fn mise_env_plain_values_only_and_never_without_trust() {
    let env = project(&[(
        "mise.toml",
        "[env]\nNODE_ENV = \"development\"\nPRICE = \"5$ off\"\nWORKERS = 4\nLEGACY = false\n\
         HOME_BIN = \"{{ env.HOME }}/bin\"\n_.path = [\"./bin\"]\n_.file = \".env\"\n\
         [tools]\nnode = \"22\"\n",
    )]);
    // Without a den.toml, the repository's variables are not applied.
    let out = run(env.den(), &["export", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("NODE_ENV"), "{}", out.stdout);
    let stderr = shown(&env, &out.stderr);
    assert!(
        stderr.contains(
            "den: warning: <p>/mise.toml:2: [env] (NODE_ENV, PRICE, WORKERS, LEGACY) is not applied without a \
             den.toml: variables the repository sets need your trust (`den init` imports them for you to review)\n"
        ),
        "{stderr}"
    );
    let (stderr, text) = init(&env);
    assert_eq!(
        section(&text, "[env]"),
        ["NODE_ENV = \"development\"", "PRICE = \"5$$ off\"", "WORKERS = \"4\"", "LEGACY = { unset = true }"]
    );
    for line in [
        "den: warning: <p>/mise.toml:6: HOME_BIN not imported: its value is a template, which den does not evaluate",
        "den: warning: <p>/mise.toml:7: `_.path`, `_.file` not imported: mise directives are not evaluated (in \
         den.toml, `PATH = { prepend = [...] }` and `dotenv = [...]` do the same)",
    ] {
        assert!(stderr.contains(&format!("{line}\n")), "{line}\nnot in\n{stderr}");
    }
    assert_eq!(run(env.den(), &["trust"]).code, 0);
    let out = run(env.den(), &["export", "--format", "json"]);
    let vars: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((vars["NODE_ENV"].as_str(), vars["PRICE"].as_str()), (Some("development"), Some("5$ off")));
}

#[test]
fn byte_order_marks_and_utf16() {
    let env = Env::new();
    std::fs::write(env.project().join(".nvmrc"), "\u{feff}22.11.0\n").unwrap();
    let utf16: Vec<u8> =
        [0xFF, 0xFE].into_iter().chain("3.12\r\n".encode_utf16().flat_map(u16::to_le_bytes)).collect();
    std::fs::write(env.project().join(".python-version"), utf16).unwrap();
    let be: Vec<u8> =
        [0xFE, 0xFF].into_iter().chain("1.23\n".encode_utf16().flat_map(u16::to_be_bytes)).collect();
    std::fs::write(env.project().join(".go-version"), be).unwrap();
    assert_eq!(ls(&env), (rows(&[("node", "22.11.0"), ("python", "3.12"), ("go", "1.23")]), vec![]));
}

#[test]
fn a_file_den_cannot_read_is_rejected_alone() {
    let env = Env::new();
    std::fs::write(env.project().join(".nvmrc"), b"\x80\x81 22\n").unwrap();
    std::fs::write(env.project().join(".python-version"), vec![b'3'; 9 << 20]).unwrap();
    env.write(".go-version", "1.23\n");
    assert_eq!(
        ls(&env),
        (
            rows(&[("go", "1.23")]),
            vec![
                "<p>/.nvmrc: not read: it is not UTF-8 or UTF-16 text".into(),
                "<p>/.python-version: not read: den cannot read it (larger than 8 MiB, more than den reads of such a \
                 file)"
                    .into(),
            ]
        )
    );
}

#[test]
fn floating_versions_get_one_warning_per_file() {
    let env =
        project(&[(".tool-versions", "nodejs lts\nruff latest\ngo 1.23\n"), (".python-version", "latest\n")]);
    assert_eq!(
        ls(&env),
        (
            rows(&[("node", "lts"), ("ruff", "latest"), ("go", "1.23"), ("python", "latest")]),
            vec![
                format!("<p>/.tool-versions:1: node `lts`, ruff `latest` float: {FLOATS}"),
                format!("<p>/.python-version:1: python `latest` floats: {FLOATS}"),
            ]
        )
    );
}

#[test]
fn when_files_disagree_the_first_in_den_order_wins_and_says_why() {
    let env = project(&[
        ("mise.toml", "[tools]\nnode = \"22\"\n"),
        (".tool-versions", "python 3.12.1\nnodejs 22\n"),
        (".nvmrc", "20\n"),
        (".python-version", "3.11\n"),
    ]);
    assert_eq!(
        ls(&env),
        (
            rows(&[("node", "22"), ("python", "3.12.1")]),
            vec![
                "<p>/.nvmrc:1: node `20` is not used: mise.toml:2 asks for `22`, and mise.toml comes first (den reads \
                 mise.toml, .mise.toml, .tool-versions, then the one-tool files)"
                    .into(),
                "<p>/.python-version:1: python `3.11` is not used: .tool-versions:1 asks for `3.12.1`, and \
                 .tool-versions comes first (den reads mise.toml, .mise.toml, .tool-versions, then the one-tool files)"
                    .into(),
            ]
        )
    );
}

#[test]
fn init_writes_no_provenance_an_edit_could_make_false() {
    let env = project(&[(".nvmrc", "22\n"), (".python-version", "3.12\n")]);
    let (_, text) = init(&env);
    assert_eq!(section(&text, "[tools]"), ["node = \"22\"", "python = \"3.12\""]);
    assert!(text.starts_with(
        "# den.toml: this project's development environment (see `den --help`).\n\
         # `den init` wrote it from .nvmrc, .python-version; den reads those files only where there is no den.toml.\n"
    ));
    assert!(!text.contains("# from"), "{text}");
}

#[test]
fn init_warns_before_nesting_a_project_inside_another() {
    let env = project(&[("den.toml", "[tools]\n"), ("web/.nvmrc", "22\n")]);
    let out = run(env.den(), &["init", "web"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        shown(&env, &out.stderr).lines().collect::<Vec<_>>(),
        [
            "den: warning: <p>/den.toml governs <p>/web today; the new den.toml makes it a project of its own, which \
             does not inherit that one's tools, variables or services",
            "den: .nvmrc: imported node 22",
            "den: wrote <p>/web/den.toml (trusted: den wrote it)",
            "den: next: run `den install` to install node 22; edit it to add more, then run `den trust` to apply your edits",
        ]
    );
    // Not nested: no warning.
    let env = project(&[("web/.nvmrc", "22\n")]);
    let out = run(env.den(), &["init", "web"]);
    assert!(!out.stderr.contains("governs"), "{}", out.stderr);
}

/// The hook reads the foreign files at each load only: a warning is shown once, not at
/// every prompt, and again only when the file changes.
#[test]
fn the_hook_warns_once_per_load() {
    assert!(installed("bash"), "this test needs bash");
    let w = World::new();
    let dir = w.env.tmp.path().join("nvm project");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".nvmrc"), "lts/*\n").unwrap();
    let mut sh = w.shell(&BASH);
    sh.run(&format!("source {}", quoted(Path::new(&w.hook("bash")))));
    let mut seen = sh.run(&format!("cd {}", quoted(&dir)));
    for _ in 0..4 {
        seen += &sh.run("true");
    }
    assert_eq!(seen.matches("node `lts` floats").count(), 1, "{seen}");
    std::fs::write(dir.join(".nvmrc"), "18 || 22\n").unwrap();
    let mut seen = String::new();
    for _ in 0..4 {
        seen += &sh.run("true");
    }
    assert_eq!(seen.matches("is a choice of ranges").count(), 1, "{seen}");
}

/// `den install` beside foreign files only keeps its lock in den's own state: the
/// repository gets no new file.
#[test]
fn install_beside_foreign_files_leaves_the_repository_untouched() {
    let up = crate::upstream::Upstream::start();
    up.catalog_tool("node", "22.11.0");
    let env = Env::new();
    up.write_config(&env);
    env.write(".nvmrc", "22\n");
    for args in [&["install"][..], &["export", "--format", "json"], &["export", "bash"], &["ls"]] {
        let out = run(env.den(), args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let names: Vec<String> = std::fs::read_dir(env.project())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into())
        .collect();
    assert_eq!(names, [".nvmrc"], "den wrote into a repository that does not use den");
    let state = crate::install::store(&env).join("foreign-locks-v1");
    let dirs: Vec<_> = std::fs::read_dir(&state).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    assert!(dirs[0].file_name().unwrap().to_string_lossy().starts_with("project-"), "{dirs:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(&dirs[0]), mode(&dirs[0].join("den.lock"))), (0o700, 0o600));
    let out = run(env.den(), &["ls"]);
    assert_eq!(out.stdout.split_whitespace().take(4).collect::<Vec<_>>(), ["node", "22", "22.11.0", "yes"]);
    // That lock is a known project's: pruning keeps what it pins.
    let out = run(env.den(), &["cache", "prune", "--older-than", "0"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run(env.den(), &["ls"]);
    assert_eq!(out.stdout.split_whitespace().take(4).collect::<Vec<_>>(), ["node", "22", "22.11.0", "yes"]);
}
