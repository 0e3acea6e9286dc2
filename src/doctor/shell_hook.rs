//! The hook checks: is `den hook <shell>` in the user's shell startup files, and is it
//! active in the shell den was started from. A child process cannot see the hook's shell
//! variables, so "active" is read from what the hook exports: `__DEN_STATE` names the
//! project applied (and a trusted project here with nothing applied means the hook did not
//! run). Reads rc files (bounded), never writes them.

use std::path::{Path, PathBuf};

use super::project::Checked;
use super::{Finding, home, tilde};
use crate::env::Vars;
use crate::env::state::State;
use crate::env_vars as ev;
use crate::shell::Shell;

/// Every shell den has a hook for.
fn shells() -> &'static [Shell] {
    <Shell as clap::ValueEnum>::value_variants()
}

/// Where `shell` reads its startup files, most usual first.
fn rc_files(shell: Shell, vars: &Vars) -> Vec<PathBuf> {
    let Some(home) = home(vars) else { return Vec::new() };
    match shell {
        Shell::Bash => {
            [".bashrc", ".bash_profile", ".bash_login", ".profile"].iter().map(|f| home.join(f)).collect()
        }
        Shell::Zsh => {
            let dir = vars.get(ev::ZDOTDIR).filter(|d| !d.is_empty()).map_or(home, PathBuf::from);
            [".zshrc", ".zprofile", ".zshenv"].iter().map(|f| dir.join(f)).collect()
        }
        Shell::Fish => {
            let config = vars
                .get(ev::XDG_CONFIG_HOME)
                .filter(|d| !d.is_empty())
                .map_or(home.join(".config"), PathBuf::from);
            let fish = config.join("fish");
            let mut files = vec![fish.join("config.fish")];
            let mut confd: Vec<PathBuf> = std::fs::read_dir(fish.join("conf.d"))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "fish"))
                .collect();
            confd.sort();
            files.extend(confd);
            files
        }
    }
}

/// Whether `file` has an uncommented line that runs `den hook <shell>`.
fn has_hook(file: &Path, shell: Shell) -> bool {
    let Ok(text) = crate::fs_util::read_input_string(file) else { return false };
    let needle = format!("hook {}", shell.name());
    text.lines().any(|l| {
        let l = l.trim_start();
        !l.starts_with('#') && l.contains("den") && l.contains(&needle)
    })
}

/// The user's shell (`$SHELL`'s name) when den has a hook for it.
fn user_shell(vars: &Vars) -> Option<Shell> {
    let name = Path::new(vars.get(ev::SHELL)?).file_name()?.to_str()?;
    shells().iter().copied().find(|s| s.name() == name)
}

/// `hook`: the user's shell's rc files (every shell den knows when `$SHELL` is not one).
pub fn installed(vars: &Vars) -> Vec<Finding> {
    let shells: Vec<Shell> = user_shell(vars).map_or(shells().to_vec(), |s| vec![s]);
    let mut found = Vec::new();
    for &shell in &shells {
        if let Some(file) = rc_files(shell, vars).into_iter().find(|f| has_hook(f, shell)) {
            let name = shell.name();
            found.push(Finding::ok("hook", format!("`den hook {name}` is in {}", tilde(&file, vars))));
        }
    }
    if !found.is_empty() {
        return found;
    }
    let shell = shells[0];
    let rc =
        rc_files(shell, vars).into_iter().next().map_or("your shell's rc file".into(), |f| tilde(&f, vars));
    let name = shell.name();
    vec![Finding::fail(
        "hook",
        format!("the {name} hook is in none of {name}'s startup files, so projects are not applied on cd"),
        format!("add `{}` at the end of {rc}, then open a new terminal", shell.hook_line()),
    )]
}

/// `hook-active`: whether the hook runs in the shell den was started from.
pub fn active(vars: &Vars, project: Option<&Checked>) -> Finding {
    let applied = State::decode(vars.get(ev::DEN_STATE_VAR).map(String::as_str)).map(|s| s.root);
    let shell = user_shell(vars).unwrap_or(Shell::Bash);
    let fix = format!(
        "run `{}` in this shell, or open a new terminal once the hook is in your rc file",
        shell.hook_line()
    );
    match (applied, project) {
        (Some(root), Some(p)) if root == p.root => {
            Finding::ok("hook-active", format!("this shell has {} applied", root.display()))
        }
        (Some(root), Some(p)) => Finding::fail(
            "hook-active",
            format!("this shell has {} applied, not this project ({})", root.display(), p.root.display()),
            fix,
        ),
        (Some(root), None) => Finding::fail(
            "hook-active",
            format!("this shell still has {} applied outside it", root.display()),
            fix,
        ),
        (None, Some(p)) if p.trusted && p.root.to_str().is_none() => Finding::fail(
            "hook-active",
            format!(
                "den cannot apply {} in any shell: its path is not UTF-8, and den's variables hold text",
                crate::ui::shown_path(&p.root)
            ),
            "rename it (or the directory above it with such a name) to a UTF-8 name".to_string(),
        ),
        (None, Some(p)) if p.trusted => Finding::fail(
            "hook-active",
            format!("den's environment of {} is not applied in this shell", p.root.display()),
            fix,
        ),
        (None, _) => Finding::note(
            "hook-active",
            "cannot tell whether the hook runs in this shell: no trusted project is applied here",
        ),
    }
}
