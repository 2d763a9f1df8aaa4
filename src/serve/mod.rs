//! `cheatgen serve`: build, serve the output on 127.0.0.1, watch the sources, rebuild
//! only what changed (`build::BuildCache`) and tell open browsers to reload.
//!
//! The persisted cache (`build::cache`) is loaded once before the first build and saved
//! after it, then at most every `CACHE_STORE_EVERY` while edits come in (a few seconds
//! after the last rebuild); edits of the last few seconds before Ctrl-C are not saved.
//!
//! The output on disk after any sequence of edits equals a clean build of the same
//! sources (the cache only reuses byte-identical results). A rebuild with errors writes
//! nothing: the last good site stays served and browsers show the errors in an overlay.

mod host;
mod http;
mod listen;
pub mod watch;

use crate::build::cache::{self, Loaded, PersistedCache};
use crate::build::{self, BuildCache, BuildOptions};
use crate::diagnostics::Diagnostic;
use crate::note::highlight::Highlighter;
use crate::output;
use http::{AppState, Message};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    pub port: u16,
    pub drafts: bool,
    pub open: bool,
    /// Load and save the persisted cache `.cheatgen-cache/`.
    pub cache: bool,
}

/// How often, at most, `serve` saves the persisted cache while edits come in.
const CACHE_STORE_EVERY: Duration = Duration::from_secs(5);

/// How many ports after the asked one to try when it is taken.
const PORT_TRIES: u16 = 20;

pub fn run(opts: &ServeOptions) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the server runtime: {e}");
            return 1;
        }
    };
    let code = rt.block_on(serve(opts));
    // Do not wait on file reads still queued for requests the server has dropped.
    rt.shutdown_timeout(Duration::from_millis(200));
    code
}

async fn serve(opts: &ServeOptions) -> i32 {
    if opts.bind.is_unspecified() {
        eprintln!(
            "warning: serving on all interfaces ({}): anyone on your network can read the site, \
             and requests for any host name are answered",
            opts.bind
        );
    }
    let Some(listener) = bind(opts.bind, opts.port).await else {
        eprintln!(
            "error: no free port in {}..{} on {}",
            opts.port,
            opts.port.saturating_add(PORT_TRIES),
            opts.bind
        );
        return 2;
    };
    let bound = listener
        .local_addr()
        .unwrap_or(SocketAddr::new(opts.bind, opts.port));
    let addr = bound.port();
    let head_timeout = listen::head_timeout();
    let host = if opts.bind.is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        url_host(opts.bind)
    };
    let url = format!("http://{host}:{addr}/");
    let build_opts = BuildOptions {
        root: opts.root.clone(),
        base_url: Some(url.clone()),
        drafts: opts.drafts,
        progress: true,
        skip_search: true,
        cache: opts.cache,
        ..BuildOptions::default()
    };

    let (events, _) = broadcast::channel::<Message>(64);
    let error = Arc::new(Mutex::new(None));
    let mut rebuilder = Rebuilder {
        opts: build_opts,
        hl: Highlighter::new(),
        cache: BuildCache::persistent(),
        events: events.clone(),
        error: Arc::clone(&error),
        session: None,
        persisted: None,
        last_store: Instant::now(),
        store_due: false,
    };
    let started = Instant::now();
    let output = match rebuilder.first_build() {
        Ok(out) => out,
        Err(code) => return code,
    };
    eprintln!("built in {} ms", started.elapsed().as_millis());
    let root_c = std::fs::canonicalize(&output).unwrap_or(output.clone());

    let (mut watcher, rx) = match watch::watch(&opts.root, &output) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch {}: {e}", opts.root.display());
            return 1;
        }
    };
    std::thread::spawn(move || {
        rebuilder.run(rx, |changes| {
            // A `themes/` or `content/` folder created while serving gets watched too.
            if changes.paths.iter().any(|p| p.is_dir()) {
                watcher.ensure_watched();
            }
        })
    });

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let app = http::router(
        AppState {
            root: root_c,
            events,
            error,
            stop: stopped,
        },
        host::HostPolicy::new(bound, url.clone()),
    );
    let signal = match listen::stop_signal() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot listen for Ctrl-C: {e}");
            return 1;
        }
    };
    eprintln!("serving {url} (Ctrl-C to stop)");
    if opts.open {
        open_browser(&url);
    }
    let shutdown = async {
        signal.await;
        eprintln!("stopping");
    };
    listen::serve(listener, app, head_timeout, shutdown, stop).await;
    0
}

async fn bind(ip: IpAddr, port: u16) -> Option<tokio::net::TcpListener> {
    for p in port..=port.saturating_add(PORT_TRIES) {
        if let Ok(l) = tokio::net::TcpListener::bind(SocketAddr::new(ip, p)).await {
            return Some(l);
        }
        if port == 0 {
            break;
        }
    }
    None
}

fn url_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd).arg(url).spawn() {
        eprintln!("warning: could not open a browser ({cmd}): {e}");
    }
}

struct Rebuilder {
    opts: BuildOptions,
    hl: Highlighter,
    cache: BuildCache,
    events: broadcast::Sender<Message>,
    error: Arc<Mutex<Option<String>>>,
    /// The output directory's lock and manifest, from the first build on.
    session: Option<output::OutputSession>,
    /// The site's persisted cache, when in use.
    persisted: Option<(PersistedCache, Loaded)>,
    last_store: Instant,
    /// Rebuilds happened since the cache was last saved.
    store_due: bool,
}

impl Rebuilder {
    fn first_build(&mut self) -> Result<PathBuf, i32> {
        let mut warnings = Vec::new();
        self.persisted = cache::load(&self.opts, &mut self.cache, &self.hl, &mut warnings);
        for w in &warnings {
            eprintln!("{w}");
        }
        let planned = match build::plan_cached(&self.opts, &self.hl, &mut self.cache) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                return Err(e.exit_code());
            }
        };
        // Held for as long as `serve` runs: its rebuilds write the folder in place.
        let session = match output::OutputSession::open(&planned.output_dir, &self.opts.root, false)
        {
            Ok(s) => self.session.insert(s),
            Err(e) => {
                eprintln!("{e}");
                return Err(e.exit_code());
            }
        };
        for d in &planned.report.diagnostics {
            eprintln!("{d}");
        }
        let mut plan = planned.plan;
        build::add_search_index(&mut plan, &planned.model);
        if let Err(e) = session.publish(&plan) {
            eprintln!("{e}");
            return Err(e.exit_code());
        }
        if planned.report.errors() > 0 {
            self.set_error(Some(error_text(&planned.report.diagnostics)));
        }
        if let Some((cache, loaded)) = &self.persisted {
            cache.store_if_changed(&self.cache, &self.hl, loaded, &mut warnings);
        }
        self.store_cache_done(warnings);
        Ok(planned.output_dir)
    }

    /// Saves the persisted cache after rebuilds (see `CACHE_STORE_EVERY`).
    fn store_cache(&mut self) {
        let mut warnings = Vec::new();
        if let Some((cache, _)) = &self.persisted {
            cache.store(&self.cache, &self.hl, &mut warnings);
        }
        self.store_cache_done(warnings);
    }

    fn store_cache_done(&mut self, warnings: Vec<String>) {
        for w in &warnings {
            eprintln!("{w}");
        }
        self.last_store = Instant::now();
        self.store_due = false;
    }

    /// Rebuild loop: one rebuild per batch of changes, batches that arrive during a
    /// rebuild are merged into the next one (a `git checkout` gives one or two rebuilds).
    fn run(mut self, rx: mpsc::Receiver<watch::Changes>, mut before: impl FnMut(&watch::Changes)) {
        loop {
            let next = if self.store_due {
                rx.recv_timeout(CACHE_STORE_EVERY.saturating_sub(self.last_store.elapsed()))
            } else {
                rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected)
            };
            let mut changes = match next {
                Ok(changes) => changes,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.store_cache();
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            // Let a burst finish: keep merging while batches keep coming.
            while let Ok(more) = rx.recv_timeout(Duration::from_millis(20)) {
                changes.paths.extend(more.paths);
            }
            before(&changes);
            self.rebuild(&changes);
            self.store_due = self.persisted.is_some();
        }
    }

    fn rebuild(&mut self, changes: &watch::Changes) {
        let started = Instant::now();
        let planned = match build::plan_cached(&self.opts, &self.hl, &mut self.cache) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{e}");
                self.set_error(Some(e.to_string()));
                return;
            }
        };
        for d in &planned.report.diagnostics {
            eprintln!("{d}");
        }
        if planned.report.errors() > 0 {
            // Keep the last good site; the browser shows what is wrong.
            eprintln!("not written: fix the errors above (the last good site is still served)");
            self.set_error(Some(error_text(&planned.report.diagnostics)));
            return;
        }
        // Pages first (what the open browser waits for), then the search index.
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let stats = match session.write_incremental(&planned.plan, Some("search/")) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                self.set_error(Some(e.to_string()));
                return;
            }
        };
        let pages_ms = started.elapsed().as_millis();
        self.set_error(None);
        let data = serde_json::json!({ "paths": stats.changed, "css_only": changes.css_only() });
        let _ = self.events.send(("reload", data.to_string()));
        let mut plan = planned.plan;
        build::add_search_index(&mut plan, &planned.model);
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let index = match session.write_incremental(&plan, None) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                self.set_error(Some(e.to_string()));
                return;
            }
        };
        let rendered = self.cache.rendered;
        eprintln!(
            "rebuilt {rendered} sheet{} in {} ms ({} file{} written, {} removed; search index {} ms)",
            if rendered == 1 { "" } else { "s" },
            pages_ms,
            stats.written + index.written,
            if stats.written + index.written == 1 { "" } else { "s" },
            stats.removed + index.removed,
            started.elapsed().as_millis() - pages_ms,
        );
    }

    fn set_error(&self, message: Option<String>) {
        let data = message
            .as_ref()
            .map(|m| serde_json::json!({ "message": m }).to_string());
        let had = match self.error.lock() {
            Ok(mut e) => std::mem::replace(&mut *e, data.clone()).is_some(),
            Err(_) => false,
        };
        match data {
            Some(d) => {
                let _ = self.events.send(("build-error", d));
            }
            None if had => {
                let _ = self.events.send(("ok", "{}".into()));
            }
            None => {}
        }
    }
}

fn error_text(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
