//! The floor of a cold build: the work no generator that highlights at build time can
//! skip. Reads every `*.md` under a folder, parses it with pulldown-cmark and highlights
//! every fenced block with cheatgen's own `Highlighter` (same grammars, same palette, same
//! per-build cache), over all cores with rayon. No front matter, templates, links, search
//! or writes. `bench/compare.sh` runs it next to the real builds.
//!
//! Usage: `cargo run --release --example floor -- <content-dir>`

use cheatgen::note::highlight::{Highlighter, Lang};
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

/// The same allocator as the `cheatgen` binary, so the comparison is like for like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: floor <content-dir>");
        std::process::exit(2);
    };
    let started = Instant::now();
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let hl = Highlighter::new();
    // (notes, fenced blocks, bytes of highlighted HTML) — summed so nothing is optimised away.
    let (notes, blocks, html_bytes) = files
        .par_iter()
        .map(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return (0, 0, 0);
            };
            let (mut blocks, mut bytes) = (0usize, 0usize);
            let mut fence: Option<(String, String)> = None;
            for event in Parser::new(&text) {
                match event {
                    Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                        let lang = info.split_whitespace().next().unwrap_or("").to_string();
                        fence = Some((lang, String::new()));
                    }
                    Event::Text(t) => {
                        if let Some((_, code)) = &mut fence {
                            code.push_str(&t);
                        }
                    }
                    Event::End(TagEnd::CodeBlock) => {
                        if let Some((lang, code)) = fence.take() {
                            blocks += 1;
                            bytes += match hl.resolve(&lang) {
                                Lang::Known { index, .. } => hl.highlight(index, &code).len(),
                                _ => code.len(),
                            };
                        }
                    }
                    _ => {}
                }
            }
            (1usize, blocks, bytes)
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "floor: {notes} notes, {blocks} fenced blocks, {html_bytes} bytes highlighted in {:.3}s",
        started.elapsed().as_secs_f64()
    );
}
