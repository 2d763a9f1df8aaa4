//! `SearchIndex` against a clean build: random add/replace/remove sequences end in the
//! same bytes, reported changes replay to the same files, and one sheet's edit leaves the
//! other sheets' doc ids and files alone.

use super::*;
use crate::search::docs::SearchEntry;
use crate::search::format::{F_CARD, F_CODE, F_PROSE};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Terms sharing starts and dictionary keys (`a…`, `ab…`, `--…`, non-ASCII, a bare `a`).
fn vocab(i: usize) -> String {
    const STARTS: [&str; 8] = ["a", "ab", "abc", "--no", "é", "x_", "zz", "q"];
    let start = STARTS[i % STARTS.len()];
    match i / STARTS.len() {
        0 => start.to_string(),
        n => format!("{start}{n}"),
    }
}
const VOCAB: usize = 240;

fn entry(sheet: usize, i: usize, salt: u8) -> SearchEntry {
    SearchEntry {
        sheet: format!("Sheet {sheet}"),
        card: format!("Card {i} {salt}"),
        url: format!("/s{sheet}/#c{i}"),
        category: String::new(),
        tags: "t".into(),
        lang: "sh".into(),
        code: "x".repeat(usize::from(salt % 4)),
        cut: false,
        excerpt: format!("e{salt}"),
    }
}

/// Docs of sheet `sheet`: `n` entries; `posts` put vocabulary terms in entries; every
/// entry also has `common` (so more than 500 docs make it a trimmed common term).
fn docs(sheet: usize, n: usize, posts: &[(usize, usize, u8)], salt: u8) -> SheetDocs {
    let mut terms: BTreeMap<String, BTreeMap<u32, u8>> = BTreeMap::new();
    for &(t, e, bit) in posts {
        if e < n {
            *terms
                .entry(vocab(t))
                .or_default()
                .entry(e as u32)
                .or_default() |= 1 << bit;
        }
    }
    for e in 0..n {
        let mask = [F_PROSE, F_CODE, F_CARD][(e + usize::from(salt)) % 3];
        terms
            .entry("common".into())
            .or_default()
            .insert(e as u32, mask);
    }
    SheetDocs {
        entries: (0..n).map(|i| entry(sheet, i, salt)).collect(),
        terms: terms
            .into_iter()
            .map(|(t, l)| (t, l.into_iter().collect()))
            .collect(),
    }
}

fn docs_strategy(sheet: usize) -> impl Strategy<Value = SheetDocs> {
    (
        0usize..40,
        prop::collection::vec((0..VOCAB, 0usize..40, 0u8..6), 0..120),
        any::<u8>(),
    )
        .prop_map(move |(n, posts, salt)| docs(sheet, n, &posts, salt))
}

fn op_strategy() -> impl Strategy<Value = (usize, Option<SheetDocs>, bool)> {
    (0usize..40).prop_flat_map(|key| {
        (
            Just(key),
            prop::option::weighted(0.75, docs_strategy(key)),
            any::<bool>(),
        )
    })
}

fn key(i: usize) -> String {
    format!("/s{i}/")
}

fn clean(sheets: &BTreeMap<String, SheetDocs>) -> FileMap {
    let mut index = SearchIndex::new();
    // Another order than the updates': the result must not depend on it.
    for (k, d) in sheets.iter().rev() {
        index.set_sheet(k, Some(d.clone()));
    }
    index.files().clone()
}

/// Paths whose bytes differ between two file maps (or that only one has).
fn differing(a: &FileMap, b: &FileMap) -> Vec<String> {
    let paths: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    paths
        .into_iter()
        .filter(|p| a.get(*p) != b.get(*p))
        .map(|p| {
            let text = |m: &FileMap| {
                m.get(p).map(|b| {
                    String::from_utf8_lossy(&crate::search::format::gunzip(b).unwrap_or_default())
                        .into_owned()
                })
            };
            format!("{p}: {:?} vs {:?}", text(a), text(b))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Any sequence of updates (with `files` called after some of them) ends in the bytes
    /// of a clean build of the final set, and replaying the reported changes onto a copy
    /// gives the same files.
    #[test]
    fn updates_equal_a_clean_build(
        start in prop::collection::vec(docs_strategy(0), 0..12),
        ops in prop::collection::vec(op_strategy(), 1..30),
    ) {
        let mut sheets: BTreeMap<String, SheetDocs> = BTreeMap::new();
        let mut index = SearchIndex::new();
        for (i, d) in start.into_iter().enumerate() {
            sheets.insert(key(i * 3), d.clone());
            index.set_sheet(&key(i * 3), Some(d));
        }
        let mut mirror: FileMap = index.files().clone();
        index.take_changes();
        for (k, d, flush) in ops {
            let others: Vec<(String, Option<u32>)> = sheets
                .keys()
                .filter(|o| **o != key(k))
                .map(|o| (o.clone(), index.doc_id(o, 0)))
                .collect();
            let replace = sheets.contains_key(&key(k)) && d.is_some();
            match &d {
                Some(d) => sheets.insert(key(k), d.clone()),
                None => sheets.remove(&key(k)),
            };
            index.set_sheet(&key(k), d);
            if replace {
                for (o, id) in &others {
                    prop_assert_eq!(index.doc_id(o, 0), *id, "{} moved", o);
                }
            }
            if flush {
                let files = index.files().clone();
                let changes = index.take_changes();
                for p in &changes.removed {
                    mirror.remove(p);
                }
                for p in &changes.written {
                    mirror.insert(p.clone(), files[p].clone());
                }
                let diff = differing(&mirror, &files);
                prop_assert!(diff.is_empty(), "replayed changes differ: {:?}", diff);
            }
        }
        let files = index.files().clone();
        let diff = differing(&files, &clean(&sheets));
        prop_assert!(diff.is_empty(), "differs from a clean build: {:?}", diff);
    }
}

#[test]
fn a_changing_common_limit_retrims_only_what_it_must_and_matches_a_clean_build() {
    // Over 10,000 docs the common limit grows with the doc count (one step per 20 docs):
    // adding and removing sheets moves it both ways.
    let big = |i: usize, n: usize| {
        let posts: Vec<(usize, usize, u8)> = (0..n).map(|e| (e % 7, e, (e % 6) as u8)).collect();
        let mut d = docs(i, n, &posts, i as u8);
        // 4 × 132 = 528 docs: common while the limit is 520, not at 535.
        if i < 4 {
            let edge = (0..n.min(132) as u32)
                .map(|e| (e, F_PROSE | F_CODE))
                .collect();
            d.terms.push(("edge".into(), edge));
        }
        // Very common with few names: how many code postings it keeps follows the limit
        // (only in sheets the updates below leave alone, but for one).
        if i < 4 {
            let codey = (0..n as u32)
                .map(|e| (e, if e < 10 { F_CARD } else { F_CODE }))
                .collect();
            d.terms.push(("codey".into(), codey));
        }
        d
    };
    let mut sheets: BTreeMap<String, SheetDocs> = BTreeMap::new();
    let mut index = SearchIndex::new();
    for i in 0..4 {
        let d = big(i, 2_600);
        sheets.insert(key(i), d.clone());
        index.set_sheet(&key(i), Some(d));
    }
    index.files();
    for (i, n) in [
        (10, 300),
        (11, 1_000),
        (10, 40),
        (11, 0),
        (2, 1_900),
        (12, 4),
    ] {
        let d = (n > 0).then(|| big(i, n));
        match &d {
            Some(d) => sheets.insert(key(i), d.clone()),
            None => sheets.remove(&key(i)),
        };
        index.set_sheet(&key(i), d);
        let files = index.files().clone();
        assert_eq!(files, clean(&sheets), "after setting {i} to {n} entries");
    }
}

/// Docs shaped like a real sheet: 8 cards, words shared across sheets and words of its own.
fn realistic(sheet: usize, extra: usize) -> SheetDocs {
    let posts: Vec<(usize, usize, u8)> = (0..8 + extra)
        .flat_map(|e| {
            (0..12).map(move |w| ((sheet * 7 + e * 13 + w * 31) % VOCAB, e, (w % 6) as u8))
        })
        .collect();
    let mut d = docs(sheet, 8 + extra, &posts, sheet as u8);
    for (e, entry) in d.entries.iter_mut().enumerate() {
        entry.excerpt = format!("own{sheet}x{e}");
    }
    d.terms.push((format!("zzown{sheet}"), vec![(0, F_CARD)]));
    d
}

#[test]
fn one_sheet_edit_touches_few_files_and_no_other_ids() {
    let mut index = SearchIndex::new();
    for i in 0..300 {
        index.set_sheet(&key(i), Some(realistic(i, 0)));
    }
    let total = index.files().len();
    index.take_changes();
    let ids: Vec<Option<u32>> = (0..300).map(|i| index.doc_id(&key(i), 3)).collect();
    // Sheet 7 gains two cards (every later doc id moved in the old design) and a new word.
    let mut edited = realistic(7, 2);
    edited
        .terms
        .push(("brandnewword".into(), vec![(9, F_CODE)]));
    index.set_sheet(&key(7), Some(edited));
    index.files();
    let changes = index.take_changes();
    assert!(
        changes.len() <= 40,
        "{} of {total} files changed: {changes:?}",
        changes.len()
    );
    assert!(total > 1_000, "{total}");
    let after: Vec<Option<u32>> = (0..300).map(|i| index.doc_id(&key(i), 3)).collect();
    assert_eq!(ids, after);
    // Doc shards of other sheets are untouched.
    let slot7 = index
        .doc_id(&key(7), 0)
        .map(|d| d >> crate::search::format::CARD_BITS);
    for p in changes
        .written
        .iter()
        .filter(|p| p.starts_with("search/d/"))
    {
        assert!(
            p.starts_with(&format!("search/d/{}-", slot7.unwrap())),
            "{p}"
        );
    }
}
