//! Stage timings on stderr with `--timings` or when `CHEATGEN_TIMINGS` is set.

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

    pub fn lap(&mut self, phase: &str) {
        if let Some(t) = &mut self.0 {
            eprintln!("timing: {phase}: {:.3}s", t.elapsed().as_secs_f64());
            *t = Instant::now();
        }
    }
}
