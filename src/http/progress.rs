//! Download progress on stderr: one indicatif bar per download under a shared
//! `MultiProgress` when stderr is a terminal (bytes, speed, ETA), otherwise one plain line
//! when a download starts and one when it ends. Never writes to stdout.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use crate::ui;

/// What a download reports as it goes. `start` may be called again when a transfer is
/// retried or restarted: it resets the count to zero.
pub trait Progress: Sync {
    /// The transfer begins; `total` is the full size when the server says it.
    fn start(&self, total: Option<u64>);
    /// `n` more bytes are on disk (a resumed prefix counts too).
    fn advance(&self, n: u64);
    /// The download succeeded.
    fn finish(&self);
    /// The download failed: remove whatever was drawn.
    fn abandon(&self) {}
}

/// Reports nothing (API documents, a wheel read for its metadata, tests).
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Makes one progress reporter per download, bars or plain lines.
pub enum Reporter {
    Bars(MultiProgress),
    Plain,
}

impl Reporter {
    /// Bars when stderr is a terminal, plain lines otherwise.
    pub fn detect() -> Self {
        if std::io::stderr().is_terminal() { Reporter::Bars(MultiProgress::new()) } else { Reporter::Plain }
    }

    /// The reporter of one download, named like `node 22.11.0` (a version comes from a
    /// registry: its control characters are escaped before it reaches the terminal).
    pub fn download(&self, label: &str) -> Box<dyn Progress + Send> {
        let label = crate::ui::escaped(label);
        let label = label.as_str();
        let counter =
            Counter { label: label.to_string(), started: Mutex::new(None), bytes: AtomicU64::new(0) };
        match self {
            Reporter::Bars(multi) => {
                let bar = multi.add(ProgressBar::no_length().with_prefix(label.to_string()));
                Box::new(Bar { bar, multi: multi.clone(), counter })
            }
            Reporter::Plain => Box::new(Plain { counter, total: Mutex::new(None) }),
        }
    }
}

/// Bytes and start time, shared by both reporters for the closing line.
struct Counter {
    label: String,
    started: Mutex<Option<Instant>>,
    bytes: AtomicU64,
}

impl Counter {
    /// Resets the count; the clock starts at the first call only.
    fn start(&self) {
        self.bytes.store(0, Ordering::Relaxed);
        self.started.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(Instant::now);
    }

    fn done_line(&self) -> String {
        let elapsed = self.started.lock().unwrap_or_else(|e| e.into_inner()).map(|s| s.elapsed());
        let secs = elapsed.map(|e| e.as_secs_f64()).unwrap_or_default();
        format!(
            "downloaded {} ({} in {secs:.1}s)",
            self.label,
            human_bytes(self.bytes.load(Ordering::Relaxed))
        )
    }
}

struct Plain {
    counter: Counter,
    total: Mutex<Option<Option<u64>>>,
}

impl Progress for Plain {
    fn start(&self, total: Option<u64>) {
        self.counter.start();
        let mut announced = self.total.lock().unwrap_or_else(|e| e.into_inner());
        if announced.is_none() {
            *announced = Some(total);
            match total {
                Some(t) => ui::note(&format!("downloading {} ({})", self.counter.label, human_bytes(t))),
                None => ui::note(&format!("downloading {}", self.counter.label)),
            }
        }
    }

    fn advance(&self, n: u64) {
        self.counter.bytes.fetch_add(n, Ordering::Relaxed);
    }

    fn finish(&self) {
        ui::note(&self.counter.done_line());
    }
}

struct Bar {
    bar: ProgressBar,
    multi: MultiProgress,
    counter: Counter,
}

impl Progress for Bar {
    fn start(&self, total: Option<u64>) {
        self.counter.start();
        let template = match total {
            Some(_) => "{prefix:>16} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
            None => "{prefix:>16} {spinner} {bytes} {binary_bytes_per_sec}",
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        match total {
            Some(t) => self.bar.set_length(t),
            None => self.bar.unset_length(),
        }
        self.bar.set_position(0);
        self.bar.reset_eta();
    }

    fn advance(&self, n: u64) {
        self.counter.bytes.fetch_add(n, Ordering::Relaxed);
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
        self.multi.remove(&self.bar);
        let _ = self.multi.println(format!("den: {}", self.counter.done_line()));
    }

    fn abandon(&self) {
        self.bar.finish_and_clear();
        self.multi.remove(&self.bar);
    }
}

/// `28.3 MiB`: binary units, one decimal above bytes.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_person_writes_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(29_674_700), "28.3 MiB");
        assert_eq!(human_bytes(3 << 30), "3.0 GiB");
    }

    #[test]
    fn the_closing_line_counts_every_byte_since_the_last_start() {
        let p = Plain {
            counter: Counter {
                label: "node 22.11.0".into(),
                started: Mutex::new(None),
                bytes: AtomicU64::new(0),
            },
            total: Mutex::new(None),
        };
        p.start(Some(10));
        p.advance(4);
        p.start(Some(10));
        p.advance(6);
        p.advance(4);
        assert!(
            p.counter.done_line().starts_with("downloaded node 22.11.0 (10 B in 0."),
            "{}",
            p.counter.done_line()
        );
    }
}
