//! Which editor a name means and where it is on this machine: a table of the known
//! editors (their command names and Flatpak apps), looked up on PATH, in JetBrains
//! Toolbox's scripts directory, in `/snap/bin` and among installed Flatpak apps. Any other
//! name is a command looked up the same way. Only reads the file system; never starts
//! anything (not even `flatpak`, whose apps are directories).

use std::path::{Path, PathBuf};

use super::Error;
use crate::launch::oneoff;

/// How an editor family wants to be started on a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// VS Code and its forks: `--new-window`, or the running instance reuses its own
    /// environment for the new window (vscode #143960).
    VsCode,
    JetBrains,
    Other,
}

/// One known editor: the name users type, the commands that start it, its Flatpak apps and
/// the icon name its packages install.
struct Known {
    name: &'static str,
    commands: &'static [&'static str],
    flatpaks: &'static [&'static str],
    family: Family,
    icon: Option<&'static str>,
}

const fn known(
    name: &'static str,
    commands: &'static [&'static str],
    flatpaks: &'static [&'static str],
    family: Family,
    icon: Option<&'static str>,
) -> Known {
    Known { name, commands, flatpaks, family, icon }
}

const KNOWN: &[Known] = &[
    known("code", &["code"], &["com.visualstudio.code"], Family::VsCode, Some("vscode")),
    known("codium", &["codium", "vscodium"], &["com.vscodium.codium"], Family::VsCode, Some("vscodium")),
    known(
        "code-insiders",
        &["code-insiders"],
        &["com.visualstudio.code.insiders"],
        Family::VsCode,
        Some("vscode-insiders"),
    ),
    known("cursor", &["cursor"], &[], Family::VsCode, Some("cursor")),
    known("windsurf", &["windsurf"], &[], Family::VsCode, Some("windsurf")),
    known(
        "pycharm",
        &["pycharm", "pycharm-professional", "pycharm-community", "charm"],
        &["com.jetbrains.PyCharm-Professional", "com.jetbrains.PyCharm-Community"],
        Family::JetBrains,
        Some("pycharm"),
    ),
    known(
        "idea",
        &["idea", "intellij-idea-ultimate", "intellij-idea-community"],
        &["com.jetbrains.IntelliJ-IDEA-Ultimate", "com.jetbrains.IntelliJ-IDEA-Community"],
        Family::JetBrains,
        Some("idea"),
    ),
    known("goland", &["goland"], &["com.jetbrains.GoLand"], Family::JetBrains, Some("goland")),
    known("webstorm", &["webstorm"], &["com.jetbrains.WebStorm"], Family::JetBrains, Some("webstorm")),
    known("clion", &["clion"], &["com.jetbrains.CLion"], Family::JetBrains, Some("clion")),
    known("rustrover", &["rustrover"], &["com.jetbrains.RustRover"], Family::JetBrains, Some("rustrover")),
    known("phpstorm", &["phpstorm"], &["com.jetbrains.PhpStorm"], Family::JetBrains, Some("phpstorm")),
    known("rider", &["rider"], &["com.jetbrains.Rider"], Family::JetBrains, Some("rider")),
    known("datagrip", &["datagrip"], &["com.jetbrains.DataGrip"], Family::JetBrains, Some("datagrip")),
    known("zed", &["zed", "zeditor", "zedit"], &["dev.zed.Zed"], Family::Other, Some("zed")),
    known("subl", &["subl", "sublime_text"], &["com.sublimetext.three"], Family::Other, Some("sublime-text")),
    known("emacs", &["emacs"], &["org.gnu.emacs"], Family::Other, Some("emacs")),
    known("gvim", &["gvim"], &["org.vim.Vim"], Family::Other, Some("gvim")),
    known("nvim-qt", &["nvim-qt"], &[], Family::Other, Some("nvim-qt")),
];

/// An editor found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    /// The name the user gave (`code`), used for the log file and the desktop entry.
    pub name: String,
    pub family: Family,
    pub how: How,
    pub icon: Option<&'static str>,
    /// The command names that start it (to recognise a running one).
    pub commands: Vec<String>,
}

/// How the editor is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// An executable (on PATH, in Toolbox's scripts, in /snap/bin).
    Program(PathBuf),
    /// `flatpak run … <app>`, `flatpak` being this program.
    Flatpak { flatpak: PathBuf, app: String },
}

/// Where den looks, besides PATH: what the environment says, so tests can point it away.
#[derive(Debug, Clone)]
pub struct Places {
    /// The PATH to search.
    pub path: Option<String>,
    /// JetBrains Toolbox's generated launch scripts.
    pub toolbox: PathBuf,
    pub snap: PathBuf,
    /// Flatpak's installations (user, then system): `<dir>/<app-id>` is an installed app.
    pub flatpak_apps: Vec<PathBuf>,
}

impl Places {
    /// The places of this machine, with `path` as PATH and `home`'s data dir.
    pub fn of(path: Option<String>, data_home: &Path) -> Places {
        Places {
            path,
            toolbox: data_home.join("JetBrains/Toolbox/scripts"),
            snap: PathBuf::from("/snap/bin"),
            flatpak_apps: vec![data_home.join("flatpak/app"), PathBuf::from("/var/lib/flatpak/app")],
        }
    }

    fn program(&self, command: &str) -> Option<PathBuf> {
        let dirs = [self.toolbox.to_string_lossy(), self.snap.to_string_lossy()].join(":");
        let path = match &self.path {
            Some(p) if !p.is_empty() => format!("{p}:{dirs}"),
            _ => dirs,
        };
        // Empty PATH entries would mean the working directory: never for an editor.
        let path: Vec<&str> = path.split(':').filter(|d| !d.is_empty()).collect();
        oneoff::lookup(command, Some(&path.join(":")), Path::new("/"))
    }

    fn flatpak(&self, app: &str) -> Option<How> {
        let installed = self.flatpak_apps.iter().any(|d| d.join(app).join("current").exists());
        if !installed {
            return None;
        }
        let flatpak = self.program("flatpak")?;
        Some(How::Flatpak { flatpak, app: app.to_string() })
    }
}

/// The editor `name` names, found in `places`.
pub fn find(name: &str, places: &Places) -> Result<Editor, Error> {
    if name.is_empty() || name.contains('/') || name.contains('\0') {
        return Err(Error::BadName { name: name.to_string() });
    }
    let entry = KNOWN.iter().find(|k| k.name == name);
    let commands: Vec<String> = match entry {
        Some(k) => k.commands.iter().map(|c| c.to_string()).collect(),
        None => vec![name.to_string()],
    };
    let flatpaks: Vec<String> =
        entry.map(|k| k.flatpaks.iter().map(|a| a.to_string()).collect()).unwrap_or_default();
    let how = commands
        .iter()
        .find_map(|c| places.program(c).map(How::Program))
        .or_else(|| flatpaks.iter().find_map(|a| places.flatpak(a)));
    match how {
        Some(how) => Ok(Editor {
            name: name.to_string(),
            family: entry.map_or(Family::Other, |k| k.family),
            how,
            icon: entry.and_then(|k| k.icon),
            commands,
        }),
        None => Err(Error::NotFound {
            name: name.to_string(),
            commands,
            flatpaks,
            toolbox: places.toolbox.clone(),
        }),
    }
}

/// The known editors present in `places`, for the error that asks for one.
pub fn available(places: &Places) -> Vec<String> {
    KNOWN.iter().filter(|k| find(k.name, places).is_ok()).map(|k| k.name.to_string()).collect()
}

/// The arguments that open `root` in a new window of this editor.
pub fn project_args(editor: &Editor, root: &Path) -> Vec<std::ffi::OsString> {
    let mut args = Vec::new();
    if editor.family == Family::VsCode {
        args.push("--new-window".into());
    }
    args.push(root.as_os_str().to_owned());
    args
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn exe(dir: &Path, name: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    fn places(tmp: &Path) -> Places {
        let mut p = Places::of(Some(tmp.join("bin").display().to_string()), &tmp.join("data"));
        p.snap = tmp.join("snap");
        p.flatpak_apps = vec![tmp.join("flatpak")];
        p
    }

    #[test]
    fn finds_path_then_toolbox_then_flatpak() {
        let tmp = tempfile::tempdir().unwrap();
        let p = places(tmp.path());
        let err = find("pycharm", &p).unwrap_err().to_string();
        assert!(err.contains("pycharm, pycharm-professional"), "{err}");
        assert!(err.contains("com.jetbrains.PyCharm-Community"), "{err}");
        let script = exe(&p.toolbox, "pycharm");
        assert_eq!(find("pycharm", &p).unwrap().how, How::Program(script));
        let on_path = exe(&tmp.path().join("bin"), "pycharm");
        assert_eq!(find("pycharm", &p).unwrap().how, How::Program(on_path));

        assert!(find("zed", &p).is_err());
        std::fs::create_dir_all(tmp.path().join("flatpak/dev.zed.Zed/current")).unwrap();
        assert!(find("zed", &p).is_err(), "no flatpak command");
        let flatpak = exe(&tmp.path().join("bin"), "flatpak");
        assert_eq!(find("zed", &p).unwrap().how, How::Flatpak { flatpak, app: "dev.zed.Zed".into() });
        assert_eq!(available(&p), ["pycharm", "zed"]);
    }

    #[test]
    fn any_command_name_but_no_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let p = places(tmp.path());
        let mine = exe(&tmp.path().join("bin"), "my-editor");
        let found = find("my-editor", &p).unwrap();
        assert_eq!((found.how, found.family), (How::Program(mine), Family::Other));
        assert!(matches!(find("../x", &p), Err(Error::BadName { .. })));
        assert!(matches!(find("", &p), Err(Error::BadName { .. })));
    }
}
