//! Site pass: one `SearchEntry` per card (and per group or sheet intro), its terms by
//! field, and the sharded index files of `format`. Deterministic: entries follow the
//! sheet order, terms are sorted, gzip headers are fixed.

use super::format::{
    common_limit, dict_key, encode_postings, gzip, push_dict_line, very_common_limit, COMMON_MARK,
    DOCS_PER_SHARD, F_CARD, F_CODE, F_MEMBER, F_META, F_PROSE, F_SHEET, TERM_SHARD_BYTES, VERSION,
};
use super::text::{extract, CardText};
use super::tokenize::{joined_words, members, terms};
use crate::site::SheetPage;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Code kept per entry for previews and the copy button.
const CODE_CHARS: usize = 1500;
const EXCERPT_CHARS: usize = 160;

/// What a search result shows. Field names are short because they repeat per entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchEntry {
    #[serde(rename = "s")]
    pub sheet: String,
    #[serde(rename = "c")]
    pub card: String,
    /// Page URL with the card anchor (already under the base path).
    #[serde(rename = "u")]
    pub url: String,
    #[serde(rename = "g")]
    pub category: String,
    #[serde(rename = "t")]
    pub tags: String,
    /// Language of the first code block, if any.
    #[serde(rename = "l")]
    pub lang: String,
    /// Code of the card's blocks (blank-line separated), cut at `CODE_CHARS`.
    #[serde(rename = "x")]
    pub code: String,
    /// True when `code` was cut (the client then hides its copy button).
    #[serde(rename = "k", default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
    #[serde(rename = "e")]
    pub excerpt: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Meta {
    pub version: u32,
    /// Changes whenever the index bytes change; clients use it to bust caches.
    pub id: String,
    pub docs: usize,
    pub docs_per_shard: usize,
}

/// Sheets whose terms are collected at once. A sheet's own term lists take tens of KB;
/// each chunk's are merged into the postings and dropped, and its entries go into
/// compressed doc shards at once, so a cold build never holds every sheet's lists or
/// entries (`ARCHITECTURE.md`, "Streaming output").
const SHEETS_PER_CHUNK: usize = 256;

/// Builds the index files (paths relative to the output dir, under `search/`).
pub fn build(sheets: &[SheetPage]) -> Vec<(String, Vec<u8>)> {
    build_in_chunks(sheets, SHEETS_PER_CHUNK)
}

/// `build`, collecting the terms of `chunk` sheets at a time (the files do not depend on it).
fn build_in_chunks(sheets: &[SheetPage], chunk: usize) -> Vec<(String, Vec<u8>)> {
    // Postings partitioned by a term's first byte so the partitions fill in parallel (each
    // worker scans a chunk's sheets but inserts only its own terms). Sheets are visited in
    // order, so every posting list comes out sorted by doc.
    const PARTS: usize = 16;
    let mut maps: Vec<FxHashMap<String, Vec<(u32, u8)>>> =
        (0..PARTS).map(|_| FxHashMap::default()).collect();
    let mut docs: Vec<(String, Vec<u8>)> = Vec::new();
    // Entries not yet in a doc shard (fewer than `DOCS_PER_SHARD`), and all entries so far.
    let mut pending: Vec<SearchEntry> = Vec::new();
    let mut total = 0u32;
    for chunk in sheets.chunks(chunk.max(1)) {
        let per_sheet: Vec<SheetTerms> = chunk.par_iter().map(sheet_entries).collect();
        let mut bases = Vec::with_capacity(per_sheet.len());
        for (e, _) in &per_sheet {
            bases.push(total);
            total += e.len() as u32;
        }
        maps.par_iter_mut().enumerate().for_each(|(p, map)| {
            for ((_, terms), &base) in per_sheet.iter().zip(&bases) {
                for (term, list) in terms {
                    if usize::from(term.as_bytes()[0]) % PARTS == p {
                        let postings = list.iter().map(|&(e, m)| (base + e, m));
                        match map.get_mut(term.as_str()) {
                            Some(all) => all.extend(postings),
                            None => {
                                map.insert(term.clone(), postings.collect());
                            }
                        }
                    }
                }
            }
        });
        // Dropping many per-sheet term strings is real work: do it in parallel.
        let entries: Vec<Vec<SearchEntry>> = per_sheet.into_par_iter().map(|(e, _)| e).collect();
        pending.extend(entries.into_iter().flatten());
        let whole = pending.len() - pending.len() % DOCS_PER_SHARD;
        let first = docs.len();
        docs.par_extend(
            pending[..whole]
                .par_chunks(DOCS_PER_SHARD)
                .enumerate()
                .map(|(i, chunk)| doc_shard(first + i, chunk)),
        );
        pending.drain(..whole);
    }
    if !pending.is_empty() {
        docs.push(doc_shard(docs.len(), &pending));
    }
    let doc_count = total as usize;
    let parts: Vec<Vec<TermPostings>> = maps
        .into_par_iter()
        .map(|map| map.into_iter().collect())
        .collect();
    let mut common = Vec::new();
    let mut sorted: Vec<TermPostings> = parts.into_iter().flatten().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (term, list) in &mut sorted {
        if trim_common(list, doc_count) {
            common.push(term.clone());
        }
    }
    sorted.retain(|(_, l)| !l.is_empty());
    common.retain(|t| sorted.binary_search_by(|(s, _)| s.cmp(t)).is_ok());

    let mut files = Vec::new();
    // Term shards: contiguous ranges of sorted terms, about TERM_SHARD_BYTES each.
    // A common term's list is marked: its length is not its document frequency.
    let encoded: Vec<String> = sorted
        .par_iter()
        .map(|(t, l)| {
            let enc = encode_postings(l);
            if common.binary_search(t).is_ok() {
                format!("{COMMON_MARK}{enc}")
            } else {
                enc
            }
        })
        .collect();
    let mut bounds = Vec::new();
    let mut size = TERM_SHARD_BYTES;
    for (i, ((term, _), enc)) in sorted.iter().zip(&encoded).enumerate() {
        if size >= TERM_SHARD_BYTES {
            bounds.push(i);
            size = 0;
        }
        size += term.len() + enc.len() + 6;
    }
    bounds.push(sorted.len());
    let shard_files: Vec<(String, Vec<u8>)> = bounds
        .par_windows(2)
        .enumerate()
        .map(|(n, w)| {
            let map: BTreeMap<&str, &str> = (w[0]..w[1])
                .map(|i| (sorted[i].0.as_str(), encoded[i].as_str()))
                .collect();
            let json = serde_json::to_string(&map).unwrap_or_default();
            (format!("search/t/{n}.gz"), gzip(json.as_bytes()))
        })
        .collect();
    files.extend(shard_files);
    // Dictionaries by leading chars; a line carries `\t<shard>` when its term's term shard
    // differs from the line before (so no global shard list is needed).
    let mut dict: BTreeMap<String, (String, Option<usize>, &str)> = BTreeMap::new();
    let mut shard = 0;
    for (i, (term, _)) in sorted.iter().enumerate() {
        while bounds[shard + 1] <= i {
            shard += 1;
        }
        let (text, last, prev) = dict.entry(dict_key(term)).or_default();
        let new_shard = (*last != Some(shard)).then_some(shard);
        push_dict_line(text, prev, term, new_shard);
        *last = Some(shard);
        *prev = term;
    }
    for (key, (text, _, _)) in &dict {
        files.push((format!("search/k/{key}.gz"), gzip(text.as_bytes())));
    }
    files.extend(docs);

    let mut hasher = blake3::Hasher::new();
    for (path, bytes) in &files {
        hasher.update(path.as_bytes());
        hasher.update(bytes);
    }
    let meta = Meta {
        version: VERSION,
        id: hasher.finalize().to_hex()[..12].to_string(),
        docs: doc_count,
        docs_per_shard: DOCS_PER_SHARD,
    };
    files.push((
        "search/meta.json".into(),
        serde_json::to_vec(&meta).unwrap_or_default(),
    ));
    files
}

/// Doc shard `n`: its entries as a gzipped JSON array.
fn doc_shard(n: usize, entries: &[SearchEntry]) -> (String, Vec<u8>) {
    let json = serde_json::to_string(entries).unwrap_or_default();
    (format!("search/d/{n}.gz"), gzip(json.as_bytes()))
}

/// A sheet's entries, and each of its terms with the (entry index within the sheet,
/// field mask) pairs it occurs in, in entry order.
type SheetTerms = (Vec<SearchEntry>, Vec<TermPostings>);

/// A term and its (doc, field mask) postings.
type TermPostings = (String, Vec<(u32, u8)>);

/// Drops the postings of a common term that carry no signal but dominate the download
/// (see `common_limit`, `very_common_limit`); true when the term is common, so its list
/// gets marked.
fn trim_common(list: &mut Vec<(u32, u8)>, docs: usize) -> bool {
    let limit = common_limit(docs);
    if list.len() > very_common_limit(docs) {
        // Its first code-only postings top its name postings up to a quarter of the
        // limit, so a term found (mostly) in code still finds cards, at a bounded size.
        // Only a term with few name postings keeps any: for the others, every card's code
        // match is dropped alike, so no card gains from its place in the index.
        let names = list
            .iter()
            .filter(|&&(_, m)| m & !(F_PROSE | F_CODE) != 0)
            .count();
        let mut code_room = (limit / CODE_KEPT_SHARE).saturating_sub(names);
        list.retain(|&(_, m)| {
            if m & !(F_PROSE | F_CODE) != 0 {
                true
            } else if m & F_CODE != 0 && code_room > 0 {
                code_room -= 1;
                true
            } else {
                false
            }
        });
        true
    } else if list.len() > limit {
        list.retain(|&(_, m)| m & !F_PROSE != 0);
        true
    } else {
        false
    }
}

/// Postings a very common term keeps at least (names first, then code-only): a quarter
/// of the common limit.
const CODE_KEPT_SHARE: usize = 4;

/// Collects the terms of one sheet; a term's string is allocated once per sheet.
#[derive(Default)]
struct TermCollector {
    terms: FxHashMap<String, Vec<(u32, u8)>>,
    entry: u32,
}

impl TermCollector {
    fn add(&mut self, text: &str, field: u8) {
        terms(text, &mut |t, _| self.add_term(t, field));
    }

    /// `add`, plus marked-letter words joined (`E[x]tract`), for titles and prose.
    fn add_words(&mut self, text: &str, field: u8) {
        self.add(text, field);
        joined_words(text, &mut |t| self.add_term(t, field));
    }

    /// `add` for code, plus the last parts of dotted chains as `F_MEMBER`.
    fn add_code(&mut self, code: &str) {
        self.add(code, F_CODE);
        members(code, &mut |t| self.add_term(t, F_MEMBER));
    }

    fn add_term(&mut self, t: &str, field: u8) {
        let entry = self.entry;
        match self.terms.get_mut(t) {
            Some(list) => match list.last_mut() {
                Some(last) if last.0 == entry => last.1 |= field,
                _ => list.push((entry, field)),
            },
            None => {
                self.terms.insert(t.to_string(), vec![(entry, field)]);
            }
        }
    }
}

/// The entries of one sheet with their terms.
fn sheet_entries(page: &SheetPage) -> SheetTerms {
    let mut entries = Vec::new();
    let tags = page.tags.join(", ");
    // What names the sheet: title, slug (last URL segment) and tags.
    let slug = page
        .url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let name_text = format!("{} {slug} {}", page.title, page.tags.join(" "));
    let meta_text = format!("{} {}", page.keywords.join(" "), page.category);
    let mut collector = TermCollector::default();
    let mut add = |card: &str, anchor: &str, group: Option<&str>, html: &str| {
        let text = extract(html);
        collector.entry = entries.len() as u32;
        collector.add_words(card, F_CARD);
        collector.add_words(&name_text, F_SHEET);
        if let Some(g) = group {
            collector.add_words(g, F_META);
        }
        collector.add(&meta_text, F_META);
        collector.add_code(&text.inline_code);
        for (_, code) in &text.blocks {
            collector.add_code(code);
        }
        collector.add_words(&text.prose, F_PROSE);
        let url = if anchor.is_empty() {
            page.url.clone()
        } else {
            format!("{}#{anchor}", page.url)
        };
        entries.push(entry(page, &tags, card, url, &text));
    };
    if !page.sheet.intro_html.trim().is_empty() {
        add(&page.title, "", None, &page.sheet.intro_html);
    }
    for g in &page.sheet.groups {
        if let (Some(id), Some(title)) = (&g.id, &g.title) {
            if !g.intro_html.trim().is_empty() {
                add(title, id, None, &g.intro_html);
            }
        }
        for c in &g.cards {
            add(&c.title, &c.id, g.title.as_deref(), &c.body_html);
        }
    }
    (entries, collector.terms.into_iter().collect())
}

fn entry(page: &SheetPage, tags: &str, card: &str, url: String, text: &CardText) -> SearchEntry {
    let mut code = String::new();
    let mut cut = false;
    for (_, block) in &text.blocks {
        if !code.is_empty() {
            code.push('\n');
        }
        code.push_str(block.trim_end());
        code.push('\n');
    }
    if code.chars().count() > CODE_CHARS {
        code = code.chars().take(CODE_CHARS).collect();
        cut = true;
    }
    let mut excerpt: String = text.display.chars().take(EXCERPT_CHARS).collect();
    if excerpt.len() < text.display.len() {
        excerpt.push('…');
    }
    SearchEntry {
        sheet: page.title.clone(),
        card: card.to_string(),
        url,
        category: page.category.clone(),
        tags: tags.to_string(),
        lang: text.blocks.first().map(|b| b.0.clone()).unwrap_or_default(),
        code,
        cut,
        excerpt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` postings, one per doc, all with `mask`, starting at doc `from`.
    fn run(from: u32, n: u32, mask: u8) -> Vec<(u32, u8)> {
        (from..from + n).map(|d| (d, mask)).collect()
    }

    /// `n` sheets through the real note stage and site passes; every other sheet has an
    /// odd number of entries, so chunks end in the middle of a doc shard.
    fn sheets(n: usize) -> Vec<SheetPage> {
        let hl = crate::note::highlight::Highlighter::new();
        let notes: Vec<crate::note::RenderedNote> = (0..n)
            .map(|i| {
                let extra = if i % 2 == 0 { "## Third\n\nmore words\n" } else { "" };
                let text = format!(
                    "# Sheet {i}\n\n## Card one\n\n`cmd{i} --flag` common words\n\n## Card {}\n\n```sh\necho {i} common\n```\n\n{extra}",
                    i % 5
                );
                let src = crate::note::source::NoteSource {
                    rel_path: format!("n{i:03}.md"),
                    display_path: format!("content/n{i:03}.md"),
                    hash: blake3::hash(text.as_bytes()),
                    text,
                };
                crate::note::render_note(&src, Default::default(), &hl).unwrap()
            })
            .collect();
        let refs: Vec<&crate::note::RenderedNote> = notes.iter().collect();
        crate::site::assemble(&refs, &Default::default(), "/", false).sheets
    }

    #[test]
    fn the_files_do_not_depend_on_the_chunk_size() {
        let sheets = sheets(23);
        let one_pass = build_in_chunks(&sheets, usize::MAX);
        assert!(
            one_pass
                .iter()
                .filter(|(p, _)| p.starts_with("search/d/"))
                .count()
                > 20
        );
        for chunk in [1, 2, 5] {
            assert!(
                build_in_chunks(&sheets, chunk) == one_pass,
                "chunks of {chunk}"
            );
        }
    }

    #[test]
    fn a_rare_term_keeps_every_posting() {
        let mut list = run(0, 400, F_PROSE);
        assert!(!trim_common(&mut list, 10_000));
        assert_eq!(list.len(), 400);
    }

    #[test]
    fn a_common_term_loses_its_prose_only_postings() {
        // 10k docs: common above 500 entries, very common above 2,000.
        let mut list = run(0, 100, F_CARD);
        list.extend(run(100, 600, F_CODE));
        list.extend(run(700, 600, F_PROSE));
        assert!(trim_common(&mut list, 10_000));
        assert_eq!(list.len(), 700);
        assert!(list.iter().all(|&(_, m)| m != F_PROSE));
    }

    #[test]
    fn a_very_common_term_keeps_its_names_and_a_few_code_postings() {
        let mut list = run(0, 100, F_CARD | F_CODE);
        list.extend(run(100, 50, F_MEMBER));
        list.extend(run(150, 2_400, F_CODE));
        list.extend(run(2_550, 100, F_PROSE | F_CODE));
        list.extend(run(2_650, 300, F_PROSE));
        assert!(trim_common(&mut list, 10_000));
        // 150 name postings are more than a quarter of the limit (125): no code-only ones.
        assert_eq!(list.len(), 150);
        assert_eq!(list.last(), Some(&(149, F_MEMBER)));
    }

    #[test]
    fn a_very_common_term_with_few_names_is_topped_up_with_code() {
        let mut list = run(0, 2_400, F_CODE);
        list.extend(run(2_400, 25, F_META));
        assert!(trim_common(&mut list, 10_000));
        // The first 100 code-only postings, then the 25 names: 125 in all.
        assert_eq!(list.len(), 125);
        assert_eq!(list[99], (99, F_CODE));
        assert_eq!(list[100], (2_400, F_META));
    }

    #[test]
    fn a_very_common_term_only_in_code_still_finds_cards() {
        let mut list = run(0, 3_000, F_CODE);
        assert!(trim_common(&mut list, 10_000));
        assert_eq!(list.len(), 125);
    }
}
