//! Real interactive shells on a pseudo-terminal for the hook and `den enter` tests: a home
//! with two trusted projects, a logging `den` wrapper, and exact environment dumps.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::pty::Pty;
use crate::support::{Env, run};

/// How to start one shell interactively and source a file in it.
pub struct ShellKind {
    pub name: &'static str,
    pub args: &'static [&'static str],
}

pub const BASH: ShellKind = ShellKind { name: "bash", args: &["--norc", "--noprofile", "-i"] };
pub const ZSH: ShellKind = ShellKind { name: "zsh", args: &["-f", "-i"] };
pub const FISH: ShellKind = ShellKind { name: "fish", args: &["--no-config", "-i"] };

/// Variables a shell changes by itself as it moves around; never compared.
pub const SHELL_OWN: &[&str] = &["_", "PWD", "OLDPWD", "SHLVL", "COLUMNS", "LINES"];

pub use crate::prereq::installed;

/// A home, two trusted projects (the second with an awkward name), a `den` wrapper that
/// logs every start, and the hook scripts pointing at that wrapper.
pub struct World {
    pub env: Env,
    pub a: PathBuf,
    pub b: PathBuf,
    pub log: PathBuf,
}

impl World {
    pub fn new() -> World {
        let env = Env::new();
        let a = env.project();
        std::fs::create_dir_all(a.join("sub dir")).unwrap();
        std::fs::write(
            a.join("den.toml"),
            "[env]\nFOO = \"bar\"\nMULTI = \"one\\ntwo 'three' $$HOME\"\nPATH = { prepend = [\"bin\"] }\n\
             GONE = { unset = true }\n",
        )
        .unwrap();
        let b = env.tmp.path().join("it's a “project” with spaces");
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("den.toml"), "[env]\nONLY_B = \"b\"\nFOO = \"from b\"\n").unwrap();
        for dir in [&a, &b] {
            assert_eq!(run(env.den_in(dir), &["trust"]).code, 0);
        }
        let log = env.tmp.path().join("den-starts.log");
        let wrapper = env.tmp.path().join("bin/den");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                env!("CARGO_BIN_EXE_den")
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        for shell in ["bash", "zsh", "fish"] {
            let out = run(env.den(), &["hook", shell]);
            assert_eq!((out.code, out.stderr.as_str()), (0, ""));
            let script = out.stdout.replace(env!("CARGO_BIN_EXE_den"), &wrapper.display().to_string());
            assert_ne!(script, out.stdout, "the hook names den's own path");
            std::fs::write(env.tmp.path().join(format!("hook.{shell}")), script).unwrap();
        }
        World { env, a, b, log }
    }

    /// The interactive shell, in the temp dir, with den's pinned environment.
    pub fn shell(&self, kind: &ShellKind) -> Sh {
        let mut cmd = self.terminal_command(kind.name);
        cmd.args(kind.args).current_dir(self.env.tmp.path());
        Sh { pty: Pty::spawn(cmd), dumps: self.env.tmp.path().to_path_buf(), n: 0 }
    }

    /// `program` with den's pinned environment, as started from a clean terminal.
    pub fn terminal_command(&self, program: &str) -> Command {
        let mut cmd = self.env.command(program);
        cmd.env("TERM", "dumb").env("GONE", "outer value").env("PS1", "$ ").env("fish_greeting", "");
        cmd
    }

    pub fn starts(&self) -> usize {
        std::fs::read_to_string(&self.log).map_or(0, |s| s.lines().count())
    }

    pub fn hook(&self, shell: &str) -> String {
        self.env.tmp.path().join(format!("hook.{shell}")).display().to_string()
    }
}

/// A running shell and a way to read its exported environment exactly.
pub struct Sh {
    pub pty: Pty,
    pub dumps: PathBuf,
    pub n: u32,
}

impl Sh {
    pub fn run(&mut self, line: &str) -> String {
        self.pty.run(line)
    }

    /// The shell's exported environment, from `env -0`, without the variables the shell
    /// itself changes as it moves.
    pub fn environment(&mut self) -> BTreeMap<String, String> {
        self.n += 1;
        let file = self.dumps.join(format!("env-{}", self.n));
        self.run(&format!("/usr/bin/env -0 > '{}'", file.display()));
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        text.split('\0')
            .filter_map(|e| e.split_once('='))
            .filter(|(k, _)| !SHELL_OWN.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

pub fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

pub fn fish_quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\\', r"\\").replace('\'', r"\'"))
}

/// What a terminal shows: colour sequences taken out, `\r\n` as `\n`.
pub fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // `ESC [ … letter`
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out.replace("\r\n", "\n")
}
