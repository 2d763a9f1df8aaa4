//! Search benchmark harness (not a test: `#[ignore]`d, prints figures, asserts nothing
//! about time). Run through `bench/search.sh`, which points `CHEATGEN_BENCH_PUBLIC` at a
//! built corpus. `search_benchmark`: for each query in a fresh browser tab, the bytes the
//! first query downloads (gzip'd, as served) and the query time cold and warm in Chromium.
//! `probe_bytes`: the same download size, counted through the Rust reader (which fetches
//! exactly the files the browser does), for every prefix of every query as typed and for
//! every 3-letter start of an indexed word — the worst probe is what the budget is about.
//! `incremental_update_cost`: one `SearchIndex::set_sheet` + `files` on the corpus's
//! index (body edit, card added, sheet removed and added back, 20 of each): time, files
//! changed, and other sheets whose doc ids moved.

use crate::common::browser::{browser, wait_for};
use crate::common::server::StaticServer;
use cheatgen::search::{IndexFiles, Searcher};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
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

/// Index files read from a built site, counting the bytes of each distinct file read.
#[derive(Clone)]
struct Counting {
    dir: PathBuf,
    read: Rc<RefCell<BTreeSet<String>>>,
    bytes: Rc<RefCell<usize>>,
}

impl IndexFiles for Counting {
    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        let data = self.dir.read(rel);
        if self.read.borrow_mut().insert(rel.to_string()) {
            *self.bytes.borrow_mut() += data.as_ref().map_or(0, Vec::len);
        }
        data
    }
}

/// Bytes a fresh page downloads for `probe` (UI limit of 12 results).
fn first_query_bytes(public: &Path, probe: &str) -> usize {
    first_query_files(public, probe).1
}

/// Files (`k`, `t`, `d` kinds → bytes) a fresh page downloads for `probe`, and the total.
fn first_query_files(public: &Path, probe: &str) -> (Vec<(String, usize)>, usize) {
    let files = Counting {
        dir: public.to_path_buf(),
        read: Rc::default(),
        bytes: Rc::default(),
    };
    let mut searcher = Searcher::open(files.clone()).unwrap();
    searcher.search(probe, 12).unwrap();
    let mut kinds: std::collections::BTreeMap<String, usize> = Default::default();
    for rel in files.read.borrow().iter() {
        let kind = rel.split('/').next().unwrap_or("").to_string();
        let size = std::fs::metadata(public.join("search").join(rel)).map_or(0, |m| m.len());
        *kinds.entry(kind).or_default() += size as usize;
    }
    let total = *files.bytes.borrow();
    (kinds.into_iter().collect(), total)
}

#[test]
#[ignore = "benchmark harness; run bench/search.sh"]
fn probe_bytes() {
    let public =
        PathBuf::from(std::env::var("CHEATGEN_BENCH_PUBLIC").expect("CHEATGEN_BENCH_PUBLIC"));
    let mut probes: BTreeSet<String> = BTreeSet::new();
    for q in QUERIES {
        let chars: Vec<char> = q.chars().collect();
        for n in 1..=chars.len() {
            probes.insert(chars[..n].iter().collect());
        }
    }
    let typed = probes.clone();
    for entry in std::fs::read_dir(public.join("search/k")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let text = cheatgen::search::format::gunzip(&bytes).unwrap();
        for term in cheatgen::search::format::read_dict(&String::from_utf8_lossy(&text)).terms {
            let start: String = term.chars().take(3).collect();
            if start.chars().count() == 3 {
                probes.insert(start);
            }
        }
    }
    let mut worst: Vec<(usize, String)> = probes
        .iter()
        .map(|p| (first_query_bytes(&public, p), p.clone()))
        .collect();
    worst.sort();
    let kb = |b: usize| b as f64 / 1024.0;
    println!(
        "first query bytes (gzip'd files incl. meta), {} probes",
        worst.len()
    );
    for q in QUERIES {
        println!("  {:<26} {:>6.1} kB", q, kb(first_query_bytes(&public, q)));
    }
    let typed_max = worst.iter().rfind(|w| typed.contains(&w.1));
    if let Some((b, p)) = typed_max {
        println!("worst typed prefix   {p:<20} {:>6.1} kB", kb(*b));
    }
    let median = worst[worst.len() / 2].0;
    println!(
        "median probe                              {:>6.1} kB",
        kb(median)
    );
    for (b, p) in worst.iter().rev().take(5) {
        let (kinds, _) = first_query_files(&public, p);
        let kinds: Vec<String> = kinds
            .iter()
            .map(|(k, b)| format!("{k} {:.1}", kb(*b)))
            .collect();
        println!(
            "worst probe          {p:<20} {:>6.1} kB ({})",
            kb(*b),
            kinds.join(", ")
        );
    }
    let over = worst.iter().filter(|w| w.0 > 50 * 1024).count();
    println!("probes over 50 kB: {over} of {}", worst.len());
}

/// Time (ms) and files changed of one `set_sheet` + `files` on the index of a built corpus.
fn timed_edit(
    index: &mut cheatgen::search::SearchIndex,
    key: &str,
    docs: Option<cheatgen::search::SheetDocs>,
) -> (f64, usize) {
    let started = std::time::Instant::now();
    index.set_sheet(key, docs);
    index.files();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (ms, index.take_changes().len())
}

#[test]
#[ignore = "benchmark harness; run bench/search.sh"]
fn incremental_update_cost() {
    use cheatgen::build::{BuildOptions, Engine, Want};
    use cheatgen::search::{sheet_docs, sheet_key, SearchIndex};
    let public =
        PathBuf::from(std::env::var("CHEATGEN_BENCH_PUBLIC").expect("CHEATGEN_BENCH_PUBLIC"));
    let opts = BuildOptions {
        root: public.parent().unwrap().to_path_buf(),
        ..BuildOptions::default()
    };
    let mut engine = Engine::new(&opts, Want::CHECK, false).unwrap();
    engine.build_all().unwrap();
    let mut sheets = engine.into_site().unwrap().model.sheets;
    let started = std::time::Instant::now();
    let mut index = SearchIndex::new();
    for page in &sheets {
        index.set_sheet(&sheet_key(page), Some(sheet_docs(page)));
    }
    let total = index.files().len();
    println!(
        "index of {} sheets: {total} files, built in {:.0} ms",
        sheets.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    index.take_changes();
    let step = (sheets.len() / 20).max(1);
    let report = |kind: &str, runs: Vec<(f64, usize)>| {
        let mut ms: Vec<f64> = runs.iter().map(|r| r.0).collect();
        ms.sort_by(f64::total_cmp);
        let mut files: Vec<usize> = runs.iter().map(|r| r.1).collect();
        files.sort();
        println!(
            "{kind:<28} median {:>7.2} ms  max {:>7.2} ms  files changed median {} max {}",
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            files[files.len() / 2],
            files[files.len() - 1]
        );
    };
    // Body edit: one word of a card's text changes.
    let mut runs = Vec::new();
    for page in sheets.iter_mut().step_by(step).take(20) {
        if let Some(card) = page
            .sheet
            .groups
            .iter_mut()
            .flat_map(|g| &mut g.cards)
            .next()
        {
            card.body_html
                .push_str("<p>A paragraph about zebrafish.</p>");
        }
        runs.push(timed_edit(
            &mut index,
            &sheet_key(page),
            Some(sheet_docs(page)),
        ));
    }
    report("body edit", runs);
    // A card added at the top of a sheet (every later card of it moves).
    let mut runs = Vec::new();
    for page in sheets.iter_mut().step_by(step).skip(1).take(20) {
        if let Some(group) = page.sheet.groups.first_mut() {
            let mut card = group.cards[0].clone();
            card.id = "new-card".into();
            card.title = "New card".into();
            group.cards.insert(0, card);
        }
        runs.push(timed_edit(
            &mut index,
            &sheet_key(page),
            Some(sheet_docs(page)),
        ));
    }
    report("card added", runs);
    // A sheet removed, then added back; other sheets whose doc ids moved are counted.
    let picked: Vec<usize> = (0..20).map(|i| (i * step + 2) % sheets.len()).collect();
    let keys: Vec<String> = sheets.iter().map(sheet_key).collect();
    let ids = |index: &SearchIndex| -> Vec<Option<u32>> {
        keys.iter().map(|k| index.doc_id(k, 0)).collect()
    };
    for add in [false, true] {
        let (mut runs, mut moved) = (Vec::new(), 0);
        for &i in &picked {
            let before = ids(&index);
            let docs = add.then(|| sheet_docs(&sheets[i]));
            runs.push(timed_edit(&mut index, &keys[i], docs));
            let after = ids(&index);
            moved += (0..keys.len())
                .filter(|&j| j != i && before[j] != after[j])
                .count();
        }
        report(if add { "sheet added" } else { "sheet removed" }, runs);
        println!("  other sheets whose doc ids moved, over these 20: {moved}");
    }
}
