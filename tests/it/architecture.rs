//! The architecture test: reads every `crate::` reference of `src/` (`use crate::a::b`,
//! `use crate::{a, b::c}`, inline `crate::a::f()` and `super::` paths that reach the
//! crate root) and fails on an import from a lower layer to a higher one, on a cycle
//! between the modules of one layer, and on a top-level module no layer names. The layer
//! order is declared once, here; docs/architecture.md explains it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import from its own layer (without a cycle)
/// and from the layers below it, never from a layer above.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "env_vars",
            "paths",
            "fs_util",
            "ui",
            "hint",
            "io_error",
            "proc",
            "http",
            "version",
            "artifact",
            "diag",
            "fuzz",
            "cache",
            "helper_env",
        ],
    ),
    ("models", &["catalog", "config", "project", "trust"]),
    ("resolve", &["resolve"]),
    ("store", &["store"]),
    ("tools", &["tools"]),
    ("environment", &["env", "shell"]),
    ("front ends", &["hook", "launch", "services", "ide", "doctor"]),
    ("commands", &["cli", "cmd", "error", "main"]),
];

/// Top-level module → the top-level modules it refers to (itself excluded).
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn src_imports_only_downward_and_has_no_cycle_within_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "found only {} files under {}", files.len(), src.display());
    let sources: Vec<(Vec<String>, String)> = files
        .iter()
        .map(|f| (module_path(f.strip_prefix(&src).unwrap()), std::fs::read_to_string(f).unwrap()))
        .collect();
    let graph = graph(&sources);
    assert!(
        graph.contains_key("env") && graph["cmd"].contains("launch"),
        "the graph was not read: {graph:?}"
    );
    let problems = check(&graph);
    assert!(problems.is_empty(), "the layering of src/ is broken:\n{}", problems.join("\n"));
}

#[test]
fn the_check_finds_an_upward_import_a_cycle_and_an_unplaced_module() {
    let file = |path: &[&str], text: &str| (path.iter().map(|s| s.to_string()).collect(), text.to_string());
    let sources = vec![
        file(&["store", "gc"], "use crate::{fs_util, tools::pins};\n"),
        file(&["env"], "fn f() { crate::shell::render(); }\n"),
        file(&["shell", "posix"], "use super::super::env::Target;\n"),
        file(&["newthing"], "// use crate::cmd;\nuse crate::ui;\n"),
        file(&["ui"], "let s = \"crate::cmd\"; // crate::cmd\n"),
        file(&["fs_util"], ""),
        file(&["tools"], ""),
        file(&["cmd"], ""),
    ];
    let graph = graph(&sources);
    assert_eq!(graph["store"], ["fs_util", "tools"].map(String::from).into());
    assert_eq!(graph["shell"], ["env"].map(String::from).into());
    assert_eq!(graph["newthing"], ["ui"].map(String::from).into());
    assert_eq!(graph["ui"], BTreeSet::new());
    let problems = check(&graph).join("\n");
    assert!(problems.contains("store (store) imports tools (tools), a higher layer"), "{problems}");
    assert!(problems.contains("cycle in layer environment: env -> shell -> env"), "{problems}");
    assert!(problems.contains("newthing is in no layer"), "{problems}");
}

/// The modules that write inside a project (`.den/`, den.toml, den.lock): they create,
/// replace and append only through `fs_util::beneath`, never with the path-based writers
/// of den's own machine directories (which follow a link a repository committed in a
/// parent directory). Clippy's `disallowed-methods` (clippy.toml) fences `std::fs`'s.
const PROJECT_WRITERS: &[&str] =
    &["services", "launch", "ide", "cmd", "hook", "resolve/lock", "tools/edit", "trust/mod.rs"];

/// den's path-based writers, for den's own directories only.
const MACHINE_WRITERS: &[&str] = &[
    "fs_util::write_atomic(",
    "fs_util::create_private_file(",
    "fs_util::private_dir(",
    "fs_util::create_private_dir_all(",
];

#[test]
fn modules_writing_in_a_project_write_only_through_fs_util_beneath() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
        if !PROJECT_WRITERS.iter().any(|m| rel.starts_with(m)) {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(file).unwrap();
        // Tests set up their fixtures freely.
        let code = code_only(text.split("#[cfg(test)]").next().unwrap_or_default());
        // Stamps of the hook live in den's own cache directory.
        for writer in MACHINE_WRITERS {
            let allowed = rel == "hook/activate.rs" && *writer == "fs_util::create_private_dir_all(";
            if code.contains(writer) && !allowed {
                problems
                    .push(format!("{rel} calls {writer}…): write inside a project with fs_util::beneath"));
            }
        }
    }
    assert!(seen > 20, "found only {seen} files of the project writers");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a/b/c.rs` → `[a, b, c]`, `a/mod.rs` → `[a]`, `main.rs` → `[main]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" || parts.is_empty() {
        parts.push(stem.to_string());
    }
    parts
}

/// The text without `//` comments (doc comments included) and string literals, which
/// may mention paths without importing them.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal ('"', '\'') must not open a string; lifetimes pass through.
            '\'' => {
                let rest: String = chars.clone().take(3).collect();
                if rest.starts_with('\\') {
                    let end = rest.find('\'').map_or(0, |i| i + 1);
                    chars.by_ref().take(end.max(2)).for_each(drop);
                } else if rest.chars().nth(1) == Some('\'') {
                    chars.by_ref().take(2).for_each(drop);
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The top-level modules `text` (of the module at `path`) refers to.
fn references(path: &[String], text: &str) -> BTreeSet<String> {
    let code = code_only(text);
    let code = code.as_bytes();
    let word_at =
        |i: usize, w: &str| code[i..].starts_with(w.as_bytes()) && (i == 0 || !is_ident(code[i - 1]));
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < code.len() {
        let (rest, reaches_root) = if word_at(i, "crate::") {
            (i + "crate::".len(), true)
        } else if word_at(i, "super::") {
            // A file `a/b.rs` is module `a::b`: `super::super::x` there names the root's `x`.
            let mut j = i;
            let mut supers = 0;
            while code[j..].starts_with(b"super::") {
                j += "super::".len();
                supers += 1;
            }
            (j, supers >= path.len())
        } else {
            i += 1;
            continue;
        };
        if reaches_root {
            collect_items(code, rest, &mut out);
        }
        i = rest;
    }
    out
}

fn ident_at(code: &[u8], at: usize) -> String {
    let end = code[at..].iter().position(|c| !is_ident(*c)).map_or(code.len(), |n| at + n);
    String::from_utf8_lossy(&code[at..end]).into_owned()
}

/// From `at` (just after `crate::`): the first identifier, or every first identifier of
/// a `{a, b::c, d::{e}}` group.
fn collect_items(code: &[u8], at: usize, out: &mut BTreeSet<String>) {
    if code.get(at) != Some(&b'{') {
        let word = ident_at(code, at);
        if !word.is_empty() {
            out.insert(word);
        }
        return;
    }
    let mut depth = 0;
    let mut expect = true;
    for (k, &c) in code.iter().enumerate().skip(at) {
        match c {
            b'{' => {
                depth += 1;
                expect = depth == 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
            b',' if depth == 1 => expect = true,
            c if depth == 1 && expect && is_ident(c) => {
                let word = ident_at(code, k);
                if word != "self" {
                    out.insert(word);
                }
                expect = false;
            }
            c if depth == 1 && !c.is_ascii_whitespace() => expect = false,
            _ => {}
        }
    }
}

/// The graph of the top-level modules (a module is the first component of a file's
/// path); names that are no top-level module (a `super::x` of an inline module) are not
/// edges.
fn graph(sources: &[(Vec<String>, String)]) -> Graph {
    let modules: BTreeSet<&String> = sources.iter().map(|(path, _)| &path[0]).collect();
    let mut graph = Graph::new();
    for (path, text) in sources {
        let module = path[0].clone();
        let refs: Vec<String> =
            references(path, text).into_iter().filter(|r| *r != module && modules.contains(r)).collect();
        graph.entry(module).or_default().extend(refs);
    }
    graph
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, modules)| modules.contains(&module))
}

/// Every upward import, cycle within a layer and module in no layer, one line each.
fn check(graph: &Graph) -> Vec<String> {
    let mut problems = Vec::new();
    for (from, tos) in graph {
        let Some(lf) = layer_of(from) else {
            problems.push(format!("{from} is in no layer: add it to LAYERS in tests/it/architecture.rs"));
            continue;
        };
        for to in tos {
            match layer_of(to) {
                Some(lt) if lt > lf => problems.push(format!(
                    "{from} ({}) imports {to} ({}), a higher layer",
                    LAYERS[lf].0, LAYERS[lt].0
                )),
                _ => {}
            }
        }
    }
    for (name, modules) in LAYERS {
        for cycle in cycles(graph, modules) {
            problems.push(format!("cycle in layer {name}: {}", cycle.join(" -> ")));
        }
    }
    problems
}

/// One cycle per strongly connected group of `modules` (edges within them only), as a
/// path that starts and ends at the same module.
fn cycles(graph: &Graph, modules: &[&str]) -> Vec<Vec<String>> {
    let within = |m: &str| -> Vec<String> {
        graph
            .get(m)
            .map(|t| t.iter().filter(|t| modules.contains(&t.as_str())).cloned().collect())
            .unwrap_or_default()
    };
    let mut found = Vec::new();
    let mut reported: BTreeSet<String> = BTreeSet::new();
    for start in modules {
        if reported.contains(*start) {
            continue;
        }
        // Depth-first search for a path back to `start`.
        let mut stack = vec![(start.to_string(), vec![start.to_string()])];
        let mut seen = BTreeSet::new();
        while let Some((at, path)) = stack.pop() {
            for next in within(&at) {
                if next == *start {
                    let mut cycle = path.clone();
                    cycle.push(next);
                    reported.extend(cycle.iter().cloned());
                    found.push(cycle);
                    stack.clear();
                    break;
                }
                if seen.insert(next.clone()) {
                    let mut p = path.clone();
                    p.push(next.clone());
                    stack.push((next, p));
                }
            }
        }
    }
    found
}
