//! How `SearchIndex` turns its state into files: a full rebuild (a new index, or after
//! the slot table resized) and the incremental update of what `set_sheet` touched; the
//! encoding of term shards, dictionaries and doc shards both share.

use super::{doc_shards, SearchIndex, Term};
use crate::search::chunks::{cut, entry_size};
use crate::search::docs::SheetDocs;
use crate::search::format::{
    common_limit, dict_key, doc_id, gzip, push_dict_line, COMMON_MIN, DOCS_PER_SHARD,
    VERY_COMMON_FACTOR,
};
use crate::search::slots::SlotTable;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

impl SearchIndex {
    /// Every derived structure and file from the sheets' docs.
    pub(super) fn rebuild_all(&mut self) {
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
    pub(super) fn update(&mut self) {
        let limit = common_limit(self.docs);
        if limit != self.limit {
            // Trimming can change only for terms that are common under one limit and not
            // the other, or very common under either (how many code postings those keep
            // follows the limit); common-only under both, a term just loses its prose.
            let (lo, hi) = (limit.min(self.limit), limit.max(self.limit));
            let can_change = |n: usize| (n > lo && n <= hi) || n > lo * VERY_COMMON_FACTOR;
            for term in &self.common {
                if self
                    .terms
                    .get(term)
                    .is_some_and(|t| can_change(t.list.len()))
                {
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
        if let Some(prev) = before.and_then(|f| self.chunks.start_before(&f).map(str::to_string)) {
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
                if !old_name.is_empty() {
                    self.out.mark_stale(format!("search/t/{old_name}.gz"));
                }
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
        // The key's chars: when complete (two letters or digits, or four chars) every term
        // starting with them has this key; otherwise the key ended with the term, its only one.
        let parts = key.split('-').count();
        let prefix: String = term.chars().take(parts).collect();
        let complete = parts == 4 || prefix.chars().filter(|c| c.is_alphanumeric()).count() >= 2;
        let mut text = String::new();
        let mut prev = "";
        let mut shard: Option<&str> = None;
        // The shard of the current term and the start of the next one.
        let (mut start, mut next): (Option<&str>, Option<&str>) = (None, None);
        for (t, _) in self
            .terms
            .range::<str, _>((Bound::Included(prefix.as_str()), Bound::Unbounded))
            .take_while(|(t, _)| {
                if complete {
                    t.starts_with(prefix.as_str())
                } else {
                    **t == prefix
                }
            })
        {
            if start.is_none() || next.is_some_and(|n| n <= t.as_str()) {
                start = self.chunks.start_of(t);
                next = start.and_then(|s| self.chunks.next_start(s));
            }
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
