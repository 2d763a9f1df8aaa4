//! `Engine::apply`: a batch of changed paths from `serve`'s watcher, classified
//! (`build::change`), probed one by one, then the body-only path (`build::fast`) or the
//! site passes; and the bookkeeping of which output paths changed since the last commit.

use super::Engine;
use super::Update;
use crate::build::change;
use crate::build::inputs::Inputs;
use crate::build::timings::Timings;
use crate::error::Result;
use crate::note::source::{self, Probe};
use crate::output::{OutputFile, OutputPlan};
use std::path::PathBuf;
use std::sync::Arc;

impl Engine {
    /// Applies a batch of changed paths (absolute, from the watcher).
    pub fn apply(&mut self, paths: &[PathBuf]) -> Result<Update> {
        let started = std::time::Instant::now();
        let changes = change::classify(&self.opts.root, paths);
        let mut update = Update::default();
        let mut rescan = changes.rescan || self.site.is_none();
        if changes.config || changes.theme {
            let inputs = Inputs::load(&self.opts)?;
            if inputs.fingerprint != self.inputs.fingerprint {
                // Note renders depend on the config (markdown and highlight settings), never
                // on the theme; pages and the index on both.
                if changes.config {
                    self.notes.clear();
                }
                self.pages.sheets.clear();
                self.pages.tags.clear();
                self.search.clear();
                self.assets = None;
            }
            self.inputs = inputs;
            // Ignore globs, symlink policy or output folder may differ.
            rescan |= changes.config;
        }
        let mut edited = Vec::new();
        if !rescan {
            for rel in &changes.content {
                match source::probe(&self.opts.root, rel, &self.inputs.ignore) {
                    Probe::Note(Ok(src)) => {
                        let (note, fresh) = self.render(src);
                        update.rendered += usize::from(fresh);
                        match note {
                            Ok(n) => {
                                self.failed.remove(rel);
                                edited.push((rel.clone(), self.notes.insert(rel.clone(), n)));
                            }
                            Err(d) => {
                                self.notes.remove(rel);
                                self.failed.insert(rel.clone(), d);
                                edited.push((rel.clone(), None));
                            }
                        }
                    }
                    Probe::Note(Err(d)) => {
                        self.notes.remove(rel);
                        self.failed.insert(rel.clone(), d);
                        edited.push((rel.clone(), None));
                    }
                    Probe::Asset(a) => {
                        self.content_assets.insert(rel.clone(), a);
                        self.assets_changed = true;
                        edited.push((rel.clone(), None));
                    }
                    Probe::Absent if self.has_under(rel) => rescan = true,
                    Probe::Absent => {
                        let gone = self.notes.remove(rel).is_some()
                            | self.failed.remove(rel).is_some()
                            | self.content_assets.remove(rel).is_some();
                        if gone {
                            edited.push((rel.clone(), None));
                        }
                    }
                    Probe::Rescan => rescan = true,
                }
                if rescan {
                    break;
                }
            }
        }
        update.changes = changes;
        let mut timings = Timings::new(self.opts.timings);
        timings.lap_since(started, "read and render changed notes");
        if rescan {
            let before = self.notes.clone();
            self.scan()?;
            update.rendered = self
                .notes
                .iter()
                .filter(|(k, n)| !before.get(*k).is_some_and(|b| Arc::ptr_eq(b, n)))
                .count();
            self.assets_changed = true;
        } else if !update.changes.config && !update.changes.theme && !edited.is_empty() {
            if crate::build::fast::body_only(self, &edited)? {
                update.fast = true;
                return Ok(update);
            }
        } else if edited.is_empty() && !update.changes.config && !update.changes.theme {
            return Ok(update);
        }
        self.site_stage(&mut timings)?;
        Ok(update)
    }

    /// Whether a note or asset lies under folder `rel` (it was removed or renamed).
    fn has_under(&self, rel: &str) -> bool {
        let prefix = format!("{rel}/");
        let under = |k: &String| k.starts_with(&prefix);
        self.notes.keys().any(under)
            || self.failed.keys().any(under)
            || self.content_assets.keys().any(under)
    }

    /// Adds the paths whose files differ between `old` and `new` to `pending`.
    pub(super) fn note_changes(&mut self, old: &OutputPlan, new: &OutputPlan) {
        let assets_changed = self.assets_changed;
        let differs = |a: &OutputFile, b: &OutputFile| match (a, b) {
            (OutputFile::Shared(x), OutputFile::Shared(y)) => !Arc::ptr_eq(x, y) && x != y,
            (OutputFile::Bytes(x), OutputFile::Bytes(y)) => x != y,
            (OutputFile::Copy(x), OutputFile::Copy(y)) => assets_changed || x != y,
            _ => true,
        };
        for (path, file) in new {
            if old.get(path).is_none_or(|o| differs(o, file)) {
                self.pending.insert(path.clone());
            }
        }
        for path in old.keys() {
            if !new.contains_key(path) {
                self.pending.insert(path.clone());
            }
        }
    }
}
