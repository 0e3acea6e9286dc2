//! Tests of the HTTP layer against the local test server: every answer a real server
//! can give (success, ranges, cuts, 404, rate limits, 5xx, 4xx, silence), proxies and
//! the response cache. All traffic stays on 127.0.0.1.

mod cache;
mod downloads;
mod requests;
mod tls;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use super::{CACHE_BUCKET, Client, Progress, ProxyEnv, Reporter, Settings, human_bytes};

/// A client that gives up fast: 2 s timeouts, 3 attempts, 10 ms backoff, no proxy.
fn client(dir: &Path) -> Client {
    Client::new(settings(dir))
}

fn settings(dir: &Path) -> Settings {
    Settings {
        offline: false,
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(2),
        attempts: 3,
        backoff: Duration::from_millis(10),
        proxies: ProxyEnv::default(),
        cache_dir: dir.join("http-v1"),
        refresh: false,
        max_download: 1 << 30,
        insecure_http: Vec::new(),
        test_root: None,
    }
}

/// Records what a download reported.
#[derive(Default)]
struct Recorded {
    events: Mutex<Vec<String>>,
}

impl Recorded {
    fn events(&self) -> Vec<String> {
        self.events.lock().unwrap().clone()
    }
}

impl Progress for Recorded {
    fn start(&self, total: Option<u64>) {
        self.events.lock().unwrap().push(format!("start {total:?}"));
    }
    fn advance(&self, n: u64) {
        let mut events = self.events.lock().unwrap();
        match events.last_mut() {
            Some(last) if last.starts_with("advance ") => {
                let sum: u64 = last["advance ".len()..].parse::<u64>().unwrap() + n;
                *last = format!("advance {sum}");
            }
            _ => events.push(format!("advance {n}")),
        }
    }
    fn finish(&self) {
        self.events.lock().unwrap().push("finish".into());
    }
    fn abandon(&self) {
        self.events.lock().unwrap().push("abandon".into());
    }
}

/// `n` bytes that are not all the same, so a misplaced byte changes the hash.
fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn settings_from_the_environment_use_the_http_bucket_of_the_cache_dir() {
    let s = Settings::from_env(true);
    assert!(s.offline);
    assert!(s.cache_dir.ends_with(CACHE_BUCKET), "{}", s.cache_dir.display());
}

#[test]
fn both_reporters_follow_a_download_to_its_end() {
    let hidden = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::hidden());
    for reporter in [Reporter::Bars(hidden), Reporter::Plain, Reporter::detect()] {
        let progress = reporter.download("node 22.11.0");
        progress.start(Some(2048));
        progress.advance(1024);
        progress.start(Some(2048));
        progress.advance(2048);
        progress.finish();
        reporter.download("ruff 0.6.9").abandon();
    }
    assert_eq!(human_bytes(2048), "2.0 KiB");
}
