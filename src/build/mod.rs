//! Building: the engine that owns the stage order (`engine`; body-only edits in `fast`),
//! what it reads besides notes (`inputs`), change classification for `serve` (`change`),
//! the search stage (`search`), progress bar and stage timings. `build` and `check` are
//! the one-shot commands.

pub(crate) mod cache;
pub(crate) mod change;
mod engine;
mod fast;
mod files;
pub(crate) mod inputs;
pub(crate) mod progress;
mod search;
mod stream;
mod timings;
mod uptodate;

pub use engine::{Engine, Site, Update, Want};
pub use inputs::load_config;

use crate::diagnostics::Diagnostic;
use crate::error::Result;
use crate::output::{self, WriteStats};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output directory; default `<root>/<build.output_dir>`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Write into a non-empty folder that cheatgen did not create.
    pub force: bool,
    /// Show a progress line on a terminal when the build is slow.
    pub progress: bool,
    /// Print each stage's time on stderr (`--timings`; also `CHEATGEN_TIMINGS=1`).
    pub timings: bool,
    /// Use the persisted cache `.cheatgen-cache/` (`build` and `serve` read and write it,
    /// `check` only reads it). Off for library callers; the CLI turns it on unless
    /// `--no-cache`.
    pub cache: bool,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub sheets: usize,
    pub cards: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub output_dir: PathBuf,
    pub write: WriteStats,
    pub elapsed: Duration,
    /// One line per problem with the persisted cache (ignored or not saved): warnings that
    /// never fail a build, not diagnostics about the notes (so `--strict` ignores them).
    pub cache_warnings: Vec<String>,
}

impl BuildReport {
    pub fn warnings(&self) -> usize {
        self.diagnostics.iter().filter(|d| !d.is_error()).count()
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let mut timings = timings::Timings::new(opts.timings);
    // The output is checked and locked before any work: a refused folder or a concurrent
    // build fails fast, and the lock covers the whole build.
    let inputs = inputs::Inputs::load(opts)?;
    let mut session = output::OutputSession::open(&inputs.output_dir, &opts.root, opts.force)?;
    let warnings: Vec<Diagnostic> = session.warnings.drain(..).collect();
    // One walk of `content/` (every note read and hashed) serves the digest and the build.
    let tree = crate::note::source::scan(&opts.root, &inputs.ignore, &inputs.links)?;
    let digest = opts
        .cache
        .then(|| uptodate::digest(&inputs, &tree))
        .flatten();
    if let Some(mut report) = digest.and_then(|d| uptodate::check(opts, &d, &session)) {
        timings.lap("nothing changed since the last build: no stage run");
        report.output_dir = inputs.output_dir.clone();
        report.diagnostics.splice(0..0, warnings);
        report.elapsed = started.elapsed();
        return Ok(report);
    }
    let engine = Engine::with_inputs(opts, inputs, Want::SITE, false);
    // Pages are staged as they are rendered (`stream`); an error part-way drops the sink,
    // which removes the staging tree: the live site is untouched.
    let sink = session.staged_sink()?;
    let mut report = engine.stream_all(tree, &sink)?;
    report.write = sink.commit()?;
    timings.lap("write");
    if let Some(d) = &digest {
        uptodate::record(opts, d, &session, &report);
    }
    report.diagnostics.splice(0..0, warnings);
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Everything a build validates, without touching the output directory (no pages rendered,
/// no search index built).
pub fn check(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let mut engine = Engine::new(opts, Want::CHECK, false)?;
    engine.build_all()?;
    let Some(site) = engine.into_site() else {
        unreachable!("build_all made the site")
    };
    let mut report = site.report;
    report.elapsed = started.elapsed();
    Ok(report)
}
