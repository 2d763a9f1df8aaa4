//! A progress line on stderr for builds that take more than about a second on a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Progress {
    done: Arc<AtomicUsize>,
    stop: Option<(Sender<()>, JoinHandle<()>)>,
}

impl Progress {
    /// Starts a reporter thread only when `enabled` and stderr is a terminal.
    pub fn start(enabled: bool, total: usize) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress { done, stop: None };
        }
        let (tx, rx) = channel::<()>();
        let counter = done.clone();
        let handle = std::thread::spawn(move || {
            // Quiet for fast builds.
            if rx.recv_timeout(Duration::from_secs(1)) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            loop {
                let n = counter.load(Ordering::Relaxed);
                eprint!("\r\x1b[2Krendering notes {n}/{total}");
                let _ = std::io::stderr().flush();
                if rx.recv_timeout(Duration::from_millis(200)) != Err(RecvTimeoutError::Timeout) {
                    eprint!("\r\x1b[2K");
                    return;
                }
            }
        });
        Progress {
            done,
            stop: Some((tx, handle)),
        }
    }

    pub fn tick(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    pub fn finish(self) {
        if let Some((tx, handle)) = self.stop {
            drop(tx);
            let _ = handle.join();
        }
    }
}
