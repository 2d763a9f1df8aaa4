//! The incremental search index: per-sheet docs (`docs`) in, the index files of `format`
//! out. `SearchIndex` keeps each sheet's docs, the merged postings of every term, the term
//! shard boundaries and the encoded files; `set_sheet` adds, replaces or removes one sheet
//! and `files` re-encodes only what that touched. The files are a pure function of the
//! current set of sheets: `build` (a clean build) and any sequence of updates give the
//! same bytes.

use super::chunks::{cut, entry_size, is_forced, term_hash, Chunks};
use super::docs::{sheet_docs, SheetDocs};
use super::fileset::{FileMap, FileSet, IndexChanges, META_PATH};
use super::format::{
    common_limit, dict_key, doc_id, encode_postings, gzip, push_dict_line, CARD_BITS, COMMON_MARK,
    COMMON_MIN, DOCS_PER_SHARD, VERSION,
};
use super::slots::{size_for, Move, SlotTable};
use super::trim::trim_common;
use crate::site::SheetPage;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

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

/// Builds the index files (paths relative to the output dir, under `search/`).
pub fn build(sheets: &[SheetPage]) -> Vec<(String, Vec<u8>)> {
    let docs: Vec<SheetDocs> = sheets.par_iter().map(sheet_docs).collect();
    let mut index = SearchIndex::new();
    let mut seen = BTreeSet::new();
    for (page, docs) in sheets.iter().zip(docs) {
        // Two pages at one URL (already reported by the build): both stay searchable.
        let mut key = sheet_key(page);
        let mut n = 1;
        while seen.contains(&key) {
            n += 1;
            key = format!("{}#{n}", sheet_key(page));
        }
        seen.insert(key.clone());
        index.set_sheet(&key, Some(docs));
    }
    index.files();
    index.into_files()
}

struct SheetState {
    docs: SheetDocs,
    /// `None` only when the slot table is full (over half a million sheets).
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
            let chunk = |d: &SheetDocs| {
                d.entries
                    .chunks(DOCS_PER_SHARD)
                    .nth(n)
                    .map(<[_]>::to_vec)
                    .unwrap_or_default()
            };
            if chunk(&old) != chunk(new) {
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

    /// Every derived structure and file from the sheets' docs.
    fn rebuild_all(&mut self) {
        self.rebuild = false;
        self.dirty_terms.clear();
        self.dirty_docs.clear();
        self.table = SlotTable::with_capacity_for(self.sheets.len());
        let keys: Vec<String> = self.sheets.keys().cloned().collect();
        for state in self.sheets.values_mut() {
            state.slot = None;
        }
        for key in &keys {
            self.table.insert(key);
        }
        let slots: Vec<(u32, String)> =
            self.table.iter().map(|(s, k)| (s, k.to_string())).collect();
        for (slot, key) in &slots {
            if let Some(state) = self.sheets.get_mut(key) {
                state.slot = Some(*slot);
            }
        }
        let placed: Vec<(u32, &SheetDocs)> = slots
            .iter()
            .filter_map(|(s, k)| Some((*s, &self.sheets.get(k)?.docs)))
            .collect();
        self.docs = placed.iter().map(|(_, d)| d.entries.len()).sum();
        self.limit = common_limit(self.docs);
        self.terms = merge_terms(&placed);
        let docs = self.docs;
        self.terms
            .par_iter_mut()
            .for_each(|(_, t)| t.enc = t.encode(docs));
        self.common = self
            .terms
            .iter()
            .filter(|(_, t)| t.list.len() > COMMON_MIN)
            .map(|(k, _)| k.clone())
            .collect();
        self.chunks.clear();
        let mut forced = Vec::new();
        for (term, t) in &self.terms {
            if t.forced(term) {
                forced.push(term.clone());
            }
        }
        for term in &forced {
            self.chunks.set_forced(term, true);
        }
        let starts: Vec<String> = cut(self
            .terms
            .iter()
            .map(|(k, t)| (k.as_str(), entry_size(k, &t.enc), t.forced(k))))
        .into_iter()
        .map(str::to_string)
        .collect();
        for s in &starts {
            self.chunks.add_start(s);
        }
        for s in &starts {
            self.chunks.rename(s);
        }
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let ends: Vec<Option<&String>> = starts.iter().skip(1).map(Some).chain([None]).collect();
        files.par_extend(
            starts
                .par_iter()
                .zip(ends.par_iter())
                .map(|(s, e)| self.term_shard(s, e.map(String::as_str))),
        );
        let mut keys: Vec<(String, &str)> = Vec::new();
        for term in self.terms.keys() {
            let key = dict_key(term);
            if keys.last().is_none_or(|(k, _)| *k != key) {
                keys.push((key, term));
            }
        }
        files.par_extend(keys.par_iter().filter_map(|(_, t)| self.dict_file(t)));
        let shards: Vec<(u32, usize)> = placed
            .iter()
            .flat_map(|(slot, d)| (0..doc_shards(d)).map(move |n| (*slot, n)))
            .collect();
        files.par_extend(shards.par_iter().filter_map(|&(s, n)| self.doc_shard(s, n)));
        self.out.replace_all(files);
        self.meta();
    }

    /// Re-encodes what `set_sheet` touched since the last `files`.
    fn update(&mut self) {
        let limit = common_limit(self.docs);
        if limit != self.limit {
            // Trimming can change only for terms above the smaller of the two limits.
            let floor = limit.min(self.limit);
            for term in &self.common {
                if self.terms.get(term).is_some_and(|t| t.list.len() > floor) {
                    self.dirty_terms.insert(term.clone());
                }
            }
            self.limit = limit;
        }
        // Terms whose bytes changed, and whether they were added or removed.
        let mut changed: Vec<(String, bool)> = Vec::new();
        for term in std::mem::take(&mut self.dirty_terms) {
            let Some(t) = self.terms.get_mut(&term) else {
                continue;
            };
            if t.list.len() > COMMON_MIN {
                self.common.insert(term.clone());
            } else {
                self.common.remove(&term);
            }
            if t.list.is_empty() {
                self.terms.remove(&term);
                self.chunks.set_forced(&term, false);
                changed.push((term, true));
                continue;
            }
            let enc = t.encode(self.docs);
            if enc == t.enc {
                continue;
            }
            let added = t.enc.is_empty();
            t.enc = enc;
            let forced = t.forced(&term);
            self.chunks.set_forced(&term, forced);
            changed.push((term, added));
        }
        let mut shards: BTreeSet<String> = BTreeSet::new();
        let mut dicts: BTreeSet<String> = BTreeSet::new();
        let mut segments: BTreeSet<(Option<String>, Option<String>)> = BTreeSet::new();
        for (term, membership) in &changed {
            if *membership {
                dicts.insert(term.clone());
            }
            segments.insert(self.chunks.segment(term));
        }
        for (from, to) in &segments {
            self.recut(from.as_deref(), to.as_deref(), &mut shards, &mut dicts);
        }
        for (term, _) in &changed {
            if let Some(s) = self.chunks.start_of(term) {
                shards.insert(s.to_string());
            }
        }
        for start in &shards {
            let end = self.chunks.next_start(start).map(str::to_string);
            if self.chunks.name(start).is_some() {
                let (path, bytes) = self.term_shard(start, end.as_deref());
                self.out.put(path, bytes);
            }
        }
        let mut done = BTreeSet::new();
        for term in &dicts {
            let key = dict_key(term);
            if !done.insert(key.clone()) {
                continue;
            }
            match self.dict_file(term) {
                Some((path, bytes)) => self.out.put(path, bytes),
                None => self.out.mark_stale(format!("search/k/{key}.gz")),
            }
        }
        for (slot, n) in std::mem::take(&mut self.dirty_docs) {
            match self.doc_shard(slot, n) {
                Some((path, bytes)) => self.out.put(path, bytes),
                None => self.out.mark_stale(format!("search/d/{slot}-{n}.gz")),
            }
        }
        self.out.sweep();
        self.meta();
    }

    /// Re-cuts the segment `[from, to)` of terms; shards whose start, end or name changed
    /// go into `shards` and their terms into `dicts`.
    fn recut(
        &mut self,
        from: Option<&str>,
        to: Option<&str>,
        shards: &mut BTreeSet<String>,
        dicts: &mut BTreeSet<String>,
    ) {
        let lo = from.map_or(Bound::Unbounded, Bound::Included);
        let hi = to.map_or(Bound::Unbounded, Bound::Excluded);
        let new: Vec<String> = cut(self
            .terms
            .range::<str, _>((lo, hi))
            .map(|(k, t)| (k.as_str(), entry_size(k, &t.enc), t.forced(k))))
        .into_iter()
        .map(str::to_string)
        .collect();
        let old = self.chunks.starts_in(from, to);
        if old == new {
            return;
        }
        // The shard before the segment may have gained or lost its tail.
        let before = match (from, new.first(), old.first()) {
            (Some(f), _, _) => Some(f.to_string()),
            (None, Some(a), Some(b)) => Some(a.min(b).clone()),
            (None, Some(a), None) => Some(a.clone()),
            (None, None, b) => b.cloned(),
        };
        if let Some(prev) =
            before.and_then(|f| self.chunks.starts_in(None, Some(&f)).last().cloned())
        {
            shards.insert(prev.clone());
            self.mark_dicts(&prev, dicts);
        }
        let mut renamed: Vec<String> = Vec::new();
        for s in old.iter().filter(|s| !new.contains(s)) {
            if let Some(name) = self.chunks.remove_start(s) {
                self.out.mark_stale(format!("search/t/{name}.gz"));
            }
            renamed.push(s.clone());
        }
        for s in new.iter().filter(|s| !old.contains(s)) {
            self.chunks.add_start(s);
            renamed.push(s.clone());
        }
        for s in &renamed {
            for (start, old_name) in self.chunks.rename(s) {
                self.out.mark_stale(format!("search/t/{old_name}.gz"));
                shards.insert(start.clone());
                self.mark_dicts(&start, dicts);
            }
        }
        for s in &new {
            shards.insert(s.clone());
            self.mark_dicts(s, dicts);
        }
    }

    /// Marks the dictionaries of every term in the shard starting at `start`.
    fn mark_dicts(&self, start: &str, dicts: &mut BTreeSet<String>) {
        let end = self.chunks.next_start(start);
        let hi = end.map_or(Bound::Unbounded, Bound::Excluded);
        let mut last_key = String::new();
        for term in self
            .terms
            .range::<str, _>((Bound::Included(start), hi))
            .map(|(k, _)| k)
        {
            let key = dict_key(term);
            if key != last_key {
                dicts.insert(term.clone());
                last_key = key;
            }
        }
    }

    /// The term shard file of the shard `[start, end)`.
    fn term_shard(&self, start: &str, end: Option<&str>) -> (String, Vec<u8>) {
        let hi = end.map_or(Bound::Unbounded, Bound::Excluded);
        let map: BTreeMap<&str, &str> = self
            .terms
            .range::<str, _>((Bound::Included(start), hi))
            .map(|(k, t)| (k.as_str(), t.enc.as_str()))
            .collect();
        let json = serde_json::to_string(&map).unwrap_or_default();
        let name = self.chunks.name(start).unwrap_or_default();
        (format!("search/t/{name}.gz"), gzip(json.as_bytes()))
    }

    /// The dictionary file holding `term`'s key, or `None` when it has no terms.
    fn dict_file(&self, term: &str) -> Option<(String, Vec<u8>)> {
        let key = dict_key(term);
        // The key's chars: every term starting with them has this key, unless the key
        // ended with the term (then the term is its only one).
        let parts = key.split('-').count();
        let prefix: String = term.chars().take(parts).collect();
        let mut text = String::new();
        let mut prev = "";
        let mut shard: Option<&str> = None;
        for (t, _) in self
            .terms
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(t, _)| t.starts_with(prefix.as_str()))
        {
            if dict_key(t) != key {
                // Only an incomplete key (the bare prefix) has other keys after it.
                break;
            }
            let start = self.chunks.start_of(t);
            let name = start.and_then(|s| self.chunks.name(s));
            let new_shard = (name != shard).then_some(name.unwrap_or_default());
            push_dict_line(&mut text, prev, t, new_shard);
            shard = name;
            prev = t;
        }
        (!text.is_empty()).then(|| (format!("search/k/{key}.gz"), gzip(text.as_bytes())))
    }

    /// The doc shard file `n` of the sheet in `slot`, or `None` when it has no entries.
    fn doc_shard(&self, slot: u32, n: usize) -> Option<(String, Vec<u8>)> {
        let key = self.table.key_at(slot)?;
        let docs = &self.sheets.get(key)?.docs;
        let chunk = docs.entries.chunks(DOCS_PER_SHARD).nth(n)?;
        let json = serde_json::to_string(chunk).unwrap_or_default();
        Some((format!("search/d/{slot}-{n}.gz"), gzip(json.as_bytes())))
    }
}

/// Every term's postings over the placed sheets (sorted by slot, so each list comes out
/// sorted by doc), merged in parallel by partitions of the term's first byte.
fn merge_terms(placed: &[(u32, &SheetDocs)]) -> BTreeMap<String, Term> {
    const PARTS: usize = 16;
    let parts: Vec<Vec<(String, Term)>> = (0..PARTS)
        .into_par_iter()
        .map(|p| {
            let mut map: rustc_hash::FxHashMap<&str, Vec<(u32, u8)>> = Default::default();
            for (slot, docs) in placed {
                for (term, cards) in &docs.terms {
                    if usize::from(term.as_bytes()[0]) % PARTS == p {
                        map.entry(term.as_str())
                            .or_default()
                            .extend(cards.iter().map(|&(c, m)| (doc_id(*slot, c), m)));
                    }
                }
            }
            map.into_iter()
                .map(|(t, list)| {
                    let mut term = Term::new(t);
                    term.list = list;
                    (t.to_string(), term)
                })
                .collect()
        })
        .collect();
    parts.into_iter().flatten().collect()
}

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
