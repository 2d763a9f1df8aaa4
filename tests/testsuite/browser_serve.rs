//! Live reload in a real headless Chromium against `cheatgen serve`: the page reloads
//! after an edit (keeping its scroll position), a CSS-only change swaps the stylesheet
//! without a reload, a build error shows an overlay that clears once fixed, and a page
//! reached through a rebound host name (DNS rebinding) can read nothing.

use crate::common;
use crate::common::browser::{browser, eval, serial, wait_for};
use crate::common::{Served, Site};
use serde_json::Value;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// A new tab at `url`, loaded.
fn open(browser: &headless_chrome::Browser, url: &str) -> std::sync::Arc<headless_chrome::Tab> {
    common::browser::open(browser, url, WAIT)
}

#[test]
fn page_reloads_on_edit_and_shows_build_errors() {
    let _serial = serial();
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let Some(browser) = browser() else { return };
    let tab = open(
        browser,
        &format!("http://127.0.0.1:{}/git/rebase/", served.port),
    );
    // Wait for the live-reload connection, then mark this page instance.
    std::thread::sleep(Duration::from_millis(500));
    eval(&tab, "window.__marker = 'old'");

    let note = site.root().join("content/git/rebase.md");
    let good = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, good.replace("# Abort", "# Abort and retry")).unwrap();
    let reloaded = wait_for(WAIT, || {
        let title = eval(&tab, "window.__marker === undefined && document.getElementById('abort-and-retry') ? 'yes' : null");
        title.as_str().map(str::to_string)
    });
    assert!(
        reloaded.is_some(),
        "page reloaded with the edit: {}",
        served.log()
    );

    // An edit to another page does not reload this one.
    eval(&tab, "window.__marker = 'kept'");
    site.write("content/unrelated.md", "# Unrelated\n");
    assert!(served.wait_rebuilds(2, WAIT), "{}", served.log());
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(eval(&tab, "window.__marker"), Value::String("kept".into()));

    // A build error: overlay with path:line, the page stays.
    std::fs::write(&note, "---\ntitle: [oops\n---\n# x\n").unwrap();
    let overlay = wait_for(WAIT, || {
        eval(
            &tab,
            "(document.getElementById('cheatgen-error-overlay')||{}).textContent || null",
        )
        .as_str()
        .map(str::to_string)
    });
    let overlay = overlay.expect("error overlay shown");
    assert!(overlay.contains("content/git/rebase.md:"), "{overlay}");
    assert_eq!(eval(&tab, "window.__marker"), Value::String("kept".into()));
    std::fs::write(&note, good).unwrap();
    let cleared = wait_for(WAIT, || {
        (eval(
            &tab,
            "document.getElementById('cheatgen-error-overlay') === null",
        ) == Value::Bool(true))
        .then_some(())
    });
    assert!(cleared.is_some(), "overlay cleared after the fix");
}

#[test]
fn css_change_swaps_the_stylesheet_without_reload() {
    let _serial = serial();
    let site = Site::fixture("crosslinks");
    let css = include_str!("../../themes/default/static/style.css");
    site.write("themes/default/static/style.css", css);
    let served = Served::start(&site);
    let Some(browser) = browser() else { return };
    let tab = open(
        browser,
        &format!("http://127.0.0.1:{}/git/basics/", served.port),
    );
    std::thread::sleep(Duration::from_millis(500));
    eval(&tab, "window.__marker = 'same page'");
    site.write(
        "themes/default/static/style.css",
        format!("{css}\nbody {{ border-top: 7px solid rgb(1, 2, 3); }}\n"),
    );
    let applied = wait_for(WAIT, || {
        (eval(&tab, "getComputedStyle(document.body).borderTopColor")
            == Value::String("rgb(1, 2, 3)".into()))
        .then_some(())
    });
    assert!(applied.is_some(), "new CSS applied: {}", served.log());
    let debug = eval(&tab, "[window.__marker, window.__cheatgenCssSwaps, performance.getEntriesByType('navigation')[0].type, location.href]");
    assert_eq!(
        eval(&tab, "window.__marker"),
        Value::String("same page".into()),
        "no reload: {debug}"
    );
}

#[test]
fn reload_keeps_the_scroll_position() {
    let _serial = serial();
    let site = Site::fixture("crosslinks");
    let long: String = (0..80)
        .map(|i| format!("# Card {i}\n\nText {i}.\n\n"))
        .collect();
    site.write("content/long.md", &long);
    let served = Served::start(&site);
    let Some(browser) = browser() else { return };
    let tab = open(browser, &format!("http://127.0.0.1:{}/long/", served.port));
    std::thread::sleep(Duration::from_millis(500));
    eval(&tab, "window.scrollTo(0, 1500)");
    eval(&tab, "window.__marker = 'old'");
    site.write("content/long.md", format!("{long}# Card added\n\nNew.\n"));
    let reloaded = wait_for(WAIT, || {
        (eval(
            &tab,
            "window.__marker === undefined && !!document.getElementById('card-added')",
        ) == Value::Bool(true))
        .then_some(())
    });
    assert!(reloaded.is_some(), "{}", served.log());
    let y = wait_for(WAIT, || {
        eval(&tab, "window.scrollY")
            .as_f64()
            .filter(|y| (*y - 1500.0).abs() < 5.0)
    });
    assert!(
        y.is_some(),
        "scroll kept: {:?}",
        eval(&tab, "window.scrollY")
    );
}

#[test]
fn a_rebound_host_name_reads_nothing() {
    let _serial = serial();
    let site = Site::fixture("crosslinks");
    let served = Served::start(&site);
    let Some(browser) = browser() else { return };
    // The attacker's page, once `rebind.test` resolves to 127.0.0.1, is same-origin with
    // whatever answers there: it must get no page, and its fetches no content.
    let tab = open(
        browser,
        &format!("http://rebind.test:{}/git/basics/", served.port),
    );
    let text = eval(&tab, "document.body.innerText");
    assert!(
        text.as_str()
            .is_some_and(|t| t.starts_with("Blocked request")),
        "{text}"
    );
    let fetched = eval(
        &tab,
        "fetch('/git/basics/').then(r => r.text().then(t => [r.status, t.includes('<html')]))",
    );
    assert_eq!(fetched, serde_json::json!([403, false]));
    // The same site under `localhost` works, live reload included.
    tab.navigate_to(&format!("http://localhost:{}/git/basics/", served.port))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    eval(&tab, "window.__marker = 'old'");
    let note = site.root().join("content/git/basics.md");
    let text = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, text.replace("### Commit", "### Commit it")).unwrap();
    let reloaded = wait_for(WAIT, || {
        (eval(
            &tab,
            "window.__marker === undefined && !!document.getElementById('commit-it')",
        ) == Value::Bool(true))
        .then_some(())
    });
    assert!(
        reloaded.is_some(),
        "live reload works on localhost: {}",
        served.log()
    );
}
