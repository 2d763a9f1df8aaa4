//! One headless Chromium per test binary (launching costs seconds). The browser is found
//! as CI finds it (.github/workflows/ci.yml): `$CHROME` (or the older `$CHROMIUM`), else
//! `google-chrome`, `chromium`, `chromium-browser` on PATH. None found fails the tests,
//! unless `CHEATGEN_SKIP_BROWSER_TESTS=1` asks to skip them (loudly).

use headless_chrome::{Browser, LaunchOptions};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn browser() -> Option<&'static Browser> {
    static BROWSER: OnceLock<Option<Browser>> = OnceLock::new();
    BROWSER
        .get_or_init(|| {
            let found = find_browser(
                std::env::var_os("CHROME").or_else(|| std::env::var_os("CHROMIUM")),
                std::env::var_os("PATH"),
            );
            let path = match found {
                Ok(path) => path,
                Err(why) if std::env::var("CHEATGEN_SKIP_BROWSER_TESTS").as_deref() == Ok("1") => {
                    eprintln!("\n*** SKIPPING browser tests (CHEATGEN_SKIP_BROWSER_TESTS=1): {why} ***\n");
                    return None;
                }
                Err(why) => panic!("{why} (apt-get install -y chromium; or CHEATGEN_SKIP_BROWSER_TESTS=1 to skip the browser tests)"),
            };
            let opts = LaunchOptions::default_builder()
                .path(Some(path))
                .headless(true)
                .sandbox(false)
                .window_size(Some((1280, 800)))
                .idle_browser_timeout(Duration::from_secs(600))
                .args(vec![
                    std::ffi::OsStr::new("--disable-quic"),
                    std::ffi::OsStr::new("--disable-component-update"),
                    // A DNS rebinding attacker's name, resolved to loopback (`browser_serve`).
                    std::ffi::OsStr::new("--host-resolver-rules=MAP rebind.test 127.0.0.1"),
                ])
                .build()
                .unwrap();
            Some(Browser::new(opts).expect("launch Chromium"))
        })
        .as_ref()
}

/// The browser to drive: `chrome_env` (from `$CHROME`/`$CHROMIUM`) if set — it must
/// exist — else the first of `google-chrome`, `chromium`, `chromium-browser` found on
/// `path_env`. The error says what was tried.
pub fn find_browser(
    chrome_env: Option<std::ffi::OsString>,
    path_env: Option<std::ffi::OsString>,
) -> Result<std::path::PathBuf, String> {
    if let Some(chrome) = chrome_env.filter(|c| !c.is_empty()) {
        let chrome = std::path::PathBuf::from(chrome);
        return if chrome.is_file() {
            Ok(chrome)
        } else {
            Err(format!("no browser at CHROME={}", chrome.display()))
        };
    }
    let dirs: Vec<std::path::PathBuf> = path_env
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    const NAMES: [&str; 3] = ["google-chrome", "chromium", "chromium-browser"];
    NAMES
        .iter()
        .find_map(|name| dirs.iter().map(|d| d.join(name)).find(|p| is_executable(p)))
        .ok_or_else(|| {
            format!("no browser found: CHROME is unset and none of {NAMES:?} is on PATH")
        })
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A new tab at `url`, loaded; its waits give up after `wait`.
pub fn open(browser: &Browser, url: &str, wait: Duration) -> std::sync::Arc<headless_chrome::Tab> {
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(wait);
    tab.navigate_to(url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    tab
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

/// Emulates a screen of `width`×`height` CSS pixels (headless windows are at least 500 px
/// wide, so phone widths need this); below 500 px it is a mobile device.
#[allow(dead_code)]
pub fn set_viewport(tab: &headless_chrome::Tab, width: u32, height: u32, scale: f64) {
    use headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride;
    tab.call_method(SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: scale,
        mobile: width < 500,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .unwrap();
}
