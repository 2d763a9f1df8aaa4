//! Stage timings on stderr with `--timings` or when `CHEATGEN_TIMINGS` is set, each with
//! the process's resident memory then and at its peak so far (Linux), so a memory
//! regression shows which stage holds what (`ARCHITECTURE.md`, "Streaming output").

use std::time::Instant;

pub struct Timings(Option<Instant>);

impl Timings {
    pub fn new(asked: bool) -> Self {
        let on = asked || std::env::var_os("CHEATGEN_TIMINGS").is_some();
        Timings(on.then(Instant::now))
    }

    /// A lap that began at `since` (before this `Timings` existed).
    pub fn lap_since(&mut self, since: Instant, phase: &str) {
        if let Some(t) = &mut self.0 {
            eprintln!("timing: {phase}: {:.3}s", since.elapsed().as_secs_f64());
            *t = Instant::now();
        }
    }

    /// A line that is not a stage time (what the cache reused).
    pub fn note(&self, line: &str) {
        if self.0.is_some() {
            eprintln!("timing: {line}");
        }
    }

    pub fn lap(&mut self, phase: &str) {
        if let Some(t) = &mut self.0 {
            eprintln!(
                "timing: {phase}: {:.3}s{}",
                t.elapsed().as_secs_f64(),
                memory()
            );
            *t = Instant::now();
        }
    }
}

/// ` (rss N MiB, peak M MiB)` from `/proc/self/status`, or nothing where there is none.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(rss), Some(peak)) => format!(" (rss {} MiB, peak {} MiB)", rss / 1024, peak / 1024),
        _ => String::new(),
    }
}
