//! Search relevance on judged queries: the fixture `tests/fixtures/relevance` (31 cheat
//! sheets across 20+ tools, tidy front-matter sheets and messy notes) is planned in memory,
//! and every query of `queries.toml` (written before the ranking was tuned) is run through
//! the one Rust ranking. Reports success@1 (right sheet first), card@1, card@3 and MRR,
//! overall, per half (tune / held-out) and per kind, and fails below the targets.

use cheatgen::build::{BuildOptions, Engine, Want};
use cheatgen::output::{OutputFile, OutputPlan};
use cheatgen::search::Searcher;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
struct Judged {
    query: Vec<Query>,
}

#[derive(Debug, Deserialize)]
struct Query {
    q: String,
    sheet: String,
    card: String,
    kind: String,
    half: String,
}

impl Query {
    fn sheet_url(&self) -> String {
        format!("/{}/", self.sheet)
    }
    fn card_url(&self) -> String {
        format!("/{}/#{}", self.sheet, self.card)
    }
}

fn fixture() -> PathBuf {
    crate::common::fixture_dir("relevance")
}

fn judged() -> Vec<Query> {
    let text = std::fs::read_to_string(fixture().join("queries.toml")).unwrap();
    toml::from_str::<Judged>(&text).unwrap().query
}

fn planned() -> OutputPlan {
    let opts = BuildOptions {
        root: fixture().join(""),
        ..BuildOptions::default()
    };
    let mut engine = Engine::new(&opts, Want::SITE, false).unwrap();
    engine.build_all().unwrap();
    engine.into_site().unwrap().files
}

/// Rank (1-based) of the expected card and whether the first hit is on the right sheet.
#[derive(Debug, Default, Clone, Copy)]
struct Outcome {
    rank: Option<usize>,
    sheet_first: bool,
    results: usize,
}

#[derive(Debug, Default)]
struct Figures {
    n: usize,
    sheet1: usize,
    card1: usize,
    card3: usize,
    rr: f64,
    zero: usize,
}

impl Figures {
    fn add(&mut self, o: Outcome) {
        self.n += 1;
        self.sheet1 += usize::from(o.sheet_first);
        self.card1 += usize::from(o.rank == Some(1));
        self.card3 += usize::from(o.rank.is_some_and(|r| r <= 3));
        self.rr += o.rank.map_or(0.0, |r| 1.0 / r as f64);
        self.zero += usize::from(o.results == 0);
    }
    fn share(&self, x: usize) -> f64 {
        x as f64 / self.n.max(1) as f64
    }
    fn line(&self, label: &str) -> String {
        format!(
            "{label:<14} n={:<3} success@1={:.2} card@1={:.2} card@3={:.2} MRR={:.2} zero={}",
            self.n,
            self.share(self.sheet1),
            self.share(self.card1),
            self.share(self.card3),
            self.rr / self.n.max(1) as f64,
            self.zero
        )
    }
}

fn run_all(plan: OutputPlan, queries: &[Query]) -> Vec<(Outcome, Vec<String>)> {
    let mut searcher = Searcher::open(plan).unwrap();
    queries
        .iter()
        .map(|q| {
            let hits = searcher.search(&q.q, 10).unwrap();
            let urls: Vec<String> = hits.iter().map(|h| h.entry.url.clone()).collect();
            let want = q.card_url();
            let outcome = Outcome {
                rank: urls.iter().position(|u| *u == want).map(|i| i + 1),
                sheet_first: urls
                    .first()
                    .is_some_and(|u| u.split('#').next() == Some(q.sheet_url().as_str())),
                results: urls.len(),
            };
            (outcome, urls)
        })
        .collect()
}

#[test]
fn judged_queries_point_at_real_cards() {
    let queries = judged();
    assert!(queries.len() >= 60, "{} judged queries", queries.len());
    let plan = planned();
    let sheets = plan
        .keys()
        .filter(|k| k.ends_with("index.html") && k.matches('/').count() == 2)
        .count();
    assert!(sheets >= 30, "{sheets} sheets");
    for q in &queries {
        let page = match plan.get(&format!("{}/index.html", q.sheet)) {
            Some(OutputFile::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
            Some(OutputFile::Shared(b)) => String::from_utf8_lossy(b).into_owned(),
            _ => panic!("{:?}: no sheet {}", q.q, q.sheet),
        };
        assert!(
            page.contains(&format!("id=\"{}\"", q.card)),
            "{:?}: no card #{} on {}",
            q.q,
            q.card,
            q.sheet
        );
        assert!(matches!(q.half.as_str(), "tune" | "held"), "{:?}", q.half);
        assert!(
            matches!(
                q.kind.as_str(),
                "natural" | "code" | "typo" | "prefix" | "stop" | "sheet"
            ),
            "{:?}",
            q.kind
        );
    }
    for half in ["tune", "held"] {
        let n = queries.iter().filter(|q| q.half == half).count();
        assert!(n >= 30, "{n} queries in the {half} half");
    }
}

#[test]
fn ranking_puts_the_judged_card_first() {
    let queries = judged();
    let results = run_all(planned(), &queries);
    let mut overall = Figures::default();
    let mut by: BTreeMap<String, Figures> = BTreeMap::new();
    for (q, (o, urls)) in queries.iter().zip(&results) {
        overall.add(*o);
        by.entry(format!("half {}", q.half)).or_default().add(*o);
        by.entry(format!("kind {}", q.kind)).or_default().add(*o);
        if o.rank != Some(1) {
            eprintln!(
                "miss {:<30} want {:<45} rank {:?}, got {:?}",
                q.q,
                q.card_url(),
                o.rank,
                urls.iter().take(3).collect::<Vec<_>>()
            );
        }
    }
    let mut counts: Vec<usize> = results.iter().map(|(o, _)| o.results).collect();
    counts.sort_unstable();
    eprintln!(
        "results per query (top 10): median {}, exactly one: {}",
        counts[counts.len() / 2],
        counts.iter().filter(|&&c| c == 1).count()
    );
    eprintln!("{}", overall.line("overall"));
    for (label, f) in &by {
        eprintln!("{}", f.line(label));
    }
    assert!(
        overall.share(overall.card1) >= 0.80,
        "{}",
        overall.line("card@1 < 0.80")
    );
    assert!(
        overall.share(overall.card3) >= 0.90,
        "{}",
        overall.line("card@3 < 0.90")
    );
    assert!(
        overall.share(overall.sheet1) >= 0.95,
        "{}",
        overall.line("success@1 < 0.95")
    );
    assert_eq!(overall.zero, 0, "queries with no results");
    for half in ["half tune", "half held"] {
        let f = &by[half];
        assert!(
            f.share(f.card1) >= 0.80 && f.share(f.card3) >= 0.90,
            "{}",
            f.line(half)
        );
    }
}
