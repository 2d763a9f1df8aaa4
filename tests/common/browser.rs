//! One headless Chromium per test binary (launching costs seconds). Skips loudly when
//! Chromium is missing, except under `CI=true`, where a missing browser is a failure.

use headless_chrome::{Browser, LaunchOptions};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn browser() -> Option<&'static Browser> {
    static BROWSER: OnceLock<Option<Browser>> = OnceLock::new();
    BROWSER
        .get_or_init(|| {
            let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
            if !std::path::Path::new(&path).exists() {
                assert!(std::env::var("CI").as_deref() != Ok("true"), "Chromium not found at {path} (set CHROMIUM)");
                eprintln!("\n*** SKIPPING browser tests: Chromium not found at {path} (apt-get install -y chromium) ***\n");
                return None;
            }
            let opts = LaunchOptions::default_builder()
                .path(Some(path.into()))
                .headless(true)
                .sandbox(false)
                .window_size(Some((1280, 800)))
                .idle_browser_timeout(Duration::from_secs(600))
                .args(vec![
                    std::ffi::OsStr::new("--disable-quic"),
                    std::ffi::OsStr::new("--disable-component-update"),
                    // A DNS rebinding attacker's name, resolved to loopback (tests/browser_serve.rs).
                    std::ffi::OsStr::new("--host-resolver-rules=MAP rebind.test 127.0.0.1"),
                ])
                .build()
                .unwrap();
            Some(Browser::new(opts).expect("launch Chromium"))
        })
        .as_ref()
}

/// Polls `check` until it returns Some or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if start.elapsed() > timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Browser tests in one binary run one at a time: parallel tabs in one headless
/// Chromium on a 2-core machine starve each other and time out.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Evaluates `js` (awaiting a promise) and returns its value, passed through JSON so
/// arrays and objects come back whole. `Null` when the page cannot answer (e.g. while it
/// reloads), which polling callers treat as "not yet".
pub fn eval(tab: &headless_chrome::Tab, js: &str) -> serde_json::Value {
    let wrapped = format!("Promise.resolve({js}).then(function (v) {{ return JSON.stringify(v === undefined ? null : v); }})");
    match tab.evaluate(&wrapped, true).map(|r| r.value) {
        Ok(Some(serde_json::Value::String(s))) => {
            serde_json::from_str(&s).unwrap_or(serde_json::Value::Null)
        }
        _ => serde_json::Value::Null,
    }
}
