//! One VS Code instance per project. A running VS Code opens every later window in its own
//! process, with the environment of its first (microsoft/vscode #143960); a separate
//! `--user-data-dir` makes a separate instance, started with this project's environment.
//! That directory lives under den's data dir (one per editor and project), with the user's
//! `settings.json`, `keybindings.json` and `snippets/` linked from their real user dir, and
//! `--extensions-dir` naming the user's extensions. Never writes into the user's own
//! VS Code directories; only creates links to them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sha2::Digest;

use super::Error;

/// What the user's config dir calls the product, and the user's extensions dir under HOME.
fn product(editor: &str) -> Option<(&'static str, &'static str)> {
    Some(match editor {
        "code" => ("Code", ".vscode/extensions"),
        "codium" => ("VSCodium", ".vscode-oss/extensions"),
        "code-insiders" => ("Code - Insiders", ".vscode-insiders/extensions"),
        "cursor" => ("Cursor", ".cursor/extensions"),
        "windsurf" => ("Windsurf", ".windsurf/extensions"),
        _ => return None,
    })
}

/// The files of the user dir an isolated instance shares with the user's main one.
const SHARED: &[&str] = &["settings.json", "keybindings.json", "snippets"];

/// Where this machine's directories are.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME`.
    pub config_home: PathBuf,
    /// den's data dir, under which the instances' user dirs live.
    pub den_data: PathBuf,
}

/// The instance's user-data dir for `editor` and the project at `root`.
pub fn user_data_dir(dirs: &Dirs, editor: &str, root: &Path) -> PathBuf {
    let digest = sha2::Sha256::digest(root.as_os_str().as_encoded_bytes());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let name = root.file_name().map(|n| crate::paths::name_part(&n.to_string_lossy())).unwrap_or_default();
    dirs.den_data.join("ide").join(editor).join(format!("{name}-{hash}"))
}

/// `--user-data-dir … --extensions-dir …` for `editor` on `root`, after linking the user's
/// settings into that user-data dir; `None` for an editor that is not of the family.
#[allow(clippy::disallowed_methods, reason = "den's own data directory (the editor's user-data dir)")]
pub fn args(dirs: &Dirs, editor: &str, root: &Path) -> Result<Option<Vec<OsString>>, Error> {
    let Some((product, extensions)) = product(editor) else { return Ok(None) };
    let data = user_data_dir(dirs, editor, root);
    let user = data.join("User");
    std::fs::create_dir_all(&user).map_err(|source| Error::Write { path: user.clone(), source })?;
    let real = dirs.config_home.join(product).join("User");
    for name in SHARED {
        let target = real.join(name);
        let link = user.join(name);
        if std::fs::read_link(&link).is_ok_and(|t| t == target) || !target.exists() {
            continue;
        }
        if link.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
            std::fs::remove_file(&link).map_err(|source| Error::Write { path: link.clone(), source })?;
        } else if link.symlink_metadata().is_ok() {
            continue; // made by the instance itself before the user had one: left alone
        }
        std::os::unix::fs::symlink(&target, &link)
            .map_err(|source| Error::Write { path: link.clone(), source })?;
    }
    Ok(Some(vec![
        "--user-data-dir".into(),
        data.into_os_string(),
        "--extensions-dir".into(),
        dirs.home.join(extensions).into_os_string(),
    ]))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    #[test]
    fn links_the_users_settings_and_names_the_extensions() {
        let tmp = tempfile::tempdir().unwrap();
        let dirs = Dirs {
            home: tmp.path().join("home"),
            config_home: tmp.path().join("config"),
            den_data: tmp.path().join("den"),
        };
        let real = dirs.config_home.join("VSCodium/User");
        std::fs::create_dir_all(real.join("snippets")).unwrap();
        std::fs::write(real.join("settings.json"), "{}").unwrap();
        let root = Path::new("/w/my app");
        let args = args(&dirs, "codium", root).unwrap().unwrap();
        let data = user_data_dir(&dirs, "codium", root);
        assert!(
            data.starts_with(tmp.path().join("den/ide/codium")) && data.to_string_lossy().contains("my_app-")
        );
        assert_eq!(args[1], data.as_os_str());
        assert_eq!(args[3], dirs.home.join(".vscode-oss/extensions").as_os_str());
        assert_eq!(std::fs::read_link(data.join("User/settings.json")).unwrap(), real.join("settings.json"));
        assert_eq!(std::fs::read_link(data.join("User/snippets")).unwrap(), real.join("snippets"));
        assert!(!data.join("User/keybindings.json").exists());
        assert_ne!(user_data_dir(&dirs, "codium", Path::new("/x/my app")), data);
        assert!(super::args(&dirs, "zed", root).unwrap().is_none());
        // Again: nothing changes, nothing fails.
        assert_eq!(super::args(&dirs, "codium", root).unwrap().unwrap(), args);
    }
}
