//! The incremental search index: per-sheet docs (`docs`) in, the index files of `format`
//! out. `SearchIndex` keeps each sheet's docs, the merged postings of every term, the term
//! shard boundaries and the encoded files; `set_sheet` adds, replaces or removes one sheet
//! and `files` re-encodes only what that touched. The files are a pure function of the
//! current set of sheets: `build` (a clean build) and any sequence of updates give the
//! same bytes.

use super::chunks::{entry_size, is_forced, term_hash, Chunks};
use super::docs::{sheet_docs, SheetDocs};
use super::fileset::{FileMap, FileSet, IndexChanges, META_PATH};
use super::format::{
    common_limit, doc_id, encode_postings, CARD_BITS, COMMON_MARK, DOCS_PER_SHARD, VERSION,
};
use super::slots::{size_for, Move, SlotTable};
use super::trim::trim_common;
use crate::site::SheetPage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Serialize, Deserialize)]
pub struct Meta {
    pub version: u32,
    /// Changes whenever the index bytes change; clients use it to bust caches.
    pub id: String,
    pub docs: usize,
    pub docs_per_shard: usize,
}

/// The key `build` files a sheet under: its URL, which is unique on a site and does not
/// depend on where the site sits on disk. An engine calling `SearchIndex::set_sheet`
/// must use the same key for its files to equal a clean build's.
pub fn sheet_key(page: &SheetPage) -> String {
    page.url.clone()
}

/// The keys of `sheets` (`sheet_key`), made unique in order: two pages at one URL (already
/// reported by the build) both stay searchable. The engine files sheets under these.
pub fn sheet_keys(sheets: &[SheetPage]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    sheets
        .iter()
        .map(|page| {
            let mut key = sheet_key(page);
            let mut n = 1;
            while seen.contains(&key) {
                n += 1;
                key = format!("{}#{n}", sheet_key(page));
            }
            seen.insert(key.clone());
            key
        })
        .collect()
}

/// Builds the index files (paths relative to the output dir, under `search/`).
pub fn build(sheets: &[SheetPage]) -> Vec<(String, Vec<u8>)> {
    let docs: Vec<SheetDocs> = sheets.par_iter().map(sheet_docs).collect();
    let mut index = SearchIndex::new();
    for (key, docs) in sheet_keys(sheets).iter().zip(docs) {
        index.set_sheet(key, Some(docs));
    }
    index.files();
    index.into_files()
}

struct SheetState {
    docs: SheetDocs,
    /// `None` only when the slot table is full (over a million sheets).
    slot: Option<u32>,
}

struct Term {
    /// Every (doc, field mask) posting, sorted by doc, before common-term trimming.
    list: Vec<(u32, u8)>,
    /// The postings string written (trimmed, marked when common); empty until encoded.
    enc: String,
    hash: u64,
}

impl Term {
    fn new(term: &str) -> Term {
        Term {
            list: Vec::new(),
            enc: String::new(),
            hash: term_hash(term),
        }
    }

    fn encode(&self, docs: usize) -> String {
        if self.list.len() <= common_limit(docs) {
            return encode_postings(&self.list);
        }
        let mut list = self.list.clone();
        if trim_common(&mut list, docs) {
            format!("{COMMON_MARK}{}", encode_postings(&list))
        } else {
            encode_postings(&list)
        }
    }

    fn forced(&self, term: &str) -> bool {
        is_forced(self.hash, entry_size(term, &self.enc))
    }
}

/// The search index of a site, kept up to date one sheet at a time.
///
/// An engine caches `sheet_docs(page)` per note, calls `set_sheet(&sheet_key(page),
/// Some(docs))` for each added or changed sheet and `set_sheet(key, None)` for each removed
/// one, then `files()` for the whole current map (unchanged files are shared `Arc`s) and
/// `take_changes()` for the paths to write and delete. A replaced sheet whose docs are
/// equal costs nothing; an edit re-encodes its doc shards, the term shards and
/// dictionaries of the terms whose postings changed, and `meta.json`.
pub struct SearchIndex {
    sheets: BTreeMap<String, SheetState>,
    table: SlotTable,
    terms: BTreeMap<String, Term>,
    /// Terms in more than `COMMON_MIN` docs: the only ones trimming can change.
    common: BTreeSet<String>,
    /// `common_limit` the current encodings were made with.
    limit: usize,
    docs: usize,
    chunks: Chunks,
    out: FileSet,
    /// Everything is recomputed by the next `files` (new index, or the table resized).
    rebuild: bool,
    dirty_terms: BTreeSet<String>,
    /// Doc shards (slot, n) to rewrite or delete.
    dirty_docs: BTreeSet<(u32, usize)>,
}

impl Default for SearchIndex {
    fn default() -> Self {
        SearchIndex::new()
    }
}

/// The doc id range of a slot within a sorted postings list.
fn slot_range(list: &[(u32, u8)], slot: u32) -> std::ops::Range<usize> {
    let lo = list.partition_point(|p| p.0 >> CARD_BITS < slot);
    let hi = lo + list[lo..].partition_point(|p| p.0 >> CARD_BITS == slot);
    lo..hi
}

fn doc_shards(docs: &SheetDocs) -> usize {
    docs.entries.len().div_ceil(DOCS_PER_SHARD)
}

impl SearchIndex {
    pub fn new() -> SearchIndex {
        SearchIndex {
            sheets: BTreeMap::new(),
            table: SlotTable::with_capacity_for(0),
            terms: BTreeMap::new(),
            common: BTreeSet::new(),
            limit: common_limit(0),
            docs: 0,
            chunks: Chunks::default(),
            out: FileSet::default(),
            rebuild: true,
            dirty_terms: BTreeSet::new(),
            dirty_docs: BTreeSet::new(),
        }
    }

    /// Adds (`Some` for a new key), replaces (`Some`) or removes (`None`) one sheet.
    /// Nothing is encoded until `files`.
    pub fn set_sheet(&mut self, key: &str, docs: Option<SheetDocs>) {
        let docs = docs.map(SheetDocs::normalized);
        let present = self.sheets.contains_key(key);
        let count = self.sheets.len() + usize::from(docs.is_some() && !present)
            - usize::from(docs.is_none() && present);
        if !self.rebuild && size_for(count) != self.table.size() {
            self.rebuild = true;
        }
        if self.rebuild {
            match docs {
                Some(docs) => self
                    .sheets
                    .insert(key.to_string(), SheetState { docs, slot: None }),
                None => self.sheets.remove(key),
            };
            return;
        }
        match docs {
            Some(docs) if present => self.replace(key, docs),
            Some(docs) => {
                self.sheets
                    .insert(key.to_string(), SheetState { docs, slot: None });
                let moves = self.table.insert(key);
                self.apply_moves(&moves);
            }
            None if present => {
                let moves = self.table.remove(key);
                self.apply_moves(&moves);
                self.sheets.remove(key);
            }
            None => {}
        }
    }

    /// Replaces a sheet's docs in its slot: only terms whose postings in it differ and
    /// doc shards whose entries differ are touched.
    fn replace(&mut self, key: &str, new: SheetDocs) {
        let Some(state) = self.sheets.get_mut(key) else {
            return;
        };
        let old = std::mem::replace(&mut state.docs, new);
        let Some(slot) = state.slot else {
            return;
        };
        let new = &self.sheets[key].docs;
        self.docs = self.docs + new.entries.len() - old.entries.len();
        for n in 0..doc_shards(&old).max(doc_shards(new)) {
            if old.entries.chunks(DOCS_PER_SHARD).nth(n)
                != new.entries.chunks(DOCS_PER_SHARD).nth(n)
            {
                self.dirty_docs.insert((slot, n));
            }
        }
        let (mut a, mut b) = (old.terms.iter().peekable(), new.terms.iter().peekable());
        // A term and its postings in this sheet now (empty: gone).
        let mut changed: Vec<(&str, &[(u32, u8)])> = Vec::new();
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    if x.1 != y.1 {
                        changed.push((&y.0, &y.1));
                    }
                    a.next();
                    b.next();
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    changed.push((&x.0, &[]));
                    a.next();
                }
                (Some(x), None) => {
                    changed.push((&x.0, &[]));
                    a.next();
                }
                (_, Some(y)) => {
                    changed.push((&y.0, &y.1));
                    b.next();
                }
                (None, None) => break,
            }
        }
        for (term, list) in changed {
            Self::set_postings(&mut self.terms, &mut self.dirty_terms, term, slot, list);
        }
    }

    /// Sets the postings of `slot` in `term` to `cards` (positions in the sheet).
    fn set_postings(
        terms: &mut BTreeMap<String, Term>,
        dirty: &mut BTreeSet<String>,
        term: &str,
        slot: u32,
        cards: &[(u32, u8)],
    ) {
        if !terms.contains_key(term) {
            if cards.is_empty() {
                return;
            }
            terms.insert(term.to_string(), Term::new(term));
        }
        let Some(t) = terms.get_mut(term) else {
            return;
        };
        let range = slot_range(&t.list, slot);
        t.list
            .splice(range, cards.iter().map(|&(c, m)| (doc_id(slot, c), m)));
        if !dirty.contains(term) {
            dirty.insert(term.to_string());
        }
    }

    /// Moves sheets between slots: every posting and doc shard of a moved sheet changes.
    fn apply_moves(&mut self, moves: &[Move]) {
        // All removals first: a run of sheets shifts into each other's old slots.
        for m in moves {
            let (Some(from), Some(state)) = (m.from, self.sheets.get(&m.key)) else {
                continue;
            };
            self.docs -= state.docs.entries.len();
            for n in 0..doc_shards(&state.docs) {
                self.dirty_docs.insert((from, n));
            }
            for (term, _) in &state.docs.terms {
                Self::set_postings(&mut self.terms, &mut self.dirty_terms, term, from, &[]);
            }
        }
        for m in moves {
            let Some(state) = self.sheets.get_mut(&m.key) else {
                continue;
            };
            state.slot = m.to;
            let Some(to) = m.to else {
                continue;
            };
            self.docs += state.docs.entries.len();
            for n in 0..doc_shards(&state.docs) {
                self.dirty_docs.insert((to, n));
            }
            for (term, cards) in &state.docs.terms {
                Self::set_postings(&mut self.terms, &mut self.dirty_terms, term, to, cards);
            }
        }
    }

    /// The full current file map (paths under `search/`), re-encoding only the files
    /// touched since the last call.
    pub fn files(&mut self) -> &FileMap {
        if self.rebuild {
            self.rebuild_all();
        } else {
            self.update();
        }
        self.out.files()
    }

    /// Paths written and removed by `files` since the last call of this.
    pub fn take_changes(&mut self) -> IndexChanges {
        self.out.take_changes()
    }

    /// The doc id of entry `card` of sheet `key`, if indexed.
    pub fn doc_id(&self, key: &str, card: u32) -> Option<u32> {
        let state = self.sheets.get(key)?;
        ((card as usize) < state.docs.entries.len()).then_some(doc_id(state.slot?, card))
    }

    /// Consumes the index into its files (after `files`).
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.out.into_files()
    }

    fn meta(&mut self) {
        let meta = Meta {
            version: VERSION,
            id: self.out.id(self.docs),
            docs: self.docs,
            docs_per_shard: DOCS_PER_SHARD,
        };
        self.out.put(
            META_PATH.into(),
            serde_json::to_vec(&meta).unwrap_or_default(),
        );
    }
}

mod encode;
#[cfg(test)]
mod tests;
