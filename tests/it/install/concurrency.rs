//! Downloads that are interrupted or shared: a transfer cut midway resumes with `Range`,
//! two dens installing the same project download once, and a den killed mid-download
//! leaves no partial tool and is resumed by the next one.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use super::{bucket, install_ok, project, run_tool, store, tool_dirs};
use crate::upstream::archives::sha256_hex;
use crate::upstream::{Fault, Upstream};

const NODE_TARBALL: &str = "/nodejs.org/dist/v22.11.0/node-v22.11.0-linux-x64.tar.xz";

#[test]
fn a_transfer_cut_midway_resumes_with_a_range_request() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    up.fault(NODE_TARBALL, Fault::CutAfter(300));
    let env = project(&up, "[tools]\nnode = \"22\"\n");
    install_ok(&env);
    assert_eq!(run_tool(&env, "node"), "v22.11.0");
    assert_eq!(up.ranges(NODE_TARBALL), [None, Some("bytes=300-".to_string())]);
    assert_eq!(bucket(&env, "downloads-v1"), Vec::<String>::new(), "the partial file is gone");
}

#[test]
fn two_dens_installing_one_project_at_once_download_once() {
    let up = Upstream::start();
    up.catalog_tool("node", "22.11.0");
    // Slow enough that the second den reaches the store's lock while the first downloads.
    up.fault(NODE_TARBALL, Fault::Delay(1500));
    let env = project(&up, "[tools]\nnode = \"22\"\n");
    let spawn = || env.den().arg("install").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(up.requests(NODE_TARBALL), 1, "downloaded exactly once: {:?}", up.log());
    let waited: Vec<String> =
        [&a, &b].iter().map(|o| stderr(o)).filter(|e| e.contains("waiting for another den")).collect();
    assert_eq!(waited.len(), 1, "one den waited:\n{}\n---\n{}", stderr(&a), stderr(&b));
    assert!(waited[0].contains("waiting for another den to finish installing node 22.11.0"), "{}", waited[0]);
    assert_eq!(tool_dirs(&env).len(), 1);
    assert_eq!(run_tool(&env, "node"), "v22.11.0");
}

/// A bare executable of `size` bytes: a script that prints `out`, padded with a comment.
fn big_script(out: &str, size: usize) -> Vec<u8> {
    let mut body = format!("#!/bin/sh\necho \"{out}\"\nexit 0\n#").into_bytes();
    let mut x: u32 = 7;
    while body.len() < size {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        body.push(b'a' + (x >> 16) as u8 % 26);
    }
    body
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let started = Instant::now();
    while !cond() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_den_killed_mid_download_leaves_no_tool_and_the_next_install_resumes() {
    let up = Upstream::start();
    let body = big_script("big 1.0.0", 256 * 1024);
    let sha = sha256_hex(&body);
    let path = "/downloads.example/big-1.0.0-linux-x64";
    up.file(path, body);
    up.fault(path, Fault::StallAfter(100_000));
    let env = project(
        &up,
        &format!(
            "[tools]\nbig = {{ version = \"1.0.0\", url = \"{}/downloads.example/big-{{version}}-{{os}}-{{arch}}\", \
             sha256 = \"{sha}\" }}\n",
            up.base()
        ),
    );
    let mut den = env.den().arg("install").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    // The partial download is `downloads-v1/<key>.part`, the key taken from the sha256.
    let downloads = store(&env).join("downloads-v1");
    let part_len = |dir: &Path| -> u64 {
        let parts = std::fs::read_dir(dir).into_iter().flatten().flatten();
        parts
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .map(|e| e.metadata().unwrap().len())
            .sum()
    };
    wait_for("the stalled partial download", Duration::from_secs(20), || part_len(&downloads) >= 100_000);
    let part = bucket(&env, "downloads-v1");
    assert!(
        matches!(part.as_slice(), [p] if p.starts_with("sha256-") && sha.starts_with(&p[7..p.len() - 5])),
        "{part:?}"
    );
    den.kill().unwrap(); // SIGKILL
    den.wait().unwrap();
    assert_eq!(tool_dirs(&env), Vec::<String>::new(), "a killed install left a tool visible");
    assert!(
        bucket(&env, "tools-v1").iter().all(|n| n.starts_with(".tmp-")),
        "only hidden temp dirs may remain: {:?}",
        bucket(&env, "tools-v1")
    );
    assert!(!env.project().join("den.lock").exists());

    let out = install_ok(&env);
    assert!(out.stderr.contains("installed big 1.0.0"), "{}", out.stderr);
    assert_eq!(run_tool(&env, "big"), "big 1.0.0");
    assert_eq!(up.ranges(path), [None, Some("bytes=100000-".to_string())]);
    assert_eq!(bucket(&env, "downloads-v1"), Vec::<String>::new());
}

/// A den.toml whose tool is a bare binary at `path` on `up`: its definition names no
/// binaries and no size, so den.lock gets both from the installed tool.
fn url_tool(up: &Upstream, path: &str, sha: &str) -> String {
    format!(
        "[tools]\nbig = {{ version = \"1.0.0\", url = \"{}{}\", sha256 = \"{sha}\" }}\n",
        up.base(),
        path.replace("1.0.0", "{version}").replace("linux-x64", "{os}-{arch}")
    )
}

#[test]
fn eight_dens_installing_one_tool_in_eight_projects_download_once_and_lock_the_same() {
    let up = Upstream::start();
    let body = big_script("big 1.0.0", 64 * 1024);
    let sha = sha256_hex(&body);
    let path = "/downloads.example/big-1.0.0-linux-x64";
    up.file(path, body);
    // Slow enough that every den reaches the store's lock while the first one downloads.
    up.fault(path, Fault::Delay(1500));
    let env = project(&up, &url_tool(&up, path, &sha));
    let projects: Vec<std::path::PathBuf> = (0..8)
        .map(|i| {
            let dir = env.tmp.path().join(format!("p{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("den.toml"), url_tool(&up, path, &sha)).unwrap();
            let trusted = env.den_in(&dir).arg("trust").output().unwrap();
            assert!(trusted.status.success(), "{}", String::from_utf8_lossy(&trusted.stderr));
            dir
        })
        .collect();
    let dens: Vec<_> = projects
        .iter()
        .map(|dir| {
            env.den_in(dir).arg("install").stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for den in dens {
        let out = den.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(up.requests(path), 1, "downloaded exactly once: {:?}", up.log());
    let locks: Vec<String> =
        projects.iter().map(|dir| std::fs::read_to_string(dir.join("den.lock")).unwrap()).collect();
    assert!(locks[0].contains("size = 65536"), "{}", locks[0]);
    assert!(locks[0].contains("bin = [\"big\"]"), "{}", locks[0]);
    for (dir, lock) in projects.iter().zip(&locks) {
        assert_eq!(lock, &locks[0], "{} differs", dir.display());
        let ran = env.den_in(dir).args(["run", "--", "big"]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&ran.stdout).trim(), "big 1.0.0", "in {}", dir.display());
    }
    let tools = store(&env).join("tools-v1");
    let receipts: Vec<_> = std::fs::read_dir(&tools)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".toml"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    assert!(receipts[0].contains("size = 65536"), "{}", receipts[0]);
}
