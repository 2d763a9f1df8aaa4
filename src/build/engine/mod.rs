//! The site engine: the one owner of the stage order (`ARCHITECTURE.md`, "The engine").
//! `build`, `check`, `query` and `serve` all drive an `Engine`; nothing else sequences
//! stages.
//!
//! It keeps each stage's output keyed by note — per-note renders by content hash, rendered
//! pages by their page model, search entries by sheet — so `apply` (a batch of changed
//! paths from `serve`'s watcher) redoes only what the change reaches:
//! - a body-only edit of a sheet (its *header* — URL, title, card ids and titles, front
//!   matter — and the targets of its links unchanged) re-renders that note, re-resolves its
//!   links, and replaces its page and its search entries (`fast`);
//! - anything else (a header change, a note added, removed or renamed, an asset, the
//!   config or the theme) reruns the site passes over the cached renders, re-renders only
//!   pages whose model changed, and updates the search index by sheet.
//!
//! Either way the files equal a clean build's byte for byte (tests: `engine_props`).

mod apply;

use super::change::ChangeSet;
use super::inputs::Inputs;
use super::progress::Progress;
use super::timings::Timings;
use super::{BuildOptions, BuildReport};
use crate::diagnostics::{Diagnostic, Pos};
use crate::error::Result;
use crate::note::highlight::Highlighter;
use crate::note::source::{self, AssetSource, NoteSource};
use crate::note::{render_note, RenderedNote};
use crate::output::OutputPlan;
use crate::render::pages::{render_pages, PageCaches, SiteContext};
use crate::render::templates::Assets;
use crate::site::{self, SiteModel};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Which outputs a command needs: `check` needs neither pages nor search (only the paths
/// pages would take, to report conflicts), `query` only the search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    pub pages: bool,
    pub search: bool,
}

impl Want {
    pub const SITE: Want = Want {
        pages: true,
        search: true,
    };
    pub const CHECK: Want = Want {
        pages: false,
        search: false,
    };
    pub const SEARCH: Want = Want {
        pages: false,
        search: true,
    };
}

/// The site as last computed: the model, every output file, the diagnostics.
pub struct Site {
    pub model: SiteModel,
    pub files: OutputPlan,
    pub report: BuildReport,
}

/// What one `apply` did.
#[derive(Debug, Default)]
pub struct Update {
    pub changes: ChangeSet,
    /// Notes rendered afresh.
    pub rendered: usize,
    /// True when the body-only path was taken.
    pub fast: bool,
}

pub struct Engine {
    pub(super) opts: BuildOptions,
    pub(super) want: Want,
    pub(super) hl: Arc<Highlighter>,
    pub(super) inputs: Inputs,
    /// Theme static files and `syntax.css` with their hashed URLs (per `inputs`).
    assets: Option<Assets>,
    pub(super) notes: BTreeMap<String, Arc<RenderedNote>>,
    /// Notes that could not be rendered (bad front matter, not UTF-8): their diagnostic.
    pub(super) failed: BTreeMap<String, Diagnostic>,
    pub(super) content_assets: BTreeMap<String, AssetSource>,
    pub(super) scan_diagnostics: Vec<Diagnostic>,
    pages: PageCaches,
    pub(super) search: super::search::SearchState,
    site: Option<Site>,
    /// Link targets of the last full pass, for the body-only path (`serve` only).
    links: Option<crate::site::LinkIndex>,
    /// The persisted cache (`.cheatgen-cache/`), when used, and what was loaded from it.
    persisted: Option<(super::cache::PersistedCache, super::cache::Loaded)>,
    /// Notes rendered afresh (not from a cache) by the last walk of `content/`.
    rendered: usize,
    /// Problems with the persisted cache, one line each (never a failed build).
    pub(super) cache_warnings: Vec<String>,
    /// Output paths whose bytes changed since the caller last `commit`ted.
    pending: BTreeSet<String>,
    /// Content assets changed since the last commit (their `Copy` entry looks the same).
    assets_changed: bool,
}

impl Engine {
    /// Loads the config and theme. `keep` keeps rendered pages between builds (`serve`).
    pub fn new(opts: &BuildOptions, want: Want, keep: bool) -> Result<Engine> {
        Engine::with_highlighter(opts, want, keep, Arc::new(Highlighter::new()))
    }

    /// `new`, sharing a highlighter (its grammars load once; its cache is by code).
    pub fn with_highlighter(
        opts: &BuildOptions,
        want: Want,
        keep: bool,
        hl: Arc<Highlighter>,
    ) -> Result<Engine> {
        Ok(Engine::with_parts(
            opts,
            Inputs::load(opts)?,
            want,
            keep,
            hl,
        ))
    }

    /// `new`, with the config and theme already loaded.
    pub(super) fn with_inputs(
        opts: &BuildOptions,
        inputs: Inputs,
        want: Want,
        keep: bool,
    ) -> Engine {
        Engine::with_parts(opts, inputs, want, keep, Arc::new(Highlighter::new()))
    }

    fn with_parts(
        opts: &BuildOptions,
        inputs: Inputs,
        want: Want,
        keep: bool,
        hl: Arc<Highlighter>,
    ) -> Engine {
        let mut notes = BTreeMap::new();
        let mut cache_warnings = Vec::new();
        let persisted = super::cache::load(opts, &inputs, &mut notes, &hl, &mut cache_warnings);
        Engine {
            opts: opts.clone(),
            want,
            hl,
            inputs,
            assets: None,
            notes,
            failed: BTreeMap::new(),
            content_assets: BTreeMap::new(),
            scan_diagnostics: Vec::new(),
            pages: PageCaches {
                keep,
                ..PageCaches::default()
            },
            search: super::search::SearchState::new(keep),
            site: None,
            links: None,
            persisted,
            rendered: 0,
            cache_warnings,
            pending: BTreeSet::new(),
            assets_changed: false,
        }
    }

    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    pub fn output_dir(&self) -> &Path {
        &self.inputs.output_dir
    }

    /// The site as last computed (after `build_all`).
    pub fn site(&self) -> Option<&Site> {
        self.site.as_ref()
    }

    pub fn into_site(self) -> Option<Site> {
        self.site
    }

    /// Output paths changed (written or gone) since the last `commit`.
    pub fn pending(&self) -> &BTreeSet<String> {
        &self.pending
    }

    /// The caller wrote `pending()` to the output: forget it.
    pub fn commit(&mut self) {
        self.pending.clear();
        self.assets_changed = false;
    }

    /// Walks `content/`, renders every note not cached, runs every site pass.
    pub fn build_all(&mut self) -> Result<&Site> {
        let mut timings = Timings::new(self.opts.timings);
        self.scan()?;
        timings.lap("render notes");
        self.site_stage(&mut timings)?;
        Ok(self.site.as_ref().expect("site_stage sets the site"))
    }

    /// A note's render, reused when its bytes are unchanged; true when rendered afresh.
    fn render(
        &self,
        src: NoteSource,
    ) -> (std::result::Result<Arc<RenderedNote>, Diagnostic>, bool) {
        match self.notes.get(&src.rel_path) {
            // The display path too: a cache written with `--root` given otherwise would
            // print diagnostics under the old path.
            Some(c) if c.hash == src.hash && c.display_path == src.display_path => {
                (Ok(Arc::clone(c)), false)
            }
            _ => (
                render_note(&src, self.inputs.md_opts, &self.hl).map(Arc::new),
                true,
            ),
        }
    }

    /// Walks `content/` and renders every note whose bytes are not cached.
    fn scan(&mut self) -> Result<()> {
        let tree = source::scan(&self.opts.root, &self.inputs.ignore, &self.inputs.links)?;
        self.render_tree(tree);
        Ok(())
    }

    /// Renders every note of a walk of `content/` whose bytes are not cached.
    pub(super) fn render_tree(&mut self, tree: source::SourceTree) {
        let progress = Progress::start(self.opts.progress, tree.notes.len());
        let results: Vec<(
            String,
            std::result::Result<Arc<RenderedNote>, Diagnostic>,
            bool,
        )> = tree
            .notes
            .into_par_iter()
            .map(|n| {
                let rel = n.rel_path.clone();
                let (r, fresh) = self.render(n);
                progress.tick();
                (rel, r, fresh)
            })
            .collect();
        progress.finish();
        self.notes.clear();
        self.failed.clear();
        // Notes that failed to render are not counted: they are never cached.
        self.rendered = results.iter().filter(|r| r.2 && r.1.is_ok()).count();
        for (rel, r, _) in results {
            match r {
                Ok(n) => {
                    self.notes.insert(rel, n);
                }
                Err(d) => {
                    self.failed.insert(rel, d);
                }
            }
        }
        self.content_assets = tree
            .assets
            .into_iter()
            .map(|a| (a.rel_path.clone(), a))
            .collect();
        self.scan_diagnostics = tree.diagnostics;
    }

    /// The site passes over every cached render, then pages, search and the other files.
    fn site_stage(&mut self, timings: &mut Timings) -> Result<()> {
        let started = std::time::Instant::now();
        let asset_set: HashSet<String> = self.content_assets.keys().cloned().collect();
        let refs: Vec<&RenderedNote> = self.notes.values().map(|n| n.as_ref()).collect();
        let base_path = self.inputs.site_url.base_path.clone();
        let model = site::assemble(&refs, &asset_set, &base_path, self.opts.drafts);
        timings.lap("site passes");

        let assets = self.theme_assets()?;
        let site_ctx = site_context(&self.inputs, &assets, &model);
        let rendered = render_pages(
            &model,
            &self.inputs.templates,
            &site_ctx,
            &mut self.pages,
            !self.want.pages,
        )?;
        timings.lap("templates");
        let mut plan = rendered.plan;
        let mut diags = self.diagnostics(&model);
        let extra = self.other_files(
            &model,
            &assets,
            &rendered.fresh_sheets,
            &|p| plan.contains_key(p),
            &mut diags,
            timings,
        );
        plan.extend(extra);
        // The last gate: nothing outside the output directory is ever written.
        for e in crate::output::site_path::remove_unsafe(&mut plan, &self.inputs.output_dir) {
            diags.push(Diagnostic::error(
                &e.path,
                Pos::FILE,
                "unsafe-path",
                format!("{e}; not written"),
            ));
        }
        let cache_warnings = self.take_cache_warnings();
        let report = self.report(&model, diags, started, cache_warnings);
        if let Some(old) = self.site.take() {
            self.note_changes(&old.files, &plan);
        }
        self.links = None;
        if self.pages.keep {
            let notes: Vec<Arc<RenderedNote>> = self.notes.values().cloned().collect();
            self.links = Some(crate::site::LinkIndex::new(
                &notes,
                asset_set,
                &base_path,
                self.opts.drafts,
            ));
        }
        self.assets = Some(assets);
        self.site = Some(Site {
            model,
            files: plan,
            report,
        });
        Ok(())
    }

    /// The report of a build of `model` (diagnostics sorted, nothing written yet).
    pub(super) fn report(
        &self,
        model: &SiteModel,
        mut diagnostics: Vec<Diagnostic>,
        started: std::time::Instant,
        cache_warnings: Vec<String>,
    ) -> BuildReport {
        sort_diagnostics(&mut diagnostics);
        BuildReport {
            sheets: model.home.sheet_count,
            cards: model.home.card_count,
            diagnostics,
            output_dir: self.inputs.output_dir.clone(),
            write: Default::default(),
            elapsed: started.elapsed(),
            cache_warnings,
        }
    }

    /// Theme static files and the highlight stylesheet, made once per `inputs`.
    pub(super) fn theme_assets(&mut self) -> Result<Assets> {
        if let Some(a) = &self.assets {
            return Ok(a.clone());
        }
        let base = &self.inputs.site_url.base_path;
        let mut assets = Assets::default();
        for (name, bytes) in self.inputs.theme.static_files() {
            assets.add(name, bytes.to_vec(), base);
        }
        let hl = &self.inputs.config.highlight;
        let css = self.hl.theme_css(&hl.light_theme, &hl.dark_theme)?;
        assets.add("syntax.css", css.into_bytes(), base);
        Ok(assets)
    }

    /// Saves the per-note renders to the persisted cache (if used); with `if_changed`,
    /// only when this run rendered a note or lost one (a no-change build writes nothing).
    pub fn store_cache(&mut self, if_changed: bool) {
        let mut timings = Timings::new(self.opts.timings);
        let loaded = self.persisted.as_ref().map(|p| &p.1);
        timings.note(&super::cache::summary(
            &self.notes,
            self.rendered,
            &self.hl,
            loaded,
        ));
        let Some((cache, loaded)) = &self.persisted else {
            return;
        };
        if if_changed {
            cache.store_if_changed(
                &self.notes,
                self.rendered,
                &self.hl,
                loaded,
                &mut self.cache_warnings,
            );
        } else {
            cache.store(&self.notes, &self.hl, &mut self.cache_warnings);
        }
        timings.lap("cache store");
    }

    /// Cache problems since the last call, one line each.
    pub fn take_cache_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.cache_warnings)
    }

    /// Whether a persisted cache is in use.
    pub fn has_cache(&self) -> bool {
        self.persisted.is_some()
    }

    /// Paths of the content assets (link targets).
    pub(super) fn asset_set(&self) -> HashSet<String> {
        self.content_assets.keys().cloned().collect()
    }

    /// The link targets of the last full pass (made now if not kept).
    pub(super) fn ensure_links(&mut self) {
        if self.links.is_none() {
            let notes: Vec<Arc<RenderedNote>> = self.notes.values().cloned().collect();
            let assets = self.content_assets.keys().cloned().collect();
            let base = &self.inputs.site_url.base_path;
            self.links = Some(crate::site::LinkIndex::new(
                &notes,
                assets,
                base,
                self.opts.drafts,
            ));
        }
    }

    // The body-only path (`fast.rs`) works on the engine's parts.
    pub(super) fn parts(&mut self) -> EngineParts<'_> {
        EngineParts {
            opts: &self.opts,
            want: self.want,
            inputs: &self.inputs,
            assets: self.assets.as_ref(),
            notes: &self.notes,
            links: self.links.as_ref(),
            pages: &mut self.pages,
            search: &mut self.search,
            site: self.site.as_mut(),
            pending: &mut self.pending,
        }
    }
}

/// Borrowed parts of the engine for the body-only path.
pub(super) struct EngineParts<'a> {
    pub opts: &'a BuildOptions,
    pub want: Want,
    pub inputs: &'a Inputs,
    pub assets: Option<&'a Assets>,
    pub notes: &'a BTreeMap<String, Arc<RenderedNote>>,
    pub links: Option<&'a crate::site::LinkIndex>,
    pub pages: &'a mut PageCaches,
    pub search: &'a mut super::search::SearchState,
    pub site: Option<&'a mut Site>,
    pub pending: &'a mut BTreeSet<String>,
}

pub(super) fn site_context<'a>(
    inputs: &'a Inputs,
    assets: &'a Assets,
    model: &SiteModel,
) -> SiteContext<'a> {
    let url = &inputs.site_url;
    SiteContext {
        title: &inputs.config.title,
        description: &inputs.config.description,
        language: &inputs.config.language,
        base_path: &url.base_path,
        base_url: url.absolute.clone().unwrap_or_default(),
        origin: url.origin().unwrap_or_default(),
        feed_url: crate::render::feeds::has_feed(model, url)
            .then(|| format!("{}{}", url.base_path, crate::render::feeds::FEED_FILE)),
        assets: &assets.urls,
        extra: &inputs.config.extra,
        generator: format!("cheatgen {}", env!("CARGO_PKG_VERSION")),
    }
}

pub(super) fn sort_diagnostics(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
    });
    diags.dedup();
}

/// Generated listing folders (`tags/`, `categories/`) win over notes at the same URL;
/// such a note is reported rather than silently overwritten.
pub(super) fn reserved_url_conflicts(model: &SiteModel, root: &Path) -> Vec<Diagnostic> {
    let reserved: Vec<&str> = model
        .tags
        .iter()
        .map(|t| t.output_path.as_str())
        .chain(model.home.categories.iter().map(|c| c.output_path.as_str()))
        .chain((!model.tags.is_empty()).then_some("tags/index.html"))
        .collect();
    model
        .sheets
        .iter()
        .filter(|p| reserved.contains(&p.output_path.as_str()))
        .map(|p| {
            Diagnostic::warning(
                &source::display_path(root, &p.source),
                Pos::new(1, 1),
                "reserved-url",
                format!(
                    "{} is taken by a generated tag or category page; rename the note or set `slug`",
                    p.url
                ),
            )
        })
        .collect()
}
