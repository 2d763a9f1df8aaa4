//! `cheatgen serve`: build, serve the output on 127.0.0.1, watch the sources, rebuild
//! only what changed (`build::BuildCache`) and tell open browsers to reload.
//!
//! The output on disk after any sequence of edits equals a clean build of the same
//! sources (the cache only reuses byte-identical results). A rebuild with errors writes
//! nothing: the last good site stays served and browsers show the errors in an overlay.

mod host;
mod http;
mod listen;
pub mod watch;

use crate::build::{BuildOptions, Engine, Want};
use crate::diagnostics::Diagnostic;
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

/// How long edits must pause before `serve` saves the persisted cache.
const CACHE_STORE_IDLE: Duration = Duration::from_secs(3);

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
        cache: opts.cache,
        ..BuildOptions::default()
    };

    let (events, _) = broadcast::channel::<Message>(64);
    let error = Arc::new(Mutex::new(None));
    let engine = match Engine::new(&build_opts, Want::SITE, true) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return e.exit_code();
        }
    };
    let mut rebuilder = Rebuilder {
        engine,
        last_rebuild: Instant::now(),
        store_due: false,
        events: events.clone(),
        error: Arc::clone(&error),
        session: None,
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
    engine: Engine,
    /// When the last rebuild ended.
    last_rebuild: Instant,
    /// Rebuilds happened since the cache was last saved.
    store_due: bool,
    events: broadcast::Sender<Message>,
    error: Arc<Mutex<Option<String>>>,
    /// The output directory's lock and manifest, from the first build on.
    session: Option<output::OutputSession>,
}

impl Rebuilder {
    fn first_build(&mut self) -> Result<PathBuf, i32> {
        // Held for as long as `serve` runs: its rebuilds write the folder in place.
        let out = self.engine.output_dir().to_path_buf();
        let root = self.engine.root().to_path_buf();
        let session = match output::OutputSession::open(&out, &root, false) {
            Ok(s) => self.session.insert(s),
            Err(e) => {
                eprintln!("{e}");
                return Err(e.exit_code());
            }
        };
        let site = match self.engine.build_all() {
            Ok(site) => site,
            Err(e) => {
                eprintln!("{e}");
                return Err(e.exit_code());
            }
        };
        for d in &site.report.diagnostics {
            eprintln!("{d}");
        }
        if let Err(e) = session.publish(&site.files) {
            eprintln!("{e}");
            return Err(e.exit_code());
        }
        let errors = site.report.errors();
        let text = error_text(&site.report.diagnostics);
        for w in &site.report.cache_warnings {
            eprintln!("{w}");
        }
        self.engine.commit();
        if errors > 0 {
            self.set_error(Some(text));
        }
        self.engine.store_cache(true);
        self.store_cache_done();
        Ok(out)
    }

    /// Saves the persisted cache after rebuilds (see `CACHE_STORE_IDLE`).
    fn store_cache(&mut self) {
        self.engine.store_cache(false);
        self.store_cache_done();
    }

    fn store_cache_done(&mut self) {
        for w in self.engine.take_cache_warnings() {
            eprintln!("{w}");
        }
        self.store_due = false;
    }

    /// Rebuild loop: one rebuild per batch of changes, batches that arrive during a
    /// rebuild are merged into the next one (a `git checkout` gives one or two rebuilds).
    fn run(mut self, rx: mpsc::Receiver<watch::Changes>, mut before: impl FnMut(&watch::Changes)) {
        loop {
            let next = if self.store_due {
                rx.recv_timeout(CACHE_STORE_IDLE.saturating_sub(self.last_rebuild.elapsed()))
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
            // Batches that arrived meanwhile (a `git checkout` is many) go into one rebuild;
            // the debouncer already waited for the burst, so no further wait here.
            while let Ok(more) = rx.try_recv() {
                changes.paths.extend(more.paths);
            }
            before(&changes);
            self.rebuild(&changes);
            self.store_due = self.engine.has_cache();
            self.last_rebuild = Instant::now();
        }
    }

    fn rebuild(&mut self, changes: &watch::Changes) {
        let started = Instant::now();
        let update = match self.engine.apply(&changes.paths) {
            Ok(u) => u,
            Err(e) => {
                eprintln!("{e}");
                self.set_error(Some(e.to_string()));
                return;
            }
        };
        let Some(site) = self.engine.site() else {
            return;
        };
        if update.changes.is_empty()
            || self.engine.pending().is_empty() && site.report.errors() == 0
        {
            // Nothing the site shows changed (a save without edits, an ignored file).
            if site.report.errors() == 0 {
                self.set_error(None);
            }
            return;
        }
        for d in &site.report.diagnostics {
            eprintln!("{d}");
        }
        if site.report.errors() > 0 {
            // Keep the last good site; the browser shows what is wrong.
            eprintln!("not written: fix the errors above (the last good site is still served)");
            let text = error_text(&site.report.diagnostics);
            self.set_error(Some(text));
            return;
        }
        let Some(session) = self.session.as_mut() else {
            return;
        };
        let written = Instant::now();
        let stats = match session.write_incremental(&site.files, Some(self.engine.pending())) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                self.set_error(Some(e.to_string()));
                return;
            }
        };
        self.engine.commit();
        if std::env::var_os("CHEATGEN_TIMINGS").is_some() {
            eprintln!("timing: write: {:.3}s", written.elapsed().as_secs_f64());
        }
        self.set_error(None);
        if !stats.changed.is_empty() {
            let data =
                serde_json::json!({ "paths": stats.changed, "css_only": changes.css_only() });
            let _ = self.events.send(("reload", data.to_string()));
        }
        eprintln!(
            "rebuilt {} note{} in {} ms ({} file{} written, {} removed{})",
            update.rendered,
            if update.rendered == 1 { "" } else { "s" },
            started.elapsed().as_millis(),
            stats.written,
            if stats.written == 1 { "" } else { "s" },
            stats.removed,
            if update.fast { "; body-only" } else { "" },
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
