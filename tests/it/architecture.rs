//! The architecture test: reads every `crate::`, `super::` and `self::` reference of
//! `src/` (`use crate::a::b`, `use crate::{a, b::c}`, inline `crate::a::f()`) and fails on
//! an import from a lower layer to a higher one, on a cycle between the modules of one
//! layer, on a top-level module no layer names, on a circle of files inside any folder,
//! on a command (`cmd/<name>.rs`) importing another command and on a `#[path]` module.
//! The layer order is declared once, here; docs/architecture.md explains it.

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

/// Circles of files that other engineers' branches remove (issue 18): services'
/// orchestration (`control`, `supervisor`, `watch`) and its presets (`plan`, `postgres`,
/// `preset`, `redis`). Each is a folder and the exact set of its files in the circle;
/// the lead empties this list when those branches are merged.
const KNOWN_UNTIL_MERGE: &[(&str, &[&str])] = &[];

/// Commands importing a sibling command, removed by the same branches: the services'
/// commands share `cmd/up.rs`, the tool commands `cmd/ide.rs`'s `refresh_shims`.
/// `(command, the command it imports)`; emptied by the lead at merge.
const KNOWN_CMD_UNTIL_MERGE: &[(&str, &str)] = &[];

#[test]
fn no_circle_of_files_in_a_folder_and_no_command_imports_a_command() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let sources: Vec<(Vec<String>, String)> = files
        .iter()
        .map(|f| (module_path(f.strip_prefix(&src).unwrap()), std::fs::read_to_string(f).unwrap()))
        .collect();
    let folders = folders(&sources);
    assert!(
        folders[&vec!["resolve".to_string()]]["resolver"].contains("sources"),
        "the folders were not read: {:?}",
        folders.keys().collect::<Vec<_>>()
    );
    let mut problems = file_problems(&folders, KNOWN_UNTIL_MERGE, KNOWN_CMD_UNTIL_MERGE);
    for (path, text) in &sources {
        if code_only(text).contains("#[path") {
            problems
                .push(format!("src/{}: a `#[path]` module: make it a file of its folder", path.join("/")));
        }
    }
    assert!(problems.is_empty(), "files of src/ import each other wrongly:\n{}", problems.join("\n"));
}

#[test]
fn the_check_finds_a_circle_of_files_and_a_command_importing_a_command() {
    let file = |path: &[&str], text: &str| (path.iter().map(|s| s.to_string()).collect(), text.to_string());
    let sources = vec![
        file(&["store"], "mod install;\nmod manifest;\nmod receipt;\npub use install::Error;\n"),
        file(&["store", "install"], "use super::{manifest::Manifest, Error};\n"),
        file(&["store", "manifest"], "fn f() { crate::store::receipt::touch(); }\n"),
        file(&["store", "receipt"], "use super::super::store::{self, install::{Error, Kind}};\n"),
        file(
            &["store", "gc"],
            "use super::receipt;\n#[cfg(test)]\nmod tests {\n    use super::super::install;\n}\n",
        ),
        file(&["cmd"], "mod ls;\nmod table;\n"),
        file(&["cmd", "ls"], "use super::{Ctx, table::{self, row}};\n"),
        file(&["cmd", "table"], "// use super::ls;\n"),
        file(&["cmd", "up"], "use crate::services;\nfn f() { let s = \"super::ls\"; }\n"),
    ];
    let folders = folders(&sources);
    let store = &folders[&vec!["store".to_string()]];
    assert_eq!(store["install"], ["manifest"].map(String::from).into());
    assert_eq!(store["receipt"], ["install"].map(String::from).into());
    assert_eq!(store["gc"], ["install", "receipt"].map(String::from).into());
    let cmd = &folders[&vec!["cmd".to_string()]];
    assert_eq!(cmd["ls"], ["table"].map(String::from).into());
    assert_eq!(cmd["up"], BTreeSet::new());
    let problems = file_problems(&folders, &[], &[]).join("\n");
    assert!(
        problems.contains("src/store/: install, manifest, receipt import each other in a circle (install -> manifest -> receipt -> install)"),
        "{problems}"
    );
    assert!(problems.contains("src/cmd/ls.rs imports the command `table`"), "{problems}");
    assert_eq!(problems.lines().count(), 2, "{problems}");
    // Listed as known, they pass; a circle that grew does not.
    assert!(
        file_problems(&folders, &[("store", &["install", "manifest", "receipt"])], &[("ls", "table")])
            .is_empty()
    );
    assert!(!file_problems(&folders, &[("store", &["install", "manifest"])], &[("ls", "table")]).is_empty());
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
    absolute_paths(path, text).into_iter().filter_map(|p| p.into_iter().next()).collect()
}

/// Every path `text` (the file of module `module`) names through `crate::`, `super::` or
/// `self::`, made absolute: `use super::registry::Ecosystem` in `resolve/error.rs` is
/// `[resolve, registry, Ecosystem]`. `{a, b::c}` groups are expanded, and an inline
/// module (`mod tests { use super::*; }`) is a level of its own. A `super::` past the
/// root names the root.
fn absolute_paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let code = code_only(text);
    let code = code.as_bytes();
    let word_at =
        |i: usize, w: &str| code[i..].starts_with(w.as_bytes()) && (i == 0 || !is_ident(code[i - 1]));
    let mut out = Vec::new();
    // The inline modules open at this point, each with the brace depth inside it.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut depth = 0;
    let mut i = 0;
    while i < code.len() {
        let here = || module.iter().cloned().chain(inline.iter().map(|(m, _)| m.clone())).collect::<Vec<_>>();
        let (base, rest) = if word_at(i, "crate::") {
            (Vec::new(), i + "crate::".len())
        } else if word_at(i, "self::") {
            (here(), i + "self::".len())
        } else if word_at(i, "super::") {
            let mut base = here();
            let mut j = i;
            while code[j..].starts_with(b"super::") {
                j += "super::".len();
                base.pop();
            }
            (base, j)
        } else {
            match code[i] {
                b'{' => {
                    depth += 1;
                    if let Some(name) = pending.take() {
                        inline.push((name, depth));
                    }
                }
                b'}' => {
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    depth = depth.saturating_sub(1);
                }
                b';' => pending = None,
                _ if word_at(i, "mod ") => {
                    let at = i + "mod ".len();
                    let at = at + code[at..].iter().take_while(|c| c.is_ascii_whitespace()).count();
                    let name = ident_at(code, at);
                    i = at + name.len();
                    pending = Some(name);
                    continue;
                }
                _ => {}
            }
            i += 1;
            continue;
        };
        let (tails, end) = path_tail(code, rest);
        out.extend(tails.into_iter().map(|t| base.iter().cloned().chain(t).collect()));
        i = end.max(rest);
    }
    out
}

fn ident_at(code: &[u8], at: usize) -> String {
    let end = code[at..].iter().position(|c| !is_ident(*c)).map_or(code.len(), |n| at + n);
    String::from_utf8_lossy(&code[at..end]).into_owned()
}

/// From `at` (just after `crate::` or `super::`): the identifiers of the path, one list
/// per leaf of a `{a, b::c, d::{e, self}}` group; and where the path ends.
fn path_tail(code: &[u8], mut at: usize) -> (Vec<Vec<String>>, usize) {
    let skip_ws = |at: usize| at + code[at..].iter().take_while(|c| c.is_ascii_whitespace()).count();
    let mut prefix = Vec::new();
    loop {
        at = skip_ws(at);
        if code.get(at) == Some(&b'{') {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut k = at;
            while k < code.len() {
                match code[k] {
                    b'{' | b',' if depth <= 1 => {
                        if code[k] == b'{' {
                            depth += 1;
                        }
                        let (tails, end) = path_tail(code, k + 1);
                        out.extend(tails.into_iter().map(|t| prefix.iter().cloned().chain(t).collect()));
                        k = end;
                        continue;
                    }
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return (out, k + 1);
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            return (out, k);
        }
        let word = ident_at(code, at);
        if word.is_empty() || word == "self" {
            let end = at + word.len();
            return (if prefix.is_empty() && word.is_empty() { Vec::new() } else { vec![prefix] }, end);
        }
        at += word.len();
        prefix.push(word);
        let next = skip_ws(at);
        if code[next..].starts_with(b"::") {
            at = next + 2;
        } else {
            return (vec![prefix], at);
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

/// A folder (its module path) → its files (child modules) → the sibling files each one
/// refers to (`super::x`, `crate::folder::x`, from the file or anything inside it).
type Folders = BTreeMap<Vec<String>, Graph>;

fn folders(sources: &[(Vec<String>, String)]) -> Folders {
    let known: BTreeSet<&[String]> = sources.iter().map(|(p, _)| p.as_slice()).collect();
    let mut out = Folders::new();
    for (path, text) in sources {
        let refs = absolute_paths(path, text);
        // `a/b/c.rs` is file `b` of folder `a/` and file `c` of folder `a/b/`.
        for d in 1..path.len() {
            let (folder, file) = (&path[..d], &path[d]);
            let node = out.entry(folder.to_vec()).or_default().entry(file.clone()).or_default();
            for r in &refs {
                if r.len() > d && r[..d] == *folder && r[d] != *file && known.contains(&r[..=d]) {
                    node.insert(r[d].clone());
                }
            }
        }
    }
    out
}

/// Every circle of files in a folder (one line per strongly connected group) and every
/// command importing another command, but the `known` ones.
fn file_problems(folders: &Folders, known: &[(&str, &[&str])], known_cmd: &[(&str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (folder, graph) in folders {
        let shown = folder.join("/");
        let mut seen = BTreeSet::new();
        for start in graph.keys() {
            if seen.contains(start) {
                continue;
            }
            let from_start = reachable(graph, start);
            let group: BTreeSet<&String> = graph
                .keys()
                .filter(|m| from_start.contains(*m) && reachable(graph, m).contains(start))
                .collect();
            seen.extend(group.iter().map(|m| (*m).clone()));
            if group.len() < 2 {
                continue;
            }
            let names: Vec<&str> = group.iter().map(|m| m.as_str()).collect();
            if known.iter().any(|(f, members)| *f == shown && *members == names.as_slice()) {
                continue;
            }
            problems.push(format!(
                "src/{shown}/: {} import each other in a circle ({}): move what they share into a file they all import",
                names.join(", "),
                circle(graph, &group, start).join(" -> ")
            ));
        }
    }
    for (command, imported) in folders.get(&vec!["cmd".to_string()]).into_iter().flatten() {
        for to in imported {
            if !known_cmd.contains(&(command.as_str(), to.as_str())) {
                problems.push(format!(
                    "src/cmd/{command}.rs imports the command `{to}`: move what they share to the layer it belongs to, or to cmd/mod.rs"
                ));
            }
        }
    }
    problems
}

/// The files `start` reaches, itself only through a circle.
fn reachable(graph: &Graph, start: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.to_string()];
    while let Some(at) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if seen.insert(next.clone()) {
                stack.push(next.clone());
            }
        }
    }
    seen
}

/// A shortest path from `start` back to itself, within `group`.
fn circle(graph: &Graph, group: &BTreeSet<&String>, start: &str) -> Vec<String> {
    let mut paths = std::collections::VecDeque::from([vec![start.to_string()]]);
    let mut seen = BTreeSet::new();
    while let Some(path) = paths.pop_front() {
        for next in graph.get(path.last().unwrap()).into_iter().flatten() {
            if !group.contains(next) {
                continue;
            }
            let mut longer = path.clone();
            longer.push(next.clone());
            if next == start {
                return longer;
            }
            if seen.insert(next.clone()) {
                paths.push_back(longer);
            }
        }
    }
    vec![start.to_string()]
}
