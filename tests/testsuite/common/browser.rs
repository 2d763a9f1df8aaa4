//! One headless Chromium for the whole test run (launching costs seconds), killed with its
//! profile when the test process exits. The browser is found as CI finds it
//! (.github/workflows/ci.yml): `$CHROME` (or the older `$CHROMIUM`), else
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
            // Our own profile folder, so the exit hook can remove it.
            let profile = tempfile::Builder::new()
                .prefix("cheatgen-test-chromium-")
                .tempdir()
                .unwrap()
                .keep();
            let opts = LaunchOptions::default_builder()
                .path(Some(path))
                .user_data_dir(Some(profile.clone()))
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
            let browser = Browser::new(opts).expect("launch Chromium");
            kill_at_exit(browser.get_process_id().expect("Chromium pid"), profile);
            Some(browser)
        })
        .as_ref()
}

/// The Chromium to kill, and its profile to remove, when the test process exits.
static LAUNCHED: OnceLock<(u32, std::path::PathBuf)> = OnceLock::new();

/// The `Browser` lives in a static, and statics are never dropped, so headless_chrome's
/// own kill-on-drop never runs: without this hook Chromium outlived every test run.
fn kill_at_exit(pid: u32, profile: std::path::PathBuf) {
    extern "C" fn at_exit() {
        let Some((pid, profile)) = LAUNCHED.get() else {
            return;
        };
        let pid = *pid as libc::pid_t;
        let singleton = singleton_dir(profile);
        // SIGTERM lets Chromium shut down cleanly; SIGKILL if it is still there after 5 s.
        // SAFETY (all three blocks): plain syscalls on our own child process.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let exited = (0..50).any(|_| {
            let done = unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) } != 0;
            if !done {
                std::thread::sleep(Duration::from_millis(100));
            }
            done
        });
        if !exited {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
        }
        // Its helper processes may still write to the profile for a moment.
        for _ in 0..20 {
            let _ = std::fs::remove_dir_all(profile);
            if let Some(dir) = &singleton {
                let _ = std::fs::remove_dir_all(dir);
            }
            if !profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    if LAUNCHED.set((pid, profile)).is_ok() {
        // SAFETY: registers a function that lives as long as the program.
        unsafe { libc::atexit(at_exit) };
    }
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

/// The folder of Chromium's singleton socket (in the temp dir, named by a link in the
/// profile); a Chromium that is killed leaves it behind.
fn singleton_dir(profile: &std::path::Path) -> Option<std::path::PathBuf> {
    let socket = std::fs::read_link(profile.join("SingletonSocket")).ok()?;
    Some(socket.parent()?.to_path_buf())
}

#[test]
#[ignore = "run in a child process by `chromium_exits_with_the_test_process`"]
fn launch_chromium_then_exit() {
    if browser().is_some() {
        let (pid, profile) = LAUNCHED.get().unwrap();
        println!("chromium pid {pid}\nchromium profile {}", profile.display());
        if let Some(dir) = singleton_dir(profile) {
            println!("chromium singleton {}", dir.display());
        }
    }
}

/// The shared Chromium sits in a static, which is never dropped: without the exit hook
/// every test binary left a Chromium (about 225 MB) running, and its profile and singleton
/// folders in the temp dir, after the test process ended.
#[test]
fn chromium_exits_with_the_test_process() {
    let _serial = serial();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "--nocapture"])
        .arg("common::browser::launch_chromium_then_exit")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(pid) = stdout
        .lines()
        .find_map(|l| l.strip_prefix("chromium pid "))
        .map(|p| p.trim().to_string())
    else {
        assert!(browser().is_none(), "no Chromium pid in {stdout}");
        return;
    };
    let alive = || {
        std::process::Command::new("kill")
            .args(["-0", &pid])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    };
    let gone = wait_for(Duration::from_secs(5), || (!alive()).then_some(())).is_some();
    if !gone {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
    }
    assert!(
        gone,
        "Chromium {pid} outlived the test process that launched it"
    );
    let left: Vec<&str> = stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix("chromium profile ")
                .or_else(|| l.strip_prefix("chromium singleton "))
        })
        .filter(|dir| std::path::Path::new(dir).exists())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(stdout.contains("chromium singleton "), "{stdout}");
}
