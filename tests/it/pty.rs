//! A real interactive shell on a pseudo-terminal, driven line by line: what a person at a
//! terminal does, prompt hooks included.

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An interactive shell whose terminal is ours.
pub struct Pty {
    child: Child,
    master: File,
    output: Arc<Mutex<Vec<u8>>>,
    seen: usize,
    marks: u32,
}

impl Pty {
    /// Starts `cmd` as the session leader of a new pseudo-terminal.
    pub fn spawn(mut cmd: Command) -> Pty {
        let size = nix::pty::Winsize { ws_row: 50, ws_col: 250, ws_xpixel: 0, ws_ypixel: 0 };
        let pty = nix::pty::openpty(&size, None).expect("openpty");
        let slave = File::from(pty.slave);
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                nix::unistd::setsid()?;
                if libc::ioctl(0, libc::TIOCSCTTY, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn shell on a pty");
        drop(cmd);
        let master = File::from(pty.master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty { child, master, output, seen: 0, marks: 0 }
    }

    /// Types `text` at the terminal.
    pub fn send(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    /// Waits until `needle` appears in what the shell printed since the last wait, and
    /// returns that output (up to and including `needle`).
    pub fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            {
                let out = self.output.lock().unwrap();
                let text = String::from_utf8_lossy(&out[self.seen..]).into_owned();
                if let Some(i) = text.find(needle) {
                    let taken = &text[..i + needle.len()];
                    self.seen += taken.len();
                    return taken.to_string();
                }
            }
            if Instant::now() > deadline {
                let out = self.output.lock().unwrap();
                panic!(
                    "timed out waiting for {needle:?}; the terminal showed:\n{}",
                    String::from_utf8_lossy(&out[self.seen..])
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Runs one command line and waits until it and the following prompt hook are done;
    /// returns what the terminal showed meanwhile.
    pub fn run(&mut self, line: &str) -> String {
        self.marks += 1;
        let mark = self.marks;
        // The echo of this line shows `\036`; only the executed printf prints the byte.
        self.send(&format!("{line}\nprintf '\\036%s\\036\\n' {mark}\n"));
        self.expect(&format!("\x1e{mark}\x1e"))
    }

    /// Ends the shell with `exit CODE`-style input and returns its exit status.
    pub fn exit(mut self, line: &str) -> i32 {
        self.send(&format!("{line}\n"));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "shell did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Pty {
    /// What closing the terminal does to the shell: SIGHUP to it, the session leader; waits
    /// until it has exited (and reaps it).
    pub fn hang_up(mut self) {
        // SAFETY: kill(2) on the shell this Pty started and has not reaped.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGHUP) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "shell did not exit on SIGHUP");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
