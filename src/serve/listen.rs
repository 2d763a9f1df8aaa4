//! The dev server's connection loop (hyper HTTP/1.1 under the axum router): accepts
//! connections, closes those that do not send a complete request head in time (idle
//! keep-alive connections included), and on shutdown stops accepting, ends the
//! live-reload streams and gives in-flight requests a short grace period — so Ctrl-C
//! returns within a second even while browser tabs are connected.

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Environment variable overriding [`DEFAULT_HEAD_TIMEOUT`] (milliseconds).
pub const TIMEOUT_ENV: &str = "CHEATGEN_SERVE_TIMEOUT_MS";
/// How long a connection may take to send a request head, counted from its opening or
/// from the end of its previous response: slow or idle connections are closed after it.
pub const DEFAULT_HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for in-flight requests before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// Pause after an accept error such as "too many open files", so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The head/idle timeout: [`TIMEOUT_ENV`] if set to a positive number of milliseconds,
/// else the default (a bad value is reported and ignored).
pub fn head_timeout() -> Duration {
    match std::env::var(TIMEOUT_ENV) {
        Err(_) => DEFAULT_HEAD_TIMEOUT,
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(ms) if ms > 0 => Duration::from_millis(ms),
            _ => {
                eprintln!(
                    "warning: {TIMEOUT_ENV}={v:?} is not a positive number of milliseconds; using {} ms",
                    DEFAULT_HEAD_TIMEOUT.as_millis()
                );
                DEFAULT_HEAD_TIMEOUT
            }
        },
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then sets `stop` (which ends
/// the live-reload streams) and returns once open connections are done or the grace
/// period is over.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    head_timeout: Duration,
    shutdown: impl Future<Output = ()>,
    stop: watch::Sender<bool>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(head_timeout);
    let connections = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let service = TowerToHyperService::new(app.clone());
                    let conn = http.serve_connection(TokioIo::new(stream), service);
                    let conn = connections.watch(conn);
                    tokio::spawn(async move {
                        // Errors here are the client's (reset, timeout): nothing to report.
                        let _ = conn.await;
                    });
                }
                Err(e) if is_per_connection(&e) => {}
                Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connections.shutdown()).await;
}

/// Ctrl-C (SIGINT) or SIGTERM. The handlers are installed here, at once, so a signal
/// that arrives before the server loop first polls the future is not lost (or fatal).
pub fn stop_signal() -> io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Accept errors that concern only the connection being accepted.
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
