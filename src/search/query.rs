//! Searching the index files: the one ranking implementation in Rust (used by
//! `cheatgen query` and the tests); `search.js` mirrors it step by step in the browser.
//!
//! 1. The query splits into chunks of required terms (`tokenize::query`).
//! 2. Each term expands, through the dictionary of its first two chars, to itself (exact);
//!    the last term (being typed) and terms without an exact match also to up to
//!    `PREFIX_MAX` longer terms they start (prefix, shortest first); terms of 4+ chars
//!    without an exact match also to terms within 1 edit (2 for 8+; typo) — typos are looked for among terms with
//!    the same first two chars (one dictionary file).
//! 3. A doc's score for a term is the best `field_weight × quality` over its expansions
//!    (exact 10, prefix 6, typo 3); a chunk's whole compound token found exactly adds
//!    `field_weight × 5`.
//! 4. Docs matching every non-stop term win; if there are none, the docs matching the
//!    most terms. Order: terms matched, score, then index order.

use super::format::{decode_postings, dict_key, field_weight, gunzip, VERSION};
use super::index::Meta;
use super::index::SearchEntry;
use super::tokenize;
use std::collections::{BTreeMap, HashMap, HashSet};

pub const PREFIX_MAX: usize = 12;
pub const TYPO_MAX: usize = 6;
const Q_EXACT: u32 = 10;
const Q_PREFIX: u32 = 6;
const Q_TYPO: u32 = 3;
const COMPOUND_BONUS: u32 = 5;

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

/// Lines of `code` that contain one of `terms` (case-insensitive), at most `max`.
pub fn matching_lines<'c>(code: &'c str, terms: &[String], max: usize) -> Vec<&'c str> {
    code.lines()
        .filter(|l| {
            let lower = l.to_lowercase();
            terms.iter().any(|t| lower.contains(t.as_str()))
        })
        .take(max)
        .collect()
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
    pub score: u32,
    pub matched: usize,
    pub entry: SearchEntry,
    /// Index terms that matched, for highlighting.
    pub terms: Vec<String>,
}

pub struct Searcher<F: IndexFiles> {
    files: F,
    meta: Meta,
    stop: HashSet<String>,
    dicts: HashMap<String, Vec<String>>,
    shards: HashMap<usize, HashMap<String, String>>,
    docs: HashMap<usize, Vec<SearchEntry>>,
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
            stop: meta.stop.iter().cloned().collect(),
            files,
            meta,
            dicts: HashMap::new(),
            shards: HashMap::new(),
            docs: HashMap::new(),
        })
    }

    fn dict(&mut self, term: &str) -> Result<&[String], SearchError> {
        let key = dict_key(term);
        if !self.dicts.contains_key(&key) {
            let rel = format!("k/{key}.gz");
            let list = match self.files.read(&rel) {
                Some(bytes) => {
                    let raw = gunzip(&bytes).map_err(|e| SearchError::Damaged {
                        file: rel,
                        message: e.to_string(),
                    })?;
                    String::from_utf8_lossy(&raw)
                        .lines()
                        .map(str::to_string)
                        .collect()
                }
                None => Vec::new(),
            };
            self.dicts.insert(key.clone(), list);
        }
        Ok(&self.dicts[&key])
    }

    fn postings(&mut self, term: &str) -> Result<Vec<(u32, u8)>, SearchError> {
        let shard = match self
            .meta
            .shards
            .partition_point(|first| first.as_str() <= term)
        {
            0 => return Ok(Vec::new()),
            n => n - 1,
        };
        if !self.shards.contains_key(&shard) {
            let map = load(&self.files, &format!("t/{shard}.gz"))?.unwrap_or_default();
            self.shards.insert(shard, map);
        }
        Ok(self.shards[&shard]
            .get(term)
            .map(|s| decode_postings(s))
            .unwrap_or_default())
    }

    pub fn entry(&mut self, doc: u32) -> Result<Option<SearchEntry>, SearchError> {
        let per = self.meta.docs_per_shard.max(1);
        let shard = doc as usize / per;
        if !self.docs.contains_key(&shard) {
            let list = load(&self.files, &format!("d/{shard}.gz"))?.unwrap_or_default();
            self.docs.insert(shard, list);
        }
        Ok(self.docs[&shard].get(doc as usize % per).cloned())
    }

    /// The expansions of a query term with their quality. Prefixes are tried for the last
    /// term (the one being typed) and for terms with no exact match; typos only for terms
    /// with no exact match — every expansion can cost a shard download in the browser.
    pub fn expand(&mut self, q: &str, last: bool) -> Result<Vec<(String, u32)>, SearchError> {
        let dict = self.dict(q)?;
        let mut out = Vec::new();
        let start = dict.partition_point(|t| t.as_str() < q);
        let exact = dict.get(start).is_some_and(|t| t == q);
        if exact {
            out.push((q.to_string(), Q_EXACT));
            if !last {
                return Ok(out);
            }
        }
        let mut prefixed: Vec<&String> = dict[start..]
            .iter()
            .take_while(|t| t.starts_with(q))
            .filter(|t| t.as_str() != q)
            .collect();
        prefixed
            .sort_by(|a, b| (a.chars().count(), a.as_str()).cmp(&(b.chars().count(), b.as_str())));
        out.extend(
            prefixed
                .iter()
                .take(PREFIX_MAX)
                .map(|t| (t.to_string(), Q_PREFIX)),
        );
        let qlen = q.chars().count();
        if qlen >= 4 && !exact {
            let max = if qlen >= 8 { 2 } else { 1 };
            let mut typos: Vec<(usize, &String)> = dict
                .iter()
                .filter(|t| !t.starts_with(q) && t.chars().count().abs_diff(qlen) <= max)
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
        let mut terms: Vec<String> = Vec::new();
        for c in &chunks {
            for t in &c.required {
                if !terms.contains(t) {
                    terms.push(t.clone());
                }
            }
        }
        if terms.is_empty() {
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
        // doc → (per-term best score, bonus, matched index terms)
        let mut docs: BTreeMap<u32, (Vec<u32>, u32, Vec<String>)> = BTreeMap::new();
        let n = terms.len();
        // Stop terms are optional when other terms are present; their huge posting lists
        // are then not worth fetching (the browser mirrors this to keep downloads small).
        let all_stop = terms.iter().all(|t| self.stop.contains(t));
        for (i, q) in terms.iter().enumerate() {
            let skip_exact = !all_stop && self.stop.contains(q);
            for (term, quality) in self.expand(q, i + 1 == n && !last_complete)? {
                if skip_exact && &term == q {
                    continue;
                }
                for (doc, mask) in self.postings(&term)? {
                    let e = docs
                        .entry(doc)
                        .or_insert_with(|| (vec![0; n], 0, Vec::new()));
                    let s = field_weight(mask) * quality;
                    if s > e.0[i] {
                        e.0[i] = s;
                    }
                    if !e.2.contains(&term) {
                        e.2.push(term.clone());
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
            for (doc, mask) in self.postings(compound)? {
                if let Some(e) = docs.get_mut(&doc) {
                    e.1 += field_weight(mask) * COMPOUND_BONUS;
                    if !e.2.contains(compound) {
                        e.2.push(compound.clone());
                    }
                }
            }
        }
        let required: Vec<usize> = (0..n).filter(|&i| !self.stop.contains(&terms[i])).collect();
        let counted: Vec<usize> = if required.is_empty() {
            (0..n).collect()
        } else {
            required
        };
        let mut ranked: Vec<(usize, u32, u32)> = docs
            .iter()
            .map(|(&doc, (scores, bonus, _))| {
                let matched = counted.iter().filter(|&&i| scores[i] > 0).count();
                (matched, scores.iter().sum::<u32>() + bonus, doc)
            })
            .filter(|r| r.0 > 0)
            .collect();
        let best = ranked.iter().map(|r| r.0).max().unwrap_or(0);
        ranked.retain(|r| r.0 == best);
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        ranked.truncate(limit);
        let mut hits = Vec::with_capacity(ranked.len());
        for (matched, score, doc) in ranked {
            if let Some(entry) = self.entry(doc)? {
                let mut terms = docs.remove(&doc).map(|d| d.2).unwrap_or_default();
                terms.sort();
                hits.push(Hit {
                    doc,
                    score,
                    matched,
                    entry,
                    terms,
                });
            }
        }
        Ok(hits)
    }
}
