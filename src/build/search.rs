//! The engine's search stage: keeps the incremental `search::SearchIndex` between builds
//! and feeds it the sheets whose page model changed; a one-shot build makes it afresh.

use crate::output::OutputFile;
use crate::search::{sheet_docs, sheet_keys, SearchIndex};
use crate::site::SiteModel;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct SearchState {
    /// Keep the index between calls (`serve`).
    keep: bool,
    index: SearchIndex,
    /// Keys of the sheets in the index.
    present: BTreeSet<String>,
    /// `search::sheet_keys` of the last model, by sheet index.
    keys: Vec<String>,
}

impl SearchState {
    pub fn new(keep: bool) -> Self {
        SearchState {
            keep,
            index: SearchIndex::new(),
            present: BTreeSet::new(),
            keys: Vec::new(),
        }
    }

    /// Forgets everything (the theme or config changed).
    pub fn clear(&mut self) {
        self.index = SearchIndex::new();
        self.present.clear();
        self.keys.clear();
    }

    /// Every index file for `model`; `fresh` are the sheets (indices into `model.sheets`)
    /// whose page model changed since the last call (all of them on a first call).
    pub fn update(&mut self, model: &SiteModel, fresh: &[usize]) -> Vec<(String, OutputFile)> {
        self.set_sheets(model, fresh, false);
        let files = self
            .index
            .files()
            .iter()
            .map(|(p, b)| (p.clone(), OutputFile::Shared(Arc::clone(b))))
            .collect();
        self.index.take_changes();
        files
    }

    /// `update` for the body-only path (same sheets at the same URLs), returning only the
    /// files written and the paths removed.
    pub fn update_changed(
        &mut self,
        model: &SiteModel,
        fresh: &[usize],
    ) -> (Vec<(String, OutputFile)>, Vec<String>) {
        self.set_sheets(model, fresh, true);
        self.index.files();
        let changes = self.index.take_changes();
        let files = self.index.files();
        let written = changes
            .written
            .into_iter()
            .filter_map(|p| {
                let b = files.get(&p)?;
                Some((p, OutputFile::Shared(Arc::clone(b))))
            })
            .collect();
        (written, changes.removed)
    }

    /// `same_sheets`: the model has the same sheets at the same URLs as last time (the
    /// body-only path), so no key can have appeared or gone.
    fn set_sheets(&mut self, model: &SiteModel, fresh: &[usize], same_sheets: bool) {
        if !self.keep {
            self.clear();
        }
        let first = self.keys.is_empty();
        if first || !same_sheets {
            self.keys = sheet_keys(&model.sheets);
        }
        let todo: Vec<usize> = if first {
            (0..model.sheets.len()).collect()
        } else {
            fresh.to_vec()
        };
        let docs: Vec<_> = todo
            .par_iter()
            .map(|&i| sheet_docs(&model.sheets[i]))
            .collect();
        for (&i, d) in todo.iter().zip(docs) {
            self.index.set_sheet(&self.keys[i], Some(d));
        }
        if !same_sheets {
            let now: BTreeSet<String> = self.keys.iter().cloned().collect();
            for gone in self.present.difference(&now) {
                self.index.set_sheet(gone, None);
            }
            self.present = now;
        }
    }
}
