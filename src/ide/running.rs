//! Whether an editor already runs, from /proc: a process whose program (`argv[0]`, or the
//! script a shell runs, `argv[1]`) is one of the editor's command names (or `<name>.sh`, as
//! JetBrains' launch scripts are called). Only reads /proc; a process it cannot read is
//! not counted.

use std::path::Path;

/// The pids of processes started as one of `commands`, but `except`.
pub fn instances(commands: &[String], except: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != except)
        .filter(|pid| {
            let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
            cmdline.split(|b| *b == 0).take(2).any(|arg| {
                let name = Path::new(std::str::from_utf8(arg).unwrap_or_default()).file_name();
                let name = name.and_then(|n| n.to_str()).unwrap_or_default();
                commands.iter().any(|c| name == c || name.strip_suffix(".sh") == Some(c))
            })
        })
        .collect();
    pids.sort_unstable();
    pids
}
