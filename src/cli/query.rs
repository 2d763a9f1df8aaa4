//! `cheatgen query`: opens the site's search index (the built one, or one planned in
//! memory when the site has not been built) and prints ranked cards as text or JSON.

use crate::build::{self, BuildOptions};
use crate::cli::{outln, QueryArgs};
use crate::error::Error;
use crate::search::query::{matching_lines, SearchError};
use crate::search::{Hit, IndexFiles, Searcher};
use serde::Serialize;

#[derive(Serialize)]
struct JsonHit<'a> {
    sheet: &'a str,
    card: &'a str,
    url: &'a str,
    category: &'a str,
    tags: &'a str,
    lang: &'a str,
    score: u64,
    terms: &'a [String],
    code_lines: Vec<&'a str>,
    excerpt: &'a str,
}

pub fn run(args: &QueryArgs) -> i32 {
    let opts = BuildOptions {
        root: args.root.clone(),
        ..BuildOptions::default()
    };
    let query = args.terms.join(" ");
    let hits = match search(&opts, &query, args.limit) {
        Ok(h) => h,
        Err(e) => return crate::cli::fail(&e),
    };
    if args.json {
        let out: Vec<JsonHit> = hits
            .iter()
            .map(|h| JsonHit {
                sheet: &h.entry.sheet,
                card: &h.entry.card,
                url: &h.entry.url,
                category: &h.entry.category,
                tags: &h.entry.tags,
                lang: &h.entry.lang,
                score: h.score,
                terms: &h.terms,
                code_lines: matching_lines(&h.entry.code, &h.terms, &h.rarity, 5),
                excerpt: &h.entry.excerpt,
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else if hits.is_empty() {
        eprintln!("no cards match {query:?}");
    } else {
        for h in &hits {
            outln!("{} › {}", h.entry.sheet, h.entry.card);
            outln!("  {}", h.entry.url);
            for line in matching_lines(&h.entry.code, &h.terms, &h.rarity, 3) {
                outln!("  │ {line}");
            }
        }
    }
    if hits.is_empty() {
        1
    } else {
        0
    }
}

fn search(opts: &BuildOptions, query: &str, limit: usize) -> Result<Vec<Hit>, Error> {
    let (config, _) = build::load_config(opts)?;
    let output = crate::config::output_dir(&opts.root, &config, None);
    let wrap = |e: SearchError| Error::Search {
        path: output.join("search"),
        message: e.to_string(),
    };
    if output.join("search/meta.json").is_file() {
        return run_search(output.clone(), query, limit).map_err(wrap);
    }
    let mut engine = build::Engine::new(opts, build::Want::SEARCH, false)?;
    engine.build_all()?;
    let files = engine.into_site().map(|s| s.files).unwrap_or_default();
    run_search(files, query, limit).map_err(wrap)
}

fn run_search<F: IndexFiles>(files: F, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
    Searcher::open(files)?.search(query, limit)
}
