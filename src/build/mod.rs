//! Orchestrates a build: config → sources → parallel per-note render → site passes →
//! templates → output plan → atomic write. Also the `check`-style dry run (no write).

pub mod cache;
pub mod progress;

use crate::build::progress::Progress;
use crate::config::{Config, SiteUrl, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::note::highlight::Highlighter;
use crate::note::markdown::MarkdownOptions;
use crate::note::source::{self, SourceTree};
use crate::note::{render_note, RenderedNote};
use crate::output::site_path::SitePath;
use crate::output::{self, OutputFile, OutputPlan, WriteStats};
use crate::render::templates::{Assets, Templates, Theme};
use crate::site::taxonomy::{Category, TagPage};
use crate::site::{self, SheetPage, SiteModel};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tera::Context;

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Output directory; default `<root>/<build.output_dir>`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Write into a non-empty folder that cheatgen did not create.
    pub force: bool,
    /// Show a progress line on a terminal when the build is slow.
    pub progress: bool,
    /// Leave the search index out of the plan (`serve` builds it after the pages).
    pub skip_search: bool,
    /// Print each stage's time on stderr (`--timings`; also `CHEATGEN_TIMINGS=1`).
    pub timings: bool,
    /// Use the persisted cache `.cheatgen-cache/` (`build` reads and writes it, `check`
    /// only reads it). Off for library callers; the CLI turns it on unless `--no-cache`.
    pub cache: bool,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub sheets: usize,
    pub cards: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub output_dir: PathBuf,
    pub write: WriteStats,
    pub elapsed: Duration,
    /// One line per problem with the persisted cache (ignored or not saved): warnings that
    /// never fail a build, not diagnostics about the notes (so `--strict` ignores them).
    pub cache_warnings: Vec<String>,
}

impl BuildReport {
    pub fn warnings(&self) -> usize {
        self.diagnostics.iter().filter(|d| !d.is_error()).count()
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// Template-facing site settings.
#[derive(Debug, Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    base_path: &'a str,
    base_url: String,
    /// `https://user.github.io` (no path) when the base URL is absolute, else empty:
    /// templates build canonical and Open Graph URLs as `origin ~ page.url`.
    origin: String,
    /// URL of the Atom feed, when there is one.
    feed_url: Option<String>,
    assets: &'a BTreeMap<String, String>,
    extra: &'a toml::Table,
    generator: String,
}

/// Everything a build computes before writing.
pub struct Planned {
    pub plan: OutputPlan,
    pub report: BuildReport,
    pub output_dir: PathBuf,
    /// The site model, for work done after the plan (`serve` builds the search index
    /// after writing the pages).
    pub model: SiteModel,
}

pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    // The output is checked and locked before any work: a refused folder or a concurrent
    // build fails fast, and the lock covers the whole build.
    let (config, _) = load_config(opts)?;
    let out = crate::config::output_dir(&opts.root, &config, opts.output.as_deref());
    let mut session = output::OutputSession::open(&out, &opts.root, opts.force)?;
    let (hl, mut memo, mut cache_warnings) = (Highlighter::new(), BuildCache::default(), vec![]);
    let mut timings = Timings::new(opts.timings);
    let persisted = cache::load(opts, &mut memo, &hl, &mut cache_warnings);
    timings.lap("cache load");
    let planned = plan_cached(opts, &hl, &mut memo)?;
    timings.note(&cache::summary(
        &memo,
        &hl,
        persisted.as_ref().map(|p| &p.1),
    ));
    let mut report = planned.report;
    report.diagnostics.splice(0..0, session.warnings.drain(..));
    let mut timings = Timings::new(opts.timings);
    report.write = session.publish(&planned.plan)?;
    timings.lap("write");
    if let Some((cache, loaded)) = &persisted {
        cache.store_if_changed(&memo, &hl, loaded, &mut cache_warnings);
        timings.lap("cache store");
    }
    report.cache_warnings = cache_warnings;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Everything a build validates, without touching the output directory.
pub fn check(opts: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let (hl, mut memo, mut cache_warnings) = (Highlighter::new(), BuildCache::default(), vec![]);
    // Read, never written: `check` changes no file.
    cache::load(opts, &mut memo, &hl, &mut cache_warnings);
    let mut report = plan_cached(opts, &hl, &mut memo)?.report;
    report.cache_warnings = cache_warnings;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Loads the config with CLI overrides applied and validated.
pub fn load_config(opts: &BuildOptions) -> Result<(Config, SiteUrl)> {
    let mut config = Config::load(&opts.root)?;
    if let Some(url) = &opts.base_url {
        config.base_url = url.clone();
    }
    let site_url = config.site_url().map_err(|message| Error::Usage {
        // Blame where the value came from: the command line overrides the config file.
        path: match &opts.base_url {
            Some(_) => "--base-url".into(),
            None => opts.root.join(CONFIG_FILE),
        },
        message,
    })?;
    Ok((config, site_url))
}

/// Rendered pages of one kind from the previous build, keyed by output path, with the page
/// model each was rendered from: an equal model renders to identical bytes.
pub struct PageCache<T>(HashMap<String, (T, Arc<Vec<u8>>)>);

impl<T> Default for PageCache<T> {
    fn default() -> Self {
        PageCache(HashMap::new())
    }
}

impl<T: PartialEq + Clone + Send + Sync> PageCache<T> {
    /// Renders `pages` into `plan` (in parallel), reusing the previous bytes of every page
    /// whose model did not change; remembers this build's pages when `keep`.
    fn render(
        &mut self,
        pages: &[T],
        path: impl Fn(&T) -> &SitePath + Sync,
        render: impl Fn(&T) -> Result<String> + Sync,
        keep: bool,
        plan: &mut OutputPlan,
    ) -> Result<()> {
        let old = std::mem::take(&mut self.0);
        let rendered: Vec<Result<Arc<Vec<u8>>>> = pages
            .par_iter()
            .map(|p| match old.get(path(p).as_str()) {
                Some((prev, html)) if prev == p => Ok(Arc::clone(html)),
                _ => render(p).map(|html| Arc::new(html.into_bytes())),
            })
            .collect();
        for (p, r) in pages.iter().zip(rendered) {
            let html = r?;
            plan.insert(path(p).to_string(), OutputFile::Shared(Arc::clone(&html)));
            if keep {
                self.0.insert(path(p).to_string(), (p.clone(), html));
            }
        }
        Ok(())
    }
}

/// What a long-running process (`serve`) keeps between builds so a rebuild only redoes
/// what changed. Everything is keyed so that a cached result is used only when it must be
/// byte-identical to a fresh one: per-note renders by the note's bytes (the render is a
/// pure function, DESIGN §1), rendered sheet pages by their whole page model, and all of
/// it by a fingerprint of config, theme and options (any change there starts afresh).
#[derive(Default)]
pub struct BuildCache {
    fingerprint: Option<blake3::Hash>,
    notes: HashMap<String, Arc<RenderedNote>>,
    pages: PageCache<SheetPage>,
    /// Tag listing pages: many, and mostly unchanged by an edit.
    tag_pages: PageCache<TagPage>,
    /// Notes rendered (not reused) by the last build.
    pub rendered: usize,
    /// Keep rendered pages for the next build (off for one-shot builds: it costs memory).
    pub keep_pages: bool,
}

impl BuildCache {
    /// A cache for a process that rebuilds (`serve`).
    pub fn persistent() -> Self {
        BuildCache {
            keep_pages: true,
            ..BuildCache::default()
        }
    }
}

impl BuildCache {
    fn check_fingerprint(&mut self, fp: blake3::Hash) {
        if self.fingerprint != Some(fp) {
            self.notes.clear();
            self.pages = PageCache::default();
            self.tag_pages = PageCache::default();
            self.fingerprint = Some(fp);
        }
    }
}

fn fingerprint(config: &Config, site_url: &SiteUrl, theme: &Theme, drafts: bool) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(toml::to_string(config).unwrap_or_default().as_bytes());
    h.update(site_url.base_path.as_bytes());
    h.update(site_url.absolute.as_deref().unwrap_or("").as_bytes());
    h.update(&[u8::from(drafts)]);
    for (name, bytes) in &theme.files {
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize()
}

/// Runs every stage except the write.
pub fn plan(opts: &BuildOptions, hl: &Highlighter) -> Result<Planned> {
    plan_cached(opts, hl, &mut BuildCache::default())
}

/// `plan`, reusing and refreshing `cache`.
pub fn plan_cached(
    opts: &BuildOptions,
    hl: &Highlighter,
    cache: &mut BuildCache,
) -> Result<Planned> {
    let started = Instant::now();
    let mut timings = Timings::new(opts.timings);
    let (config, site_url) = load_config(opts)?;
    let output_dir = crate::config::output_dir(&opts.root, &config, opts.output.as_deref());
    let theme = Theme::load(&opts.root, &config.theme)?;
    let templates = Templates::new(&theme)?;
    cache.check_fingerprint(fingerprint(&config, &site_url, &theme, opts.drafts));
    let ignore = source::ignore_set(&opts.root, &config.build.ignore)?;
    let links = source::SymlinkPolicy {
        follow_external: config.build.follow_external_symlinks,
        output_dir: output_dir.clone(),
    };
    let tree = source::scan(&opts.root, &ignore, &links)?;
    let md_opts = MarkdownOptions {
        unsafe_html: config.markdown.unsafe_html,
    };

    let progress = Progress::start(opts.progress, tree.notes.len());
    let cached = &cache.notes;
    let results: Vec<std::result::Result<(Arc<RenderedNote>, bool), Diagnostic>> = tree
        .notes
        .par_iter()
        .map(|n| {
            let r = match cached.get(&n.rel_path) {
                // The display path too: diagnostics carry it, and it follows `--root`.
                Some(c) if c.hash == n.hash && c.display_path == n.display_path => {
                    Ok((Arc::clone(c), false))
                }
                _ => render_note(n, md_opts, hl).map(|r| (Arc::new(r), true)),
            };
            progress.tick();
            r
        })
        .collect();
    progress.finish();
    timings.lap("render notes");

    let SourceTree {
        assets: content_assets,
        diagnostics: mut diags,
        ..
    } = tree;
    let mut notes = Vec::with_capacity(results.len());
    cache.rendered = 0;
    for r in results {
        match r {
            Ok((n, fresh)) => {
                cache.rendered += usize::from(fresh);
                notes.push(n);
            }
            Err(d) => diags.push(d),
        }
    }
    cache.notes = notes
        .iter()
        .map(|n| (n.rel_path.clone(), Arc::clone(n)))
        .collect();
    for n in &notes {
        diags.extend(n.diagnostics.iter().cloned());
    }
    let asset_set: HashSet<String> = content_assets.iter().map(|a| a.rel_path.clone()).collect();
    let refs: Vec<&RenderedNote> = notes.iter().map(|n| n.as_ref()).collect();
    let model = site::assemble(&refs, &asset_set, &site_url.base_path, opts.drafts);
    timings.lap("site passes");
    diags.extend(model.diagnostics.iter().cloned());

    let mut assets = Assets::default();
    for (name, bytes) in theme.static_files() {
        assets.add(name, bytes.to_vec(), &site_url.base_path);
    }
    let css = hl.theme_css(&config.highlight.light_theme, &config.highlight.dark_theme)?;
    assets.add("syntax.css", css.into_bytes(), &site_url.base_path);

    let site_ctx = SiteContext {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        base_path: &site_url.base_path,
        base_url: site_url.absolute.clone().unwrap_or_default(),
        origin: site_url.origin().unwrap_or_default(),
        feed_url: crate::render::feeds::has_feed(&model, &site_url)
            .then(|| format!("{}{}", site_url.base_path, crate::render::feeds::FEED_FILE)),
        assets: &assets.urls,
        extra: &config.extra,
        generator: format!("cheatgen {}", env!("CARGO_PKG_VERSION")),
    };
    let mut plan = render_pages(
        &model,
        &templates,
        &site_ctx,
        &mut cache.pages,
        &mut cache.tag_pages,
        cache.keep_pages,
    )?;
    timings.lap("templates");
    if !opts.skip_search {
        add_search_index(&mut plan, &model);
        timings.lap("search index");
    }
    diags.extend(reserved_url_conflicts(&model, &opts.root));
    for (path, bytes) in assets.files {
        plan.insert(path, OutputFile::Bytes(bytes));
    }
    plan.insert(".nojekyll".into(), OutputFile::Bytes(Vec::new()));
    for (path, bytes) in crate::render::feeds::files(&model, &site_url, &config) {
        // A site's own `content/robots.txt` or `content/CNAME` wins over the generated one.
        if !asset_set.contains(&path) {
            plan.insert(path, OutputFile::Bytes(bytes));
        }
    }
    for (path, bytes) in crate::site::redirects::files(&model) {
        plan.insert(path, OutputFile::Bytes(bytes));
    }
    for a in content_assets {
        if plan.contains_key(&a.rel_path) {
            diags.push(Diagnostic::warning(
                &source::display_path(&opts.root, &a.rel_path),
                Pos::FILE,
                "output-conflict",
                format!("not copied: {} is a generated file", a.rel_path),
            ));
            continue;
        }
        plan.insert(a.rel_path, OutputFile::Copy(a.abs_path));
    }

    // The last gate: nothing outside the output directory is ever written.
    for e in crate::output::site_path::remove_unsafe(&mut plan, &output_dir) {
        diags.push(Diagnostic::error(
            &e.path,
            Pos::FILE,
            "unsafe-path",
            format!("{e}; not written"),
        ));
    }
    diags.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.message).cmp(&(&b.path, b.line, b.column, &b.message))
    });
    diags.dedup();
    let report = BuildReport {
        sheets: model.home.sheet_count,
        cards: model.home.card_count,
        diagnostics: diags,
        output_dir: output_dir.clone(),
        write: WriteStats::default(),
        elapsed: started.elapsed(),
        cache_warnings: Vec::new(),
    };
    Ok(Planned {
        plan,
        report,
        output_dir,
        model,
    })
}

fn render_pages(
    model: &SiteModel,
    templates: &Templates,
    site: &SiteContext,
    cache: &mut PageCache<SheetPage>,
    tag_cache: &mut PageCache<TagPage>,
    keep: bool,
) -> Result<OutputPlan> {
    let base = |extra: &dyn Fn(&mut Context)| {
        let mut ctx = Context::new();
        ctx.insert("site", site);
        extra(&mut ctx);
        ctx
    };
    let mut plan = OutputPlan::new();
    cache.render(
        &model.sheets,
        |p| &p.output_path,
        |p| templates.render("sheet.html", &base(&|c| c.insert("page", p))),
        keep,
        &mut plan,
    )?;
    for s in &model.sections {
        let html = templates.render("section.html", &base(&|c| c.insert("section", s)))?;
        plan.insert(
            s.output_path.to_string(),
            OutputFile::Bytes(html.into_bytes()),
        );
    }
    let tag_pages: Vec<TagPage> = model.tags.iter().flat_map(TagPage::pages).collect();
    tag_cache.render(
        &tag_pages,
        |t| &t.output_path,
        |t| templates.render("tag.html", &base(&|c| c.insert("tag", t))),
        keep,
        &mut plan,
    )?;
    if !model.tags.is_empty() {
        let html = templates.render("tags.html", &base(&|c| c.insert("tags", &model.home.tags)))?;
        plan.insert(
            "tags/index.html".into(),
            OutputFile::Bytes(html.into_bytes()),
        );
    }
    for cat in model.home.categories.iter().flat_map(Category::pages) {
        let html = templates.render("category.html", &base(&|c| c.insert("category", &cat)))?;
        plan.insert(
            cat.output_path.to_string(),
            OutputFile::Bytes(html.into_bytes()),
        );
    }
    let home = templates.render("index.html", &base(&|c| c.insert("home", &model.home)))?;
    plan.insert("index.html".into(), OutputFile::Bytes(home.into_bytes()));
    let not_found = templates.render("404.html", &base(&|_| {}))?;
    plan.insert("404.html".into(), OutputFile::Bytes(not_found.into_bytes()));
    Ok(plan)
}

/// Adds the search index files of `model` to `plan`.
pub fn add_search_index(plan: &mut OutputPlan, model: &SiteModel) {
    for (path, bytes) in crate::search::build(&model.sheets) {
        plan.insert(path, OutputFile::Bytes(bytes));
    }
}

/// Generated listing folders (`tags/`, `categories/`) win over notes at the same URL;
/// such a note is reported rather than silently overwritten.
fn reserved_url_conflicts(model: &SiteModel, root: &std::path::Path) -> Vec<Diagnostic> {
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
                format!("{} is taken by a generated tag or category page; rename the note or set `slug`", p.url),
            )
        })
        .collect()
}

/// Stage timings on stderr with `--timings` or when `CHEATGEN_TIMINGS` is set.
struct Timings(Option<Instant>);

impl Timings {
    fn new(asked: bool) -> Self {
        let on = asked || std::env::var_os("CHEATGEN_TIMINGS").is_some();
        Timings(on.then(Instant::now))
    }

    fn lap(&mut self, phase: &str) {
        if let Some(t) = &mut self.0 {
            eprintln!("timing: {phase}: {:.3}s", t.elapsed().as_secs_f64());
            *t = Instant::now();
        }
    }

    /// A line that is not a stage time (what the cache reused).
    fn note(&self, line: &str) {
        if self.0.is_some() {
            eprintln!("timing: {line}");
        }
    }
}
