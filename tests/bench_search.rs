//! Search benchmark harness (not a test: `#[ignore]`d, prints figures, asserts nothing
//! about time). Run through `bench/search.sh`, which points `CHEATGEN_BENCH_PUBLIC` at a
//! built corpus. For each query in a fresh browser tab it reports the bytes the first
//! query downloads (gzip'd, as served) and the query time cold and warm in Chromium.

mod common;

use common::browser::{browser, wait_for};
use common::server::StaticServer;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

const QUERIES: &[&str] = &[
    "rebase",
    "exlinio",
    "gordun_ionox",
    "--iopex_pexpex_vel",
    "lindra_ber_kaqui",
    "pathlib import",
    "snapshts",
    "sorting packages",
    "yth",
    "certificates cluster",
];

#[test]
#[ignore = "benchmark harness; run bench/search.sh"]
fn search_benchmark() {
    let public =
        PathBuf::from(std::env::var("CHEATGEN_BENCH_PUBLIC").expect("CHEATGEN_BENCH_PUBLIC"));
    let meta_gz =
        cheatgen::search::format::gzip(&std::fs::read(public.join("search/meta.json")).unwrap())
            .len();
    let server = StaticServer::start(&public, "/");
    let browser = browser().expect("Chromium");
    println!("query                      hits  first_query_kB(gz)  files  cold_ms  warm_ms");
    for q in QUERIES {
        let tab = browser.new_context().unwrap().new_tab().unwrap();
        tab.navigate_to(&server.url("/404.html"))
            .unwrap()
            .wait_until_navigated()
            .unwrap();
        wait_for(Duration::from_secs(10), || {
            tab.evaluate("!!(window.cheatgen && window.cheatgen.search)", false)
                .ok()?
                .value?
                .as_bool()
                .filter(|b| *b)
        });
        let js = format!(
            "(async function(){{var a=performance.now();var h=await window.cheatgen.search({q:?},12);var cold=performance.now()-a;\
             a=performance.now();await window.cheatgen.search({q:?},12);var warm=performance.now()-a;\
             var res=performance.getEntriesByType('resource').filter(function(r){{return r.name.indexOf('/search/')>=0}});\
             var bytes=res.filter(function(r){{return r.name.indexOf('meta.json')<0}}).reduce(function(s,r){{return s+r.encodedBodySize}},0);\
             return JSON.stringify({{hits:h.length,bytes:bytes,files:res.length,cold:cold,warm:warm}});}})()"
        );
        let v = tab.evaluate(&js, true).unwrap().value.unwrap();
        let r: Value = serde_json::from_str(v.as_str().unwrap()).unwrap();
        let kb = (r["bytes"].as_f64().unwrap() + meta_gz as f64) / 1024.0;
        println!(
            "{:<26} {:>4}  {:>18.1}  {:>5}  {:>7.1}  {:>7.1}",
            q,
            r["hits"],
            kb,
            r["files"],
            r["cold"].as_f64().unwrap(),
            r["warm"].as_f64().unwrap()
        );
        let _ = tab.close(true);
    }
}
