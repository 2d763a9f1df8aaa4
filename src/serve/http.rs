//! The development HTTP server (axum + tower-http `ServeDir`): the output folder with
//! `index.html` for folders, the site's `404.html` with status 404, no directory
//! listings, nothing outside the output folder (`..`, encoded forms, symlinks leading
//! out), the live-reload script injected into HTML responses (never written to disk), and
//! the server-sent events endpoint the script listens on (ended when the server stops).
//! A `Range` request for an HTML page gets the whole page (200, with the script): a
//! range of the page plus an injected script would match no byte offsets; `HEAD` on a
//! page gives the length of that whole page.

use super::host::{self, HostPolicy};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use percent_encoding::percent_decode_str;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};
use tokio_stream::wrappers::{BroadcastStream, WatchStream};
use tokio_stream::{Stream, StreamExt};
use tower::ServiceExt;
use tower_http::services::ServeDir;

pub const EVENTS_PATH: &str = "/__cheatgen/events";
pub const SCRIPT_PATH: &str = "/__cheatgen/livereload.js";
const SCRIPT: &str = include_str!("livereload.js");
/// Largest HTML page the injector will buffer.
const MAX_HTML: usize = 64 * 1024 * 1024;

/// Longest decoded request path looked up (Linux `PATH_MAX`); longer ones are 404.
const MAX_PATH: usize = 4096;

/// A message to the browsers: SSE event name and JSON data.
pub type Message = (&'static str, String);

#[derive(Clone)]
pub struct AppState {
    /// Canonical output folder.
    pub root: PathBuf,
    pub events: broadcast::Sender<Message>,
    /// The current build error (sent to browsers that connect while it lasts).
    pub error: Arc<Mutex<Option<String>>>,
    /// Becomes `true` when the server stops: live-reload streams end.
    pub stop: watch::Receiver<bool>,
}

pub fn router(state: AppState, hosts: HostPolicy) -> Router {
    Router::new()
        .route(SCRIPT_PATH, get(script))
        .route(EVENTS_PATH, get(events))
        .fallback(files)
        .with_state(state)
        .layer(axum::middleware::from_fn_with_state(hosts, host::guard))
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

async fn events(State(st): State<AppState>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = st.events.subscribe();
    let current = st.error.lock().ok().and_then(|e| e.clone());
    let initial = tokio_stream::iter(
        current.map(|data| Ok(Event::default().event("build-error").data(data))),
    );
    let updates = BroadcastStream::new(rx).filter_map(|m| {
        m.ok()
            .map(|(name, data)| Ok(Event::default().event(name).data(data)))
    });
    // `None` marks the stop; everything up to it is passed on, then the stream ends.
    let stopped = WatchStream::new(st.stop).filter(|s| *s).map(|_| None);
    let stream = initial
        .chain(updates)
        .map(Some)
        .merge(stopped)
        .map_while(|item| item);
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn files(State(st): State<AppState>, req: Request) -> Response {
    if !inside(&st.root, req.uri().path()) {
        return not_found(&st.root).await;
    }
    // Kept to ask again without the range if the answer turns out to be HTML.
    let (parts, _) = req.into_parts();
    let res = serve_file(&st.root, Request::from_parts(parts.clone(), Body::empty())).await;
    if res.status() == StatusCode::NOT_FOUND {
        return not_found(&st.root).await;
    }
    let partial = matches!(
        res.status(),
        StatusCode::PARTIAL_CONTENT | StatusCode::RANGE_NOT_SATISFIABLE
    );
    // HEAD must announce the length GET sends, script included: build that body (hyper
    // sends only its length).
    if (partial || parts.method == Method::HEAD) && is_html(&res) {
        let mut whole = Request::from_parts(parts, Body::empty());
        *whole.method_mut() = Method::GET;
        whole.headers_mut().remove(header::RANGE);
        whole.headers_mut().remove(header::IF_RANGE);
        return inject(serve_file(&st.root, whole).await).await;
    }
    inject(res).await
}

async fn serve_file(root: &Path, req: Request) -> Response {
    match ServeDir::new(root)
        .append_index_html_on_directories(true)
        .oneshot(req)
        .await
    {
        Ok(r) => r.map(Body::new),
        Err(never) => match never {},
    }
}

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Is the file a request path names inside the output folder, after decoding and
/// following symlinks? (Missing files are "inside": they become the 404 page.)
fn inside(root: &Path, uri_path: &str) -> bool {
    let decoded = percent_decode_str(uri_path).decode_utf8_lossy();
    // Longer than any path the OS opens (and the per-segment check below stays bounded).
    if decoded.len() > MAX_PATH {
        return false;
    }
    if decoded.contains('\0') || decoded.split(['/', '\\']).any(|seg| seg == "..") {
        return false;
    }
    let mut path = root.to_path_buf();
    for seg in decoded.split('/').filter(|s| !s.is_empty() && *s != ".") {
        path.push(seg);
        // Check every step, so a symlinked folder that leads out is caught even when
        // the final file does not exist.
        if let Ok(real) = std::fs::canonicalize(&path) {
            if !real.starts_with(root) {
                return false;
            }
        }
    }
    true
}

async fn not_found(root: &Path) -> Response {
    let body = tokio::fs::read(root.join("404.html"))
        .await
        .unwrap_or_else(|_| b"Not found".to_vec());
    let res = (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    inject(res).await
}

/// Adds the live-reload script to an HTML response.
async fn inject(res: Response) -> Response {
    if !is_html(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_HTML).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let html = String::from_utf8_lossy(&bytes);
    let tag = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    let out = match html.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &html[..i], &html[i..]),
        None => format!("{html}{tag}"),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    // The served bytes are not the file's: byte ranges of them are not offered.
    parts.headers.remove(header::ACCEPT_RANGES);
    // Our pages are UTF-8; say so rather than leave it to sniffing.
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Response::from_parts(parts, Body::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_rejects_traversal_and_outward_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        let root = std::fs::canonicalize(&root).unwrap();
        assert!(inside(&root, "/a/"));
        assert!(inside(&root, "/missing.html"));
        assert!(!inside(&root, "/../secret.txt"));
        assert!(!inside(&root, "/%2e%2e/secret.txt"));
        assert!(!inside(&root, "/a/%2E%2E/%2e%2e/secret.txt"));
        assert!(!inside(&root, &"/a".repeat(3000)), "longer than PATH_MAX");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), root.join("out")).unwrap();
            assert!(!inside(&root, "/out/secret.txt"));
        }
    }
}
