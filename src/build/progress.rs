//! The progress bar of a build (indicatif), on stderr. It appears only when the build is
//! still rendering after about a second, stderr is a terminal and the process is not in
//! CI: pipes, redirected logs and CI logs never get bar frames or carriage returns.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// Builds faster than this show no bar at all.
const QUIET_FOR: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: ProgressBar,
    reveal: Option<(Sender<()>, JoinHandle<()>)>,
}

/// Whether a bar may be drawn: asked for, stderr is a terminal, and not under CI (some CI
/// runners give jobs a pseudo-terminal, whose log would then fill with bar frames).
pub fn may_show(enabled: bool, stderr_is_terminal: bool, ci_env: Option<&str>) -> bool {
    let in_ci = ci_env.is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
    enabled && stderr_is_terminal && !in_ci
}

impl Progress {
    /// A bar over `total` notes; hidden, and revealed after [`QUIET_FOR`] if [`may_show`].
    pub fn start(enabled: bool, total: usize) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        let ci = std::env::var("CI").ok();
        if !may_show(enabled, std::io::stderr().is_terminal(), ci.as_deref()) {
            return Progress { bar, reveal: None };
        }
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("rendering notes");
        let (stop, stopped) = channel::<()>();
        let shown = bar.clone();
        let handle = std::thread::spawn(move || {
            if stopped.recv_timeout(QUIET_FOR) == Err(RecvTimeoutError::Timeout) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(200));
            }
        });
        Progress {
            bar,
            reveal: Some((stop, handle)),
        }
    }

    pub fn tick(&self) {
        self.bar.inc(1);
    }

    /// Stops the bar and erases it, so the build summary starts on a clean line.
    pub fn finish(self) {
        if let Some((stop, handle)) = self.reveal {
            drop(stop);
            let _ = handle.join();
        }
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_only_on_a_terminal_outside_ci_when_enabled() {
        assert!(may_show(true, true, None));
        assert!(may_show(true, true, Some("false")));
        assert!(!may_show(true, false, None), "pipe or file");
        assert!(!may_show(false, true, None), "--quiet");
        assert!(
            !may_show(true, true, Some("true")),
            "GitHub Actions sets CI=true"
        );
        assert!(!may_show(true, true, Some("1")));
    }

    #[test]
    fn hidden_bar_counts_and_finishes() {
        let p = Progress::start(true, 3);
        p.tick();
        p.tick();
        assert_eq!(p.bar.position(), 2);
        p.finish();
    }
}
