//! The one-shot `build`'s way through the stages (`ARCHITECTURE.md`, "Streaming output"):
//! the stages of `Engine::site_stage`, but every file goes to the output's `StagedSink` as
//! soon as it exists and nothing is kept for a next build, so the whole output is never in
//! memory at once:
//! - the highlighter (grammars, and its cache of every highlighted block) goes once every
//!   note is rendered;
//! - the per-note renders' card HTML moves into the model (`site::assemble_owned`) instead
//!   of being copied, and the renders go as soon as the site passes have run;
//! - the files besides the pages (search index, assets, feeds, redirects) are put, then
//!   dropped, before any page is rendered;
//! - pages are rendered in parallel and each is put as soon as it is rendered
//!   (`render::pages::stream_pages`).
//!
//! The paths and bytes equal those of the plan `site_stage` makes (tests:
//! `build_site::a_streamed_build_equals_the_engines_plan`): the same path gates run first,
//! on the paths alone.

use super::engine::{site_context, Engine};
use super::timings::Timings;
use super::BuildReport;
use crate::diagnostics::{Diagnostic, Pos};
use crate::error::Result;
use crate::note::highlight::Highlighter;
use crate::note::source::SourceTree;
use crate::note::RenderedNote;
use crate::output::site_path::remove_unsafe;
use crate::output::StagedSink;
use crate::render::pages::{page_paths, stream_pages};
use crate::site;
use rayon::prelude::*;
use std::collections::HashSet;
use std::sync::Arc;

impl Engine {
    /// Renders every note of `tree` (the walk of `content/`) and streams the whole site into
    /// `sink`; the engine is used up (it keeps nothing for a next build).
    pub fn stream_all(mut self, tree: SourceTree, sink: &StagedSink) -> Result<BuildReport> {
        let started = std::time::Instant::now();
        let mut timings = Timings::new(self.opts.timings);
        self.render_tree(tree);
        timings.lap("render notes");
        self.store_cache(true);
        let cache_warnings = self.take_cache_warnings();
        // Every note is rendered: the highlighter's grammars and its cache of every
        // highlighted block (as large as the code of the whole site) are not needed again.
        self.hl = Arc::new(Highlighter::new());
        let asset_set = self.asset_set();
        // The renders are this build's alone (nothing else holds them): their card HTML
        // moves into the pages rather than being copied, and they go after the site passes.
        let mut notes: Vec<RenderedNote> = std::mem::take(&mut self.notes)
            .into_values()
            .map(|n| Arc::try_unwrap(n).unwrap_or_else(|shared| (*shared).clone()))
            .collect();
        let base_path = &self.inputs.site_url.base_path;
        let model = site::assemble_owned(&mut notes, &asset_set, base_path, self.opts.drafts);
        let mut diags = self.diagnostics(&model);
        diags.extend(notes.iter().flat_map(|n| n.diagnostics.iter().cloned()));
        drop(notes);
        timings.lap("site passes");

        let assets = self.theme_assets()?;
        let mut pages = page_paths(&model);
        let all_sheets: Vec<usize> = (0..model.sheets.len()).collect();
        let mut other = self.other_files(
            &model,
            &assets,
            &all_sheets,
            &|p| pages.contains_key(p),
            &mut diags,
            &mut timings,
        );
        // The last gate: nothing outside the output directory is ever written.
        let out = &self.inputs.output_dir;
        let mut unsafe_paths = remove_unsafe(&mut pages, out);
        unsafe_paths.extend(remove_unsafe(&mut other, out));
        for e in unsafe_paths {
            diags.push(Diagnostic::error(
                &e.path,
                Pos::FILE,
                "unsafe-path",
                format!("{e}; not written"),
            ));
        }
        // A file besides the pages wins over a page at its path (it comes later in a plan).
        other.par_iter().try_for_each(|(rel, f)| sink.put(rel, f))?;
        let taken: HashSet<String> = other.into_keys().collect();
        timings.lap("other files");

        let site_ctx = site_context(&self.inputs, &assets, &model);
        stream_pages(
            &model,
            &self.inputs.templates,
            &site_ctx,
            &|p| pages.contains_key(p) && !taken.contains(p),
            &|rel, file| sink.put(rel, &file),
        )?;
        timings.lap("templates");
        Ok(self.report(&model, diags, started, cache_warnings))
    }
}
