//! Review screenshots of the default theme (an ignored test; `bench/screenshots.sh` runs it).

use super::{go, media, open_search, resize, served, tab_at};
use crate::common::browser::eval;
use crate::common::server::{served_fixture, StaticServer};
use headless_chrome::Tab;
use std::path::PathBuf;

/// Review screenshots at 1440×900 and 390×844, light and dark, into `target/screenshots/`
/// (or `$SCREENSHOT_DIR`): the `look` fixture, the `dialect` fixture (callouts, highlighted
/// lines, key tables, Featured list …) and the demo site. Each page is captured down to
/// 3,000 px so what lies below the fold can be reviewed too. `bench/screenshots.sh` runs this.
#[test]
#[ignore]
fn screenshots() {
    let _serial = crate::common::browser::serial();
    let (_site, server) = served();
    let (_dialect, dialect_server) = served_fixture("dialect", "/");
    let demo_out = tempfile::tempdir().unwrap();
    let demo_server = StaticServer::start(demo_out.path(), "/");
    let demo_root = env!("CARGO_MANIFEST_DIR");
    let out = demo_out.path().to_str().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cheatgen"))
        .args([
            "build", "-q", "--force", "--root", demo_root, "--output", out,
        ])
        .args(["--base-url", &demo_server.url("/")])
        .status()
        .unwrap();
    assert!(status.success(), "demo site builds");
    let dir = std::env::var("SCREENSHOT_DIR").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).unwrap();
    let Some(tab) = tab_at(1440, 900, None) else {
        return;
    };
    let pages = [
        ("home", server.url("/")),
        ("long", server.url("/long/")),
        ("code", server.url("/code/")),
        ("one", server.url("/one/")),
        ("grouped", server.url("/grouped/")),
        ("tag", server.url("/tags/shell/")),
        ("dialect-home", dialect_server.url("/")),
        ("dialect-react", dialect_server.url("/react/")),
        ("dialect-vue", dialect_server.url("/vue/")),
        ("dialect-obsidian", dialect_server.url("/obsidian/")),
        ("demo-git", demo_server.url("/git/")),
    ];
    for (w, h) in [(1440, 900), (390, 844)] {
        for scheme in ["light", "dark"] {
            media(&tab, None, scheme);
            for (name, url) in &pages {
                resize(&tab, w, h);
                go(&tab, url);
                shoot(
                    &tab,
                    w,
                    h,
                    &dir.join(format!("{name}-{w}x{h}-{scheme}.png")),
                );
            }
            // The open search panel.
            resize(&tab, w, h);
            go(&tab, &server.url("/code/"));
            open_search(&tab, "tar");
            shoot(
                &tab,
                w,
                h,
                &dir.join(format!("search-{w}x{h}-{scheme}.png")),
            );
        }
    }
}

/// Saves the page as a PNG, as tall as its content up to 3,000 px (the viewport grows for
/// the capture, so the first screen is the one a reader sees at `width`×`height`).
fn shoot(tab: &Tab, width: u32, height: u32, file: &std::path::Path) {
    use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
    let full = eval(tab, "document.documentElement.scrollHeight")
        .as_u64()
        .unwrap_or(u64::from(height));
    let tall = u32::try_from(full.clamp(u64::from(height), 3000)).unwrap_or(height);
    if tall > height
        && eval(tab, "document.activeElement === document.body").as_bool() == Some(true)
    {
        resize(tab, width, tall);
    }
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .unwrap();
    std::fs::write(file, png).unwrap();
    eprintln!("{}", file.display());
}
