//! Site pass: one `SearchEntry` per card (and per group or sheet intro), its terms by
//! field, and the sharded index files of `format`. Deterministic: entries follow the
//! sheet order, terms are sorted, gzip headers are fixed.

use super::format::{
    dict_key, encode_postings, gzip, DOCS_PER_SHARD, F_CARD, F_CODE, F_PROSE, F_SHEET, F_TAGS,
    TERM_SHARD_BYTES, VERSION,
};
use super::text::{extract, CardText};
use super::tokenize::terms;
use crate::site::SheetPage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Code kept per entry for previews and the copy button.
const CODE_CHARS: usize = 1500;
const EXCERPT_CHARS: usize = 160;
/// A term in more than this share of entries is "common": its prose-only postings are
/// dropped (they carry no signal and would dominate the download).
const COMMON_SHARE: usize = 20;
const COMMON_MIN: usize = 500;

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
    /// First term of each term shard.
    pub shards: Vec<String>,
    /// Keys of the dictionary files.
    pub dict: Vec<String>,
    /// Common terms whose prose-only postings were dropped; queries treat them as optional.
    pub stop: Vec<String>,
}

/// Builds the index files (paths relative to the output dir, under `search/`).
pub fn build(sheets: &[SheetPage]) -> Vec<(String, Vec<u8>)> {
    let per_sheet: Vec<Vec<EntryTerms>> = sheets.par_iter().map(sheet_entries).collect();
    let mut entries = Vec::new();
    let mut postings: HashMap<String, Vec<(u32, u8)>> = HashMap::new();
    for (doc, (entry, doc_terms)) in per_sheet.into_iter().flatten().enumerate() {
        for (term, mask) in doc_terms {
            postings.entry(term).or_default().push((doc as u32, mask));
        }
        entries.push(entry);
    }
    let limit = (entries.len() / COMMON_SHARE).max(COMMON_MIN);
    let mut stop = Vec::new();
    let mut sorted: Vec<(String, Vec<(u32, u8)>)> = postings.into_iter().collect();
    sorted.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (term, list) in &mut sorted {
        if list.len() > limit {
            list.retain(|&(_, m)| m & !F_PROSE != 0);
            stop.push(term.clone());
        }
    }
    sorted.retain(|(_, l)| !l.is_empty());

    let mut files = Vec::new();
    // Term shards.
    let mut shards = Vec::new();
    let mut shard: BTreeMap<&str, String> = BTreeMap::new();
    let mut size = 0;
    let encoded: Vec<String> = sorted.par_iter().map(|(_, l)| encode_postings(l)).collect();
    for ((term, _), enc) in sorted.iter().zip(&encoded) {
        if size >= TERM_SHARD_BYTES {
            files.push(shard_file(shards.len() - 1, &shard));
            shard.clear();
            size = 0;
        }
        if shard.is_empty() {
            shards.push(term.clone());
        }
        size += term.len() + enc.len() + 6;
        shard.insert(term, enc.clone());
    }
    if !shard.is_empty() {
        files.push(shard_file(shards.len() - 1, &shard));
    }
    // Dictionary by first char.
    let mut dict: BTreeMap<String, String> = BTreeMap::new();
    for (term, _) in &sorted {
        let text = dict.entry(dict_key(term)).or_default();
        text.push_str(term);
        text.push('\n');
    }
    for (key, text) in &dict {
        files.push((format!("search/k/{key}.gz"), gzip(text.as_bytes())));
    }
    // Doc shards.
    let docs: Vec<(String, Vec<u8>)> = entries
        .par_chunks(DOCS_PER_SHARD)
        .enumerate()
        .map(|(i, chunk)| {
            let json = serde_json::to_string(chunk).unwrap_or_default();
            (format!("search/d/{i}.gz"), gzip(json.as_bytes()))
        })
        .collect();
    files.extend(docs);

    let mut hasher = blake3::Hasher::new();
    for (path, bytes) in &files {
        hasher.update(path.as_bytes());
        hasher.update(bytes);
    }
    let meta = Meta {
        version: VERSION,
        id: hasher.finalize().to_hex()[..12].to_string(),
        docs: entries.len(),
        docs_per_shard: DOCS_PER_SHARD,
        shards,
        dict: dict.into_keys().collect(),
        stop,
    };
    files.push((
        "search/meta.json".into(),
        serde_json::to_vec(&meta).unwrap_or_default(),
    ));
    files
}

fn shard_file(n: usize, shard: &BTreeMap<&str, String>) -> (String, Vec<u8>) {
    let json = serde_json::to_string(shard).unwrap_or_default();
    (format!("search/t/{n}.gz"), gzip(json.as_bytes()))
}

/// An entry with its (term, field mask) list.
type EntryTerms = (SearchEntry, Vec<(String, u8)>);

/// The entries of one sheet with their terms.
fn sheet_entries(page: &SheetPage) -> Vec<EntryTerms> {
    let mut out = Vec::new();
    let tags = page.tags.join(", ");
    let mut meta_text = page.tags.join(" ");
    meta_text.push(' ');
    meta_text.push_str(&page.keywords.join(" "));
    meta_text.push(' ');
    meta_text.push_str(&page.category);
    let mut add = |card: &str, anchor: &str, group: Option<&str>, html: &str| {
        let text = extract(html);
        let mut masks: HashMap<String, u8> = HashMap::new();
        let mut add_terms = |s: &str, field: u8| {
            terms(s, &mut |t, _| {
                *masks.entry(t.to_string()).or_default() |= field;
            });
        };
        add_terms(card, F_CARD);
        add_terms(&page.title, F_SHEET);
        if let Some(g) = group {
            add_terms(g, F_SHEET);
        }
        add_terms(&meta_text, F_TAGS);
        add_terms(&text.inline_code, F_CODE);
        for (_, code) in &text.blocks {
            add_terms(code, F_CODE);
        }
        add_terms(&text.prose, F_PROSE);
        let mut doc_terms: Vec<(String, u8)> = masks.into_iter().collect();
        doc_terms.sort_unstable();
        let url = if anchor.is_empty() {
            page.url.clone()
        } else {
            format!("{}#{anchor}", page.url)
        };
        out.push((entry(page, &tags, card, url, &text), doc_terms));
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
    out
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
    let mut excerpt: String = text.prose.chars().take(EXCERPT_CHARS).collect();
    if excerpt.len() < text.prose.len() {
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
