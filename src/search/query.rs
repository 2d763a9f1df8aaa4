//! Searching the index files: the one ranking implementation in Rust (used by
//! `cheatgen query` and the tests); `search.js` mirrors it step by step in the browser.
//!
//! 1. The query splits into words (`tokenize::query`); English stop words are dropped when
//!    the query has other words, so they are never required.
//! 2. Each word expands, through the dictionary of its first two chars (a part of a code
//!    token typed out, like `functools` in `functools.wraps`, only to itself if it exists), to: itself (exact,
//!    quality 100); words of the same light stem (`tables` ↔ `table`, 80); shorter indexed
//!    words it starts with (`dictionary` → `dict`, 45); up to `PREFIX_MAX` (last word, being
//!    typed, if 4+ chars; `PREFIX_SHORT` for 3 chars) or `PREFIX_FEW` (other words, and a
//!    last word of 2 chars) longer words it starts, shortest first (prefix, 50); and only
//!    when none of those exist, words within 1 edit (2 for 8+ chars; typo, 25) — so a typo
//!    never outranks a prefix, nor a prefix an exact match in the same field.
//! 3. BM25-style: a doc's score for a word is the best `idf × field_weight × quality` over
//!    its expansions (idf from the posting list's length; field weights card title > sheet
//!    name > group/keywords > member > code > prose); a word's whole code token found
//!    exactly adds half again.
//! 4. Soft AND: the sum is scaled by (words matched / words)², so a card missing a word
//!    ranks below, not out; a word that names the card's sheet (title, slug, tags) doubles
//!    it. Order: score, then index order. All arithmetic is on integers so the browser
//!    ranks exactly alike.

use super::docs::SearchEntry;
use super::format::{
    common_limit, decode_postings, dict_key, doc_parts, doc_shard_path, field_weight, gunzip,
    read_dict, Dict, COMMON_MARK, F_SHEET, VERSION,
};
use super::index::Meta;
use super::tokenize::{self, is_stop_word, stem};
use std::collections::{BTreeMap, HashMap};

pub const PREFIX_MAX: usize = 12;
pub const PREFIX_FEW: usize = 2;
pub const PREFIX_SHORT: usize = 4;
pub const TYPO_MAX: usize = 6;
/// Query words looked at; the rest of a pasted paragraph is ignored (keeps scores exact
/// integers in JavaScript too).
pub const MAX_WORDS: usize = 16;
const Q_EXACT: u64 = 100;
const Q_STEM: u64 = 80;
const Q_PREFIX: u64 = 50;
const Q_SHORTER: u64 = 45;
const Q_TYPO: u64 = 25;
const Q_COMPOUND: u64 = 50;
/// Multiplier (in halves) when a query word names the card's sheet.
const SHEET_BOOST_HALVES: u64 = 4;

/// Inverse document frequency × 1000, rounded (BM25's `ln(1 + (N - df + ½) / (df + ½))`).
pub fn idf(df: usize, docs: usize) -> u64 {
    let n = docs.max(1) as f64;
    let df = (df.max(1) as f64).min(n);
    ((1.0 + (n - df + 0.5) / (df + 0.5)).ln() * 1000.0).round() as u64
}

/// Where the index files come from: the output directory, or a build plan in memory.
pub trait IndexFiles {
    /// Bytes of `search/<rel>`, if present.
    fn read(&self, rel: &str) -> Option<Vec<u8>>;
}

impl IndexFiles for std::path::PathBuf {
    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.join("search").join(rel)).ok()
    }
}

impl IndexFiles for crate::output::OutputPlan {
    fn read(&self, rel: &str) -> Option<Vec<u8>> {
        match self.get(&format!("search/{rel}"))? {
            crate::output::OutputFile::Bytes(b) => Some(b.clone()),
            crate::output::OutputFile::Shared(b) => Some(b.as_ref().clone()),
            crate::output::OutputFile::Copy(p) => std::fs::read(p).ok(),
        }
    }
}

/// Up to `max` lines of `code` for a preview: the lines whose matched terms are rarest
/// (sum of the terms' `rarity`, case-insensitive substring match), in their order in the
/// code. Lines matching nothing are never chosen.
pub fn matching_lines<'c>(
    code: &'c str,
    terms: &[String],
    rarity: &[u64],
    max: usize,
) -> Vec<&'c str> {
    let mut scored: Vec<(u64, usize, &str)> = code
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let lower = l.to_lowercase();
            let score: u64 = terms
                .iter()
                .zip(rarity)
                .filter(|(t, _)| lower.contains(t.as_str()))
                .map(|(_, r)| *r)
                .sum();
            (score > 0).then_some((score, i, l))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.truncate(max);
    scored.sort_by_key(|s| s.1);
    scored.into_iter().map(|s| s.2).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("no search index (search/meta.json) found; run `cheatgen build` first")]
    Missing,
    #[error("search index file search/{file} is damaged: {message}")]
    Damaged { file: String, message: String },
    #[error(
        "search index version {found} is not supported (expected {VERSION}); rebuild the site"
    )]
    Version { found: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub doc: u32,
    pub score: u64,
    /// Query words matched (stop words aside).
    pub matched: usize,
    pub entry: SearchEntry,
    /// Index terms that matched, sorted, for highlighting.
    pub terms: Vec<String>,
    /// Each term's idf, for choosing preview lines by the rarest terms.
    pub rarity: Vec<u64>,
}

pub struct Searcher<F: IndexFiles> {
    files: F,
    meta: Meta,
    /// Dictionary files: sorted terms, and each term's term shard.
    dicts: HashMap<String, Dict>,
    shards: HashMap<String, HashMap<String, String>>,
    docs: HashMap<String, Vec<SearchEntry>>,
}

fn load<T: serde::de::DeserializeOwned>(
    files: &impl IndexFiles,
    rel: &str,
) -> Result<Option<T>, SearchError> {
    let Some(bytes) = files.read(rel) else {
        return Ok(None);
    };
    let damaged = |message: String| SearchError::Damaged {
        file: rel.to_string(),
        message,
    };
    let raw = gunzip(&bytes).map_err(|e| damaged(e.to_string()))?;
    serde_json::from_slice(&raw)
        .map(Some)
        .map_err(|e| damaged(e.to_string()))
}

impl<F: IndexFiles> Searcher<F> {
    pub fn open(files: F) -> Result<Self, SearchError> {
        let meta: Meta = load(&files, "meta.json")?.ok_or(SearchError::Missing)?;
        if meta.version != VERSION {
            return Err(SearchError::Version {
                found: meta.version,
            });
        }
        Ok(Searcher {
            files,
            meta,
            dicts: HashMap::new(),
            shards: HashMap::new(),
            docs: HashMap::new(),
        })
    }

    fn dict(&mut self, term: &str) -> Result<&[String], SearchError> {
        Ok(&self.dict_file(term)?.terms)
    }

    fn dict_file(&mut self, term: &str) -> Result<&Dict, SearchError> {
        let key = dict_key(term);
        if !self.dicts.contains_key(&key) {
            let rel = format!("k/{key}.gz");
            let mut dict = Dict::default();
            if let Some(bytes) = self.files.read(&rel) {
                let raw = gunzip(&bytes).map_err(|e| SearchError::Damaged {
                    file: rel,
                    message: e.to_string(),
                })?;
                dict = read_dict(&String::from_utf8_lossy(&raw));
            }
            self.dicts.insert(key.clone(), dict);
        }
        Ok(&self.dicts[&key])
    }

    /// A term's postings and its idf.
    fn postings(&mut self, term: &str) -> Result<(Vec<(u32, u8)>, u64), SearchError> {
        let dict = self.dict_file(term)?;
        let Ok(at) = dict.terms.binary_search_by(|t| t.as_str().cmp(term)) else {
            return Ok((Vec::new(), 0));
        };
        let shard = dict.shard(at).to_string();
        if !self.shards.contains_key(&shard) {
            let map = load(&self.files, &format!("t/{shard}.gz"))?.unwrap_or_default();
            self.shards.insert(shard.clone(), map);
        }
        let Some(s) = self.shards[&shard].get(term) else {
            return Ok((Vec::new(), 0));
        };
        let list = decode_postings(s);
        let mut df = list.len();
        if s.starts_with(COMMON_MARK) {
            df = df.max(common_limit(self.meta.docs));
        }
        Ok((list, idf(df, self.meta.docs)))
    }

    pub fn entry(&mut self, doc: u32) -> Result<Option<SearchEntry>, SearchError> {
        let per = self.meta.docs_per_shard.max(1);
        let shard = doc_shard_path(doc);
        if !self.docs.contains_key(&shard) {
            let list = load(&self.files, &shard)?.unwrap_or_default();
            self.docs.insert(shard.clone(), list);
        }
        Ok(self.docs[&shard]
            .get(doc_parts(doc).1 as usize % per)
            .cloned())
    }

    /// The expansions of a query word with their quality (see the module header): every
    /// expansion can cost a shard download in the browser, so prefixes are few except for
    /// the last word, and typos are tried only when nothing else matches.
    /// `exact_only`: a literal part of a code token, expanded only if it has no exact match.
    pub fn expand(
        &mut self,
        q: &str,
        last: bool,
        exact_only: bool,
    ) -> Result<Vec<(String, u64)>, SearchError> {
        let dict = self.dict(q)?;
        let mut out: Vec<(String, u64)> = Vec::new();
        let start = dict.partition_point(|t| t.as_str() < q);
        if dict.get(start).is_some_and(|t| t == q) {
            out.push((q.to_string(), Q_EXACT));
            if exact_only {
                return Ok(out);
            }
        }
        let qlen = q.chars().count();
        let q_stem = stem(q);
        for t in dict {
            if t != q && qlen >= 4 && stem(t) == q_stem {
                out.push((t.clone(), Q_STEM));
            }
        }
        for t in dict {
            let n = t.chars().count();
            let shorter = n >= 4 && n * 5 >= qlen * 2 && n < qlen && q.starts_with(t.as_str());
            if shorter && !out.iter().any(|o| &o.0 == t) {
                out.push((t.clone(), Q_SHORTER));
            }
        }
        let mut prefixed: Vec<&String> = dict[start..]
            .iter()
            .take_while(|t| t.starts_with(q))
            .filter(|t| !out.iter().any(|o| &o.0 == *t) && t.as_str() != q)
            .collect();
        prefixed
            .sort_by(|a, b| (a.chars().count(), a.as_str()).cmp(&(b.chars().count(), b.as_str())));
        // A word of 2–3 letters starts too many words to fetch them all (each can cost a
        // term shard): its shortest completions only.
        let few = match (last, qlen) {
            (false, _) | (true, 0..=2) => PREFIX_FEW,
            (true, 3) => PREFIX_SHORT,
            (true, _) => PREFIX_MAX,
        };
        let prefixed: Vec<(String, u64)> = prefixed
            .iter()
            .take(few)
            .map(|t| (t.to_string(), Q_PREFIX))
            .collect();
        out.extend(prefixed);
        if qlen >= 4 && out.is_empty() {
            let max = if qlen >= 8 { 2 } else { 1 };
            let mut typos: Vec<(usize, &String)> = dict
                .iter()
                .filter(|t| t.chars().count().abs_diff(qlen) <= max)
                .filter_map(|t| {
                    let d = strsim::osa_distance(q, t);
                    (d <= max).then_some((d, t))
                })
                .collect();
            typos.sort();
            out.extend(
                typos
                    .iter()
                    .take(TYPO_MAX)
                    .map(|(_, t)| (t.to_string(), Q_TYPO)),
            );
        }
        Ok(out)
    }

    /// Ranked hits for `query`, at most `limit`.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let chunks = tokenize::query(query);
        let mut words: Vec<String> = Vec::new();
        // Parts of a code token typed out (`functools` in `functools.wraps`, all of
        // `lindra_ber_kaqui` but the part being typed) are literal: exact match only, when
        // there is one — each expansion can cost a download.
        let mut literal: HashMap<String, bool> = HashMap::new();
        for (ci, c) in chunks.iter().enumerate() {
            let token = c.compound.is_some() && c.required.len() > 1;
            for (pi, t) in c.required.iter().enumerate() {
                if !words.contains(t) {
                    words.push(t.clone());
                }
                let typing = ci + 1 == chunks.len() && pi + 1 == c.required.len();
                let is_literal = token && !typing;
                *literal.entry(t.clone()).or_insert(is_literal) &= is_literal;
            }
        }
        if words.iter().any(|w| !is_stop_word(w)) {
            words.retain(|w| !is_stop_word(w));
        }
        words.truncate(MAX_WORDS);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // A last word typed out as a whole code token that exists (`--no-cache-dir`) is
        // complete: its last part is not expanded as a prefix.
        let last_complete = match chunks.last().and_then(|c| c.compound.as_deref()) {
            Some(c) => self
                .dict(c)?
                .binary_search_by(|t| t.as_str().cmp(c))
                .is_ok(),
            None => false,
        };
        let n = words.len();
        let mut docs: BTreeMap<u32, DocScore> = BTreeMap::new();
        let mut rarity: HashMap<String, u64> = HashMap::new();
        for (i, q) in words.iter().enumerate() {
            let last = i + 1 == n && !last_complete;
            let exact_only = i + 1 != n && literal.get(q).copied().unwrap_or(false);
            for (term, quality) in self.expand(q, last, exact_only)? {
                let (list, term_idf) = self.postings(&term)?;
                rarity.insert(term.clone(), term_idf);
                for (doc, mask) in list {
                    let d = docs.entry(doc).or_insert_with(|| DocScore::new(n));
                    let s = term_idf * field_weight(mask) * quality;
                    if s > d.word[i] {
                        d.word[i] = s;
                    }
                    if quality >= Q_STEM && mask & F_SHEET != 0 {
                        d.names_sheet = true;
                    }
                    if !d.terms.contains(&term) {
                        d.terms.push(term.clone());
                    }
                }
            }
        }
        for c in &chunks {
            let Some(compound) = &c.compound else {
                continue;
            };
            if c.required.len() == 1 && &c.required[0] == compound {
                continue;
            }
            let (list, term_idf) = self.postings(compound)?;
            rarity.insert(compound.clone(), term_idf);
            for (doc, mask) in list {
                if let Some(d) = docs.get_mut(&doc) {
                    d.bonus += term_idf * field_weight(mask) * Q_COMPOUND;
                    if !d.terms.contains(compound) {
                        d.terms.push(compound.clone());
                    }
                }
            }
        }
        let mut ranked: Vec<(u64, u32, usize)> = docs
            .iter()
            .map(|(&doc, d)| {
                let matched = d.word.iter().filter(|&&s| s > 0).count() as u64;
                let base = d.word.iter().sum::<u64>() + d.bonus;
                let boost = if d.names_sheet { SHEET_BOOST_HALVES } else { 2 };
                let nn = n as u64;
                let score = base * matched * matched * boost / (nn * nn * 2);
                (score, doc, matched as usize)
            })
            .filter(|r| r.0 > 0)
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(limit);
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, doc, matched) in ranked {
            if let Some(entry) = self.entry(doc)? {
                let mut terms = docs.remove(&doc).map(|d| d.terms).unwrap_or_default();
                terms.sort();
                let rarity = terms
                    .iter()
                    .map(|t| rarity.get(t).copied().unwrap_or(0))
                    .collect();
                hits.push(Hit {
                    doc,
                    score,
                    matched,
                    entry,
                    terms,
                    rarity,
                });
            }
        }
        Ok(hits)
    }
}

/// A doc's running score: per query word the best expansion's score, the compound bonus,
/// whether a word names its sheet, and the index terms that matched.
struct DocScore {
    word: Vec<u64>,
    bonus: u64,
    names_sheet: bool,
    terms: Vec<String>,
}

impl DocScore {
    fn new(n: usize) -> Self {
        DocScore {
            word: vec![0; n],
            bonus: 0,
            names_sheet: false,
            terms: Vec::new(),
        }
    }
}
