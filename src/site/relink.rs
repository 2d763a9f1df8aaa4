//! The link pass for one note at a time (the engine's body-only path), against link targets
//! kept from the last full pass.
//!
//! Building `LinkTargets` walks every note (names, paths, anchors): too slow to redo per
//! keystroke at 10k notes. A `LinkIndex` keeps the included notes (`Arc`s) and the targets
//! borrowed from them in one value (`self_cell`). It stays valid for an edit that keeps the
//! note's *header* (URL, title, aliases, anchors): the only thing targets read from notes.

use super::model::{OutLink, Relinked};
use super::{included, link_targets, resolve_sheet, section_dirs};
use crate::note::RenderedNote;
use crate::site::links::LinkTargets;
use self_cell::self_cell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

struct Snapshot {
    /// The notes that get pages, in link-index order.
    notes: Vec<Arc<RenderedNote>>,
    index: HashMap<String, usize>,
    sections: BTreeSet<String>,
    assets: HashSet<String>,
    base_path: String,
}

self_cell!(
    struct Cell {
        owner: Snapshot,
        #[covariant]
        dependent: LinkTargets,
    }
);

pub struct LinkIndex(Cell);

impl LinkIndex {
    /// `notes` sorted by path, as `assemble` gets them.
    pub fn new(
        notes: &[Arc<RenderedNote>],
        assets: HashSet<String>,
        base_path: &str,
        drafts: bool,
    ) -> LinkIndex {
        let refs: Vec<&RenderedNote> = notes.iter().map(|n| n.as_ref()).collect();
        let kept: HashSet<*const RenderedNote> = included(&refs, drafts, &mut Vec::new())
            .into_iter()
            .map(|n| n as *const RenderedNote)
            .collect();
        let notes: Vec<Arc<RenderedNote>> = notes
            .iter()
            .filter(|n| kept.contains(&Arc::as_ptr(n)))
            .cloned()
            .collect();
        let refs: Vec<&RenderedNote> = notes.iter().map(|n| n.as_ref()).collect();
        let sections = section_dirs(&refs);
        let index = notes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.rel_path.clone(), i))
            .collect();
        let snapshot = Snapshot {
            notes,
            index,
            sections,
            assets,
            base_path: base_path.to_string(),
        };
        LinkIndex(Cell::new(snapshot, |s| {
            let refs: Vec<&RenderedNote> = s.notes.iter().map(|n| n.as_ref()).collect();
            link_targets(&refs, &s.sections, &s.assets, &s.base_path)
        }))
    }

    /// The link pass for `note` (same header as when the index was made): its sheet with
    /// links resolved, its link diagnostics, where its links lead. `None` when the note
    /// has no page of its own (draft, duplicate URL).
    pub fn relink(&self, note: &RenderedNote) -> Option<Relinked> {
        let snapshot = self.0.borrow_owner();
        let i = *snapshot.index.get(&note.rel_path)?;
        let targets = self.0.borrow_dependent();
        let mut diagnostics = Vec::new();
        let mut resolved = Vec::new();
        let replacements = targets.replacements(i, &note.links, &mut diagnostics, &mut resolved);
        // Where links lead is named by path; the edited note stands in for its old self.
        let refs: Vec<&RenderedNote> = snapshot
            .notes
            .iter()
            .enumerate()
            .map(|(j, n)| if j == i { note } else { n.as_ref() })
            .collect();
        Some(Relinked {
            sheet: resolve_sheet(note.sheet.clone(), &replacements),
            diagnostics,
            outbound: resolved.iter().map(|l| OutLink::new(&refs, l)).collect(),
        })
    }
}
