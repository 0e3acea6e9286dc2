//! Reading secrets at activation: a file (`~` expanded, relative to the project root) or
//! the output of a command (`sh -c` in the project root, trusted projects only). The
//! value is returned to the caller and nothing else: this module never writes, logs or
//! caches a secret.

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::project::Location;
use crate::ui;

use super::Error;

/// The variable a secret is read for, to name it in errors.
pub struct For<'a> {
    pub name: &'a str,
    pub at: &'a Location,
}

impl For<'_> {
    fn name(&self) -> String {
        self.name.to_string()
    }
}

/// `~` and `~/x` against `home`; relative paths against `root`.
pub fn expand_path(path: &str, root: &Path, home: Option<&str>, var: &For) -> Result<PathBuf, Error> {
    let rest = if path == "~" { Some("") } else { path.strip_prefix("~/") };
    match rest {
        Some(rest) => {
            let home = home.ok_or_else(|| Error::NoHome { name: var.name(), at: var.at.clone() })?;
            Ok(Path::new(home).join(rest))
        }
        None => Ok(root.join(path)),
    }
}

/// The file's content without one trailing newline; warns when group or others can read it.
pub fn read_file(path: &Path, var: &For) -> Result<String, Error> {
    let read_err = |reason: String| Error::SecretRead {
        name: var.name(),
        at: var.at.clone(),
        path: path.to_path_buf(),
        reason,
    };
    let bytes = crate::fs_util::read_input(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => {
            Error::SecretMissing { name: var.name(), at: var.at.clone(), path: path.into() }
        }
        _ => read_err(e.to_string()),
    })?;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o044 != 0
    {
        ui::warn(&format!(
            "secret file {} for `{}` can be read by other users; run `chmod 600 {}`",
            path.display(),
            var.name,
            path.display()
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| read_err("it is not UTF-8 text".into()))?;
    Ok(strip_newline(text))
}

/// What `sh -c command` prints on stdout, without one trailing newline. Its stderr goes to
/// den's stderr; stdin is den's, so a password prompt still works.
#[allow(clippy::disallowed_methods, reason = "a helper program: a trusted project's `command` secret")]
pub fn run_command(command: &str, root: &Path, var: &For) -> Result<String, Error> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(root)
        .stdin(Stdio::inherit())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| Error::CommandSpawn {
            name: var.name(),
            at: var.at.clone(),
            command: command.into(),
            source,
        })?;
    let failed = |status: String| Error::CommandFailed {
        name: var.name(),
        at: var.at.clone(),
        command: command.into(),
        status,
    };
    if !output.status.success() {
        let status = match output.status.code() {
            Some(code) => format!("exited with code {code}"),
            None => "was killed by a signal".into(),
        };
        return Err(failed(status));
    }
    let text =
        String::from_utf8(output.stdout).map_err(|_| failed("printed text that is not UTF-8".into()))?;
    Ok(strip_newline(text))
}

fn strip_newline(mut text: String) -> String {
    if text.ends_with("\r\n") {
        text.truncate(text.len() - 2);
    } else if text.ends_with('\n') {
        text.pop();
    }
    text
}

#[cfg(test)]
#[allow(clippy::disallowed_methods, reason = "tests may write freely")]
mod tests {
    use super::*;

    fn at() -> Location {
        Location { file: "den.toml".into(), line: 3 }
    }

    #[test]
    fn one_trailing_newline_is_stripped() {
        assert_eq!(strip_newline("a\n".into()), "a");
        assert_eq!(strip_newline("a\r\n".into()), "a");
        assert_eq!(strip_newline("a\n\n".into()), "a\n");
        assert_eq!(strip_newline("a".into()), "a");
    }

    #[test]
    fn paths_expand_home_and_root() {
        let at = at();
        let var = For { name: "T", at: &at };
        let root = Path::new("/p");
        assert_eq!(expand_path("~/x/y", root, Some("/h"), &var).unwrap(), Path::new("/h/x/y"));
        assert_eq!(expand_path("~", root, Some("/h"), &var).unwrap(), Path::new("/h"));
        assert_eq!(expand_path("s/t", root, Some("/h"), &var).unwrap(), Path::new("/p/s/t"));
        assert_eq!(expand_path("/abs", root, None, &var).unwrap(), Path::new("/abs"));
        assert_eq!(expand_path("~user/x", root, Some("/h"), &var).unwrap(), Path::new("/p/~user/x"));
        assert!(matches!(expand_path("~/x", root, None, &var), Err(Error::NoHome { .. })));
    }

    #[test]
    fn files_are_read_and_missing_ones_named() {
        let dir = tempfile::tempdir().unwrap();
        let at = at();
        let var = For { name: "T", at: &at };
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cr3t\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_file(&path, &var).unwrap(), "s3cr3t");
        let missing = dir.path().join("nope");
        let err = read_file(&missing, &var).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("secret file {} for `T` (den.toml:3) does not exist", missing.display())
        );
    }

    #[test]
    fn commands_run_in_the_root_and_fail_with_their_code() {
        let dir = tempfile::tempdir().unwrap();
        let at = at();
        let var = For { name: "T", at: &at };
        std::fs::write(dir.path().join("f"), "from root").unwrap();
        assert_eq!(run_command("cat f; echo", dir.path(), &var).unwrap(), "from root");
        assert_eq!(run_command("printf 'a\\n\\n'", dir.path(), &var).unwrap(), "a\n");
        let err = run_command("echo oops >&2; exit 3", dir.path(), &var).unwrap_err();
        assert_eq!(err.to_string(), "`echo oops >&2; exit 3` for `T` (den.toml:3) exited with code 3");
    }
}
