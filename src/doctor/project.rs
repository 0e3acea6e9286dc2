//! The project checks: den.toml trusted (or a summary of what changed since), its dotenv
//! files, its tools installed, nothing on PATH ahead of them, and `den enter` records whose
//! process is gone. Computes the project's PATH through the one env builder (trusted
//! projects only); never trusts, installs or removes anything.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::{Finding, Inputs, tilde};
use crate::env::state::State;
use crate::paths::DenDir;
use crate::project::{self, EnvValue, Origin, Project};
use crate::{env, env_vars, tools, trust};

/// What the other checks need to know about the project here.
pub struct Checked {
    pub root: PathBuf,
    /// Trusted den.toml, or foreign version files only (which need no trust).
    pub trusted: bool,
}

/// Every project check, pushed to `out`; `None` when there is no project here.
pub fn check(inputs: &Inputs, out: &mut Vec<Finding>) -> Option<Checked> {
    let project = match project::find(&inputs.cwd) {
        Ok(Some(p)) => p,
        Ok(None) => {
            out.push(Finding::note(
                "project",
                format!("no project here: no den.toml or version file in {} or above", inputs.cwd.display()),
            ));
            return None;
        }
        Err(e) => {
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            out.push(Finding::fail(
                "project",
                first,
                "correct the file at the place named, then run `den doctor` again",
            ));
            return None;
        }
    };
    let trusted = trust_findings(&project, out);
    let installed = tools_findings(inputs, &project, out);
    if let Some(installed) = installed {
        out.extend(shadowing(inputs, &project, trusted, &installed));
    }
    out.extend(stale_sessions(&project.root, &inputs.vars));
    Some(Checked { root: project.root, trusted })
}

/// `trust`: den.toml and its dotenv files; whether the project may be applied.
fn trust_findings(project: &Project, out: &mut Vec<Finding>) -> bool {
    let Origin::DenToml(file) = &project.origin else {
        out.push(Finding::ok("trust", "only other tools' version files here: they need no trust"));
        return true;
    };
    let content = project.den_toml.as_deref().unwrap_or_default();
    let trusted = match trust::status_of(file, content.as_bytes()) {
        Ok(trust::Status::Trusted) => {
            out.push(Finding::ok("trust", format!("{} is trusted", file.display())));
            true
        }
        Ok(trust::Status::Untrusted) => {
            out.push(Finding::fail(
                "trust",
                format!("{} is not trusted, so nothing of it is applied", file.display()),
                "read it, then run `den trust`",
            ));
            false
        }
        Ok(trust::Status::Changed { trusted_content }) => {
            out.push(Finding::fail(
                "trust",
                format!(
                    "{} changed since you trusted it ({})",
                    file.display(),
                    summary(&trusted_content, content)
                ),
                "run `den trust`: it shows the whole diff, then trusts the file",
            ));
            false
        }
        Err(e) => {
            out.push(Finding::fail("trust", e.to_string(), "check the permissions of den's trust records"));
            false
        }
    };
    for dotenv in &project.manifest.dotenv {
        let Ok(bytes) = crate::fs_util::read_input(&project.root.join(&dotenv.path)) else { continue };
        if trusted && !trust::dotenv_allowed(file, &project.root, &dotenv.path, &bytes) {
            out.push(Finding::fail(
                "trust",
                format!(
                    "{} changed since you trusted den.toml, and git tracks it: it is not applied",
                    dotenv.path
                ),
                "run `den trust`: it shows the diff, then trusts it",
            ));
        }
    }
    trusted
}

/// `+2 -1 lines, at line 3, 7`: what changed between the trusted content and now.
fn summary(trusted: &str, current: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let diff =
        TextDiff::configure().timeout(std::time::Duration::from_millis(200)).diff_lines(trusted, current);
    let (mut added, mut removed, mut lines) = (0, 0, Vec::new());
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => {
                added += 1;
                lines.extend(change.new_index().map(|i| i + 1));
            }
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let mut text = format!("+{added} -{removed} line{}", if added + removed == 1 { "" } else { "s" });
    if !lines.is_empty() {
        let shown: Vec<String> = lines.iter().take(5).map(ToString::to_string).collect();
        let more = if lines.len() > 5 { ", …" } else { "" };
        text.push_str(&format!(
            ", now at line{} {}{more}",
            if lines.len() == 1 { "" } else { "s" },
            shown.join(", ")
        ));
    }
    if trusted.is_empty() {
        text.push_str("; den's copy of the trusted content is gone");
    }
    text
}

/// `tools`: the project's tools installed for this machine; the installed ones.
fn tools_findings(
    inputs: &Inputs,
    project: &Project,
    out: &mut Vec<Finding>,
) -> Option<Vec<tools::Installed>> {
    if project.manifest.tools.is_empty() {
        return Some(Vec::new());
    }
    match tools::locate(project, inputs.config) {
        Ok((installed, missing)) if missing.is_empty() => {
            let n = installed.len();
            out.push(Finding::ok("tools", format!("{n} tool{} installed", if n == 1 { "" } else { "s" })));
            Some(installed)
        }
        Ok((installed, missing)) => {
            let names: Vec<String> = missing.iter().map(|m| format!("{} {}", m.name, m.spec)).collect();
            out.push(Finding::fail(
                "tools",
                format!("not installed: {}", names.join(", ")),
                "run `den install`",
            ));
            Some(installed)
        }
        Err(e) => {
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            out.push(Finding::fail("tools", first, "run `den install`"));
            None
        }
    }
}

/// `shadow`: each binary of the installed tools must be the first of its name on PATH:
/// this shell's PATH when the project is applied here, else the PATH den would give it.
fn shadowing(
    inputs: &Inputs,
    project: &Project,
    trusted: bool,
    installed: &[tools::Installed],
) -> Vec<Finding> {
    let bins: Vec<(&tools::Installed, &PathBuf)> =
        installed.iter().flat_map(|t| t.bins.iter().map(move |b| (t, b))).collect();
    if bins.is_empty() {
        return Vec::new();
    }
    let applied = State::decode(inputs.vars.get(env_vars::DEN_STATE_VAR).map(String::as_str))
        .is_some_and(|s| s.root == project.root);
    let (path, whose) = if applied {
        (inputs.vars.get("PATH").cloned().unwrap_or_default(), "this shell's PATH")
    } else if trusted {
        match den_path(inputs, project, installed) {
            Ok(path) => (path, "the PATH den gives the project"),
            Err(e) => {
                return vec![Finding::note("shadow", format!("cannot compute the project's PATH: {e}"))];
            }
        }
    } else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (tool, bin) in &bins {
        let Some(name) = bin.file_name() else { continue };
        let first = std::env::split_paths(&path).map(|d| d.join(name)).find(|p| is_executable(p));
        let same =
            |p: &Path| p == bin.as_path() || std::fs::canonicalize(p).ok() == std::fs::canonicalize(bin).ok();
        match first {
            Some(p) if same(&p) => {}
            Some(p) => out.push(Finding::fail(
                "shadow",
                format!(
                    "`{}` on {whose} is {}, not {} {} from den ({})",
                    name.to_string_lossy(),
                    tilde(&p, &inputs.vars),
                    tool.name,
                    tool.version,
                    bin.display()
                ),
                format!(
                    "take {} out of PATH ahead of den's tools (den.toml's [env] PATH, or a line of your shell rc that runs after den's hook)",
                    tilde(p.parent().unwrap_or(Path::new("/")), &inputs.vars)
                ),
            )),
            None => out.push(Finding::fail(
                "shadow",
                format!("`{}` of {} {} is not on {whose}", name.to_string_lossy(), tool.name, tool.version),
                "something took den's tool directories off PATH after the hook ran: check your shell rc",
            )),
        }
    }
    if out.is_empty() {
        let n = bins.len();
        out.push(Finding::ok(
            "shadow",
            format!("nothing shadows the project's {n} program{} on {whose}", if n == 1 { "" } else { "s" }),
        ));
    }
    out
}

/// The PATH the project gets from the env builder, against this environment with any
/// applied project taken off. Its secrets are left out first: a diagnosis reads no secret
/// file and runs no secret command (a PATH that refers to one cannot be computed).
fn den_path(
    inputs: &Inputs,
    project: &Project,
    installed: &[tools::Installed],
) -> Result<String, env::Error> {
    let mut project = project.clone();
    project.manifest.env.retain(|e| !matches!(e.value, EnvValue::File(_) | EnvValue::Command(_)));
    let project = &project;
    let base = env::Base::of(inputs.vars.clone());
    let dirs = tools::path_dirs(installed);
    let homes = tools::home_vars(installed);
    let target = base.target(project, &env::Layers::of(project, &dirs, &homes, false)?)?;
    Ok(match target.get("PATH").and_then(|v| v.value.clone()) {
        Some(path) => path,
        None => base.outside.get("PATH").cloned().unwrap_or_default(),
    })
}

fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// `sessions`: `den enter` records under `.den/sessions/` whose process is gone (or is
/// another process now).
fn stale_sessions(root: &Path, vars: &crate::env::Vars) -> Vec<Finding> {
    let den = DenDir::of(root);
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(den.sessions()).into_iter().flatten().flatten() {
        let text = crate::fs_util::read_input_string(&entry.path()).unwrap_or_default();
        let mut parts = text.split_whitespace();
        let pid = parts.next().and_then(|p| p.parse::<i32>().ok());
        let start = parts.next().and_then(|s| s.parse::<u64>().ok());
        let alive = match (pid, start) {
            (Some(pid), Some(start)) => crate::proc::is(pid, start),
            (Some(pid), None) => crate::proc::start_time(pid).is_some(),
            _ => false,
        };
        if !alive {
            stale.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    if stale.is_empty() {
        return Vec::new();
    }
    stale.sort();
    let paths: Vec<String> =
        stale.iter().flat_map(|id| [den.session(id), den.tmp_of(id)]).map(|p| tilde(&p, vars)).collect();
    let n = stale.len();
    vec![Finding::fail(
        "sessions",
        format!(
            "{n} `den enter` record{} in {} whose process is gone ({})",
            if n == 1 { "" } else { "s" },
            tilde(&den.sessions(), vars),
            stale.join(", ")
        ),
        format!("rm -rf {}", paths.join(" ")),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_lines_and_names_where_they_are_now() {
        assert_eq!(summary("a\nb\nc\n", "a\nB\nc\nd\n"), "+2 -1 lines, now at lines 2, 4");
        assert_eq!(summary("a\n", "a\nb\n"), "+1 -0 line, now at line 2");
        assert_eq!(summary("a\nb\n", "a\n"), "+0 -1 line");
        assert!(summary("", "a\n").ends_with("; den's copy of the trusted content is gone"));
    }
}
