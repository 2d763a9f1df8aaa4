//! Search in a real headless Chromium against the built fixture site served over HTTP on
//! a loopback port: typing shows the expected card first, Enter jumps to the card, typos
//! still find it, it works under a subpath, and the browser ranks exactly like
//! `cheatgen query` (on the search fixture, and on every judged query of the relevance
//! fixture).

use crate::common;
use crate::common::browser::{browser, eval, wait_for};
use crate::common::server::{served_fixture, StaticServer};
use crate::common::Site;
use headless_chrome::Tab;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// The search fixture built under `base` and served there.
fn served(base: &str) -> (Site, StaticServer) {
    served_fixture("search", base)
}

fn open(url: &str) -> Option<Arc<Tab>> {
    Some(common::browser::open(browser()?, url, WAIT))
}

/// Types `q` into the search box and waits for results; returns the result URLs.
fn type_query(tab: &Tab, q: &str) -> Vec<String> {
    let input = tab.wait_for_element("#cg-q").unwrap();
    input.click().unwrap();
    eval(tab, "document.getElementById('cg-q').value = ''");
    tab.type_str(q).unwrap();
    let js = format!(
        "(function(){{var s=window.cheatgen&&window.cheatgen.lastSearch;var box=document.getElementById('cg-results');\
         if(!s||s.query!=={q:?}||box.hidden)return null;\
         return Array.from(box.querySelectorAll('.cg-hit-title')).map(function(a){{return a.getAttribute('href')}});}})()"
    );
    let found = wait_for(WAIT, || match eval(tab, &js) {
        Value::Array(a) => Some(
            a.iter()
                .map(|v| v.as_str().unwrap_or("").to_string())
                .collect(),
        ),
        _ => None,
    });
    found.unwrap_or_else(|| panic!("no results rendered for {q:?}"))
}

#[test]
fn typing_shows_the_card_and_enter_jumps_to_it() {
    let _serial = common::browser::serial();
    let (_site, server) = served("/");
    let Some(tab) = open(&server.url("/")) else {
        return;
    };
    let hits = type_query(&tab, "functools.wraps");
    assert_eq!(hits[0], "/python/decorators/#preserve-metadata");
    let marked = eval(&tab, "document.querySelector('.cg-hit mark') && document.querySelector('.cg-hit mark').textContent");
    assert!(marked.as_str().is_some(), "matched terms are highlighted");
    tab.press_key("Enter").unwrap();
    let url = wait_for(WAIT, || {
        let u = tab.get_url();
        u.ends_with("/python/decorators/#preserve-metadata")
            .then_some(u)
    });
    assert!(url.is_some(), "navigated to the card: {}", tab.get_url());
    let flashed = wait_for(WAIT, || {
        eval(
            &tab,
            "document.getElementById('preserve-metadata').closest('.card').classList.contains('cg-flash')",
        )
        .as_bool()
        .filter(|b| *b)
    });
    assert!(flashed.is_some(), "the card is highlighted on arrival");
}

#[test]
fn typo_query_and_keyboard_navigation() {
    let _serial = common::browser::serial();
    let (_site, server) = served("/");
    let Some(tab) = open(&server.url("/git/")) else {
        return;
    };
    let hits = type_query(&tab, "fucntools");
    assert_eq!(hits[0], "/python/decorators/#preserve-metadata");
    let hits = type_query(&tab, "rebase");
    assert!(hits.len() >= 2, "{hits:?}");
    tab.press_key("ArrowDown").unwrap();
    let active = eval(
        &tab,
        "document.querySelector('.cg-hit.active .cg-hit-title').getAttribute('href')",
    );
    assert_eq!(active.as_str(), Some(hits[1].as_str()));
    tab.press_key("Escape").unwrap();
    assert_eq!(
        eval(&tab, "document.getElementById('cg-results').hidden"),
        Value::Bool(true)
    );
    // "/" focuses the search box from anywhere on the page.
    eval(&tab, "document.activeElement.blur()");
    tab.press_key("/").unwrap();
    assert_eq!(
        eval(&tab, "document.activeElement.id"),
        Value::String("cg-q".into())
    );
}

#[test]
fn works_under_a_subpath_and_copies_result_code() {
    let _serial = common::browser::serial();
    let (_site, server) = served("/repo/");
    let Some(tab) = open(&server.url("/repo/")) else {
        return;
    };
    let hits = type_query(&tab, "--no-cache-dir");
    assert_eq!(hits[0], "/repo/python/pip/#install-without-cache");
    // The copy button copies the card's code to the real clipboard without leaving the search.
    use headless_chrome::protocol::cdp::Browser::{GrantPermissions, PermissionType};
    tab.call_method(GrantPermissions {
        permissions: vec![
            PermissionType::ClipboardReadWrite,
            PermissionType::ClipboardSanitizedWrite,
        ],
        origin: Some(server.url("")),
        browser_context_id: None,
    })
    .unwrap();
    tab.find_element(".cg-hit .cg-copy")
        .unwrap()
        .click()
        .unwrap();
    let label = wait_for(WAIT, || {
        eval(
            &tab,
            "document.querySelector('.cg-hit .cg-copy').textContent",
        )
        .as_str()
        .filter(|t| *t != "Copy")
        .map(str::to_string)
    });
    assert_eq!(label.as_deref(), Some("Copied"));
    let copied = eval(&tab, "navigator.clipboard.readText()");
    assert_eq!(
        copied.as_str(),
        Some("pip install --no-cache-dir -r requirements.txt")
    );
    assert_eq!(
        eval(&tab, "document.getElementById('cg-results').hidden"),
        Value::Bool(false)
    );
    assert!(tab.get_url().ends_with("/repo/"));
    tab.press_key("Enter").unwrap();
    assert!(wait_for(WAIT, || tab
        .get_url()
        .ends_with("/repo/python/pip/#install-without-cache")
        .then_some(()))
    .is_some());
}

#[test]
fn browser_ranking_matches_cheatgen_query() {
    let _serial = common::browser::serial();
    let (site, server) = served("/");
    let Some(tab) = open(&server.url("/")) else {
        return;
    };
    for q in [
        "functools.wraps",
        "pip install",
        "rebse",
        "decorators",
        "rebase zebra",
        "{{path/to/file}}",
        "git rebase -i",
        "0x7f",
        "py",
    ] {
        let js = format!("window.cheatgen.search({q:?}, 10).then(function(h){{return h.map(function(x){{return x.entry.u}})}})");
        let browser_urls: Vec<String> = match eval(&tab, &js) {
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
            other => panic!("{q}: {other:?}"),
        };
        let out = site
            .cmd(&["query", "--json", "-n", "10", q])
            .output()
            .unwrap();
        let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
        let cli_urls: Vec<String> = cli
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["url"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(browser_urls, cli_urls, "query {q:?}");
    }
}

/// Every judged query of `tests/fixtures/relevance/queries.toml`: the browser's top 10
/// (URLs and scores) equal the Rust ranking's, and the first-ranked card is the same.
#[test]
fn browser_ranking_matches_rust_on_judged_queries() {
    #[derive(serde::Deserialize)]
    struct Judged {
        query: Vec<Query>,
    }
    #[derive(serde::Deserialize)]
    struct Query {
        q: String,
    }
    let _serial = common::browser::serial();
    let (site, server) = served_fixture("relevance", "/");
    let Some(tab) = open(&server.url("/")) else {
        return;
    };
    let text = std::fs::read_to_string(site.root().join("queries.toml")).unwrap();
    let judged: Judged = toml::from_str(&text).unwrap();
    let mut searcher = cheatgen::search::Searcher::open(site.public()).unwrap();
    let queries: Vec<String> = judged.query.into_iter().map(|q| q.q).collect();
    let js = format!(
        "Promise.all({}.map(function(q){{return window.cheatgen.search(q, 10).then(function(h){{return h.map(function(x){{return x.entry.u+' '+x.score}})}})}}))",
        serde_json::to_string(&queries).unwrap()
    );
    let browser: Vec<Vec<String>> = serde_json::from_value(eval(&tab, &js)).unwrap();
    assert_eq!(browser.len(), queries.len());
    for (q, got) in queries.iter().zip(browser) {
        let rust: Vec<String> = searcher
            .search(q, 10)
            .unwrap()
            .iter()
            .map(|h| format!("{} {}", h.entry.url, h.score))
            .collect();
        assert!(!rust.is_empty(), "{q:?} finds something");
        assert_eq!(got, rust, "query {q:?}");
    }
}

#[test]
fn works_on_a_phone_sized_screen() {
    let _serial = common::browser::serial();
    let (_site, server) = served("/");
    let Some(browser) = browser() else { return };
    let tab = browser.new_tab().unwrap();
    tab.set_default_timeout(WAIT);
    common::browser::set_viewport(&tab, 375, 740, 2.0);
    tab.navigate_to(&server.url("/python/pip/"))
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    let hits = type_query(&tab, "rebase -i");
    assert_eq!(hits[0], "/git/#interactive-rebase");
    // The results panel fits the screen, and cards sit in one column.
    let fits = eval(&tab, "(function(){var r=document.getElementById('cg-results').getBoundingClientRect();return r.left>=0&&r.right<=window.innerWidth+1&&r.width>300;})()");
    assert_eq!(fits, Value::Bool(true));
    let columns = eval(
        &tab,
        "getComputedStyle(document.querySelector('.cards')).gridTemplateColumns.split(' ').length",
    );
    assert_eq!(columns, Value::from(1));
}
