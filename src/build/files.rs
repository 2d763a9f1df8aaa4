//! What a build makes besides pages, shared by the engine's `site_stage` (a plan kept in
//! memory) and the one-shot `stream_all` (`stream.rs`): the other output files in the
//! order a plan takes them, and the diagnostics of the note stage and the site passes.

use super::engine::{reserved_url_conflicts, Engine};
use super::timings::Timings;
use crate::diagnostics::{Diagnostic, Pos};
use crate::note::source;
use crate::output::{OutputFile, OutputPlan};
use crate::render::templates::Assets;
use crate::site::SiteModel;
use std::collections::HashSet;

impl Engine {
    /// Every diagnostic but those of writing: the walk's, failed notes', each note's, the
    /// site passes', reserved URLs.
    pub(super) fn diagnostics(&self, model: &SiteModel) -> Vec<Diagnostic> {
        let mut diags: Vec<Diagnostic> = self.scan_diagnostics.clone();
        diags.extend(self.failed.values().cloned());
        for n in self.notes.values() {
            diags.extend(n.diagnostics.iter().cloned());
        }
        diags.extend(model.diagnostics.iter().cloned());
        diags.extend(reserved_url_conflicts(model, &self.opts.root));
        diags
    }

    /// The files besides the pages, in the order a plan takes them (a later one wins): the
    /// search index (`fresh`: sheets whose page model changed), theme assets, `.nojekyll`,
    /// feeds, redirects, then content assets, which never replace a generated file
    /// (`generated`: a page's path).
    pub(super) fn other_files(
        &mut self,
        model: &SiteModel,
        assets: &Assets,
        fresh: &[usize],
        generated: &dyn Fn(&str) -> bool,
        diags: &mut Vec<Diagnostic>,
        timings: &mut Timings,
    ) -> OutputPlan {
        let mut plan = OutputPlan::new();
        if self.want.search {
            for (path, bytes) in self.search.update(model, fresh) {
                plan.insert(path, bytes);
            }
            timings.lap("search index");
        }
        let asset_set: HashSet<String> = self.asset_set();
        for (path, bytes) in &assets.files {
            plan.insert(path.clone(), OutputFile::Bytes(bytes.clone()));
        }
        plan.insert(".nojekyll".into(), OutputFile::Bytes(Vec::new()));
        let inputs = &self.inputs;
        for (path, bytes) in crate::render::feeds::files(model, &inputs.site_url, &inputs.config) {
            // A site's own `content/robots.txt` or `content/CNAME` wins over the generated one.
            if !asset_set.contains(&path) {
                plan.insert(path, OutputFile::Bytes(bytes));
            }
        }
        for (path, bytes) in crate::site::redirects::files(model) {
            plan.insert(path, OutputFile::Bytes(bytes));
        }
        for a in self.content_assets.values() {
            if plan.contains_key(&a.rel_path) || generated(&a.rel_path) {
                diags.push(Diagnostic::warning(
                    &source::display_path(&self.opts.root, &a.rel_path),
                    Pos::FILE,
                    "output-conflict",
                    format!("not copied: {} is a generated file", a.rel_path),
                ));
                continue;
            }
            plan.insert(a.rel_path.clone(), OutputFile::Copy(a.abs_path.clone()));
        }
        plan
    }
}
