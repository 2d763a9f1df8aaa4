//! Pages made from templates: sheet, section, tag, category, home and 404 pages from the
//! site model, with `PageCache`s that reuse the bytes of a page whose model did not change
//! (an equal model renders to identical bytes).
//!
//! Two ways out: `render_pages` collects every page into an `OutputPlan` (what `serve`
//! keeps for its diffs, and `check`'s list of paths), `stream_pages` hands each page to a
//! sink as soon as it is rendered and forgets it (a one-shot `build`: at most one page per
//! worker thread is in memory; `ARCHITECTURE.md`, "Streaming output"). Both produce the same
//! paths and bytes.

use crate::error::Result;
use crate::output::site_path::SitePath;
use crate::output::{OutputFile, OutputPlan};
use crate::render::templates::Templates;
use crate::site::model::{Category, SheetPage, SiteModel, TagPage};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tera::Context;

/// Template-facing site settings.
#[derive(Debug, Serialize)]
pub struct SiteContext<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub base_path: &'a str,
    pub base_url: String,
    /// `https://user.github.io` (no path) when the base URL is absolute, else empty:
    /// templates build canonical and Open Graph URLs as `origin ~ page.url`.
    pub origin: String,
    /// URL of the Atom feed, when there is one.
    pub feed_url: Option<String>,
    pub assets: &'a BTreeMap<String, String>,
    pub extra: &'a toml::Table,
    pub generator: String,
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
    /// Returns the indices (into `pages`) of the pages rendered afresh.
    fn render(
        &mut self,
        pages: &[T],
        path: impl Fn(&T) -> &SitePath + Sync,
        render: impl Fn(&T) -> Result<String> + Sync,
        keep: bool,
        plan: &mut OutputPlan,
    ) -> Result<Vec<usize>> {
        let old = std::mem::take(&mut self.0);
        let rendered: Vec<Result<(Arc<Vec<u8>>, bool)>> = pages
            .par_iter()
            .map(|p| match old.get(path(p).as_str()) {
                Some((prev, html)) if prev == p => Ok((Arc::clone(html), false)),
                _ => render(p).map(|html| (Arc::new(html.into_bytes()), true)),
            })
            .collect();
        let mut fresh = Vec::new();
        for (i, (p, r)) in pages.iter().zip(rendered).enumerate() {
            let (html, new) = r?;
            if new {
                fresh.push(i);
            }
            plan.insert(path(p).to_string(), OutputFile::Shared(Arc::clone(&html)));
            if keep {
                self.0.insert(path(p).to_string(), (p.clone(), html));
            }
        }
        Ok(fresh)
    }

    /// Renders one page (or reuses its bytes), keeping it when `keep`.
    pub fn render_one(
        &mut self,
        page: &T,
        path: &SitePath,
        render: impl Fn(&T) -> Result<String>,
        keep: bool,
    ) -> Result<Arc<Vec<u8>>> {
        if let Some((prev, html)) = self.0.get(path.as_str()) {
            if prev == page {
                return Ok(Arc::clone(html));
            }
        }
        let html = Arc::new(render(page)?.into_bytes());
        if keep {
            self.0
                .insert(path.to_string(), (page.clone(), Arc::clone(&html)));
        }
        Ok(html)
    }

    /// Forgets every page (templates or settings changed).
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

/// Caches of the page kinds that are many and mostly unchanged by an edit.
#[derive(Default)]
pub struct PageCaches {
    pub sheets: PageCache<SheetPage>,
    pub tags: PageCache<TagPage>,
    /// Keep rendered pages for the next build (off for one-shot builds: it costs memory).
    pub keep: bool,
}

/// What `render_pages` made: the pages, and which sheets (indices into `model.sheets`) were
/// rendered afresh (their model changed, so their search entries may have too).
pub struct RenderedPages {
    pub plan: OutputPlan,
    pub fresh_sheets: Vec<usize>,
}

/// Renders every page of `model`; `dry` lists the pages with empty bytes instead (`check`
/// needs to know which paths are generated, not their bytes).
pub fn render_pages(
    model: &SiteModel,
    templates: &Templates,
    site: &SiteContext,
    caches: &mut PageCaches,
    dry: bool,
) -> Result<RenderedPages> {
    let base = |extra: &dyn Fn(&mut Context)| {
        let mut ctx = Context::new();
        ctx.insert("site", site);
        extra(&mut ctx);
        ctx
    };
    let mut plan = OutputPlan::new();
    let keep = caches.keep;
    if dry {
        return Ok(RenderedPages {
            plan: page_paths(model),
            fresh_sheets: (0..model.sheets.len()).collect(),
        });
    }
    let fresh_sheets = caches.sheets.render(
        &model.sheets,
        |p| &p.output_path,
        |p| render_sheet(templates, site, p),
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
    caches.tags.render(
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
    Ok(RenderedPages { plan, fresh_sheets })
}

/// Where `stream_pages` puts each page (output path, bytes); called from many threads.
pub type PageSink<'a> = &'a (dyn Fn(&str, OutputFile) -> Result<()> + Sync);

/// Renders every page of `model` whose path `wanted` accepts into `sink`, with the paths
/// and bytes `render_pages` would plan: kinds go in the same order, and where two pages
/// share a path only the one a plan would keep (the later) is rendered. Pages of one kind
/// render in parallel, each put and dropped at once. Nothing is cached.
pub fn stream_pages(
    model: &SiteModel,
    templates: &Templates,
    site: &SiteContext,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    sink: PageSink,
) -> Result<()> {
    let base = |name: &str, fill: &dyn Fn(&mut Context)| {
        let mut ctx = Context::new();
        ctx.insert("site", site);
        fill(&mut ctx);
        templates.render(name, &ctx)
    };
    stream_kind(
        &model.sheets,
        |p| &p.output_path,
        wanted,
        sink,
        |p| render_sheet(templates, site, p),
    )?;
    stream_kind(
        &model.sections,
        |s| &s.output_path,
        wanted,
        sink,
        |s| base("section.html", &|c| c.insert("section", s)),
    )?;
    let tag_pages: Vec<TagPage> = model.tags.iter().flat_map(TagPage::pages).collect();
    stream_kind(
        &tag_pages,
        |t| &t.output_path,
        wanted,
        sink,
        |t| base("tag.html", &|c| c.insert("tag", t)),
    )?;
    drop(tag_pages);
    let single = |path: &str, html: &dyn Fn() -> Result<String>| -> Result<()> {
        if wanted(path) {
            sink(path, OutputFile::Bytes(html()?.into_bytes()))?;
        }
        Ok(())
    };
    if !model.tags.is_empty() {
        single("tags/index.html", &|| {
            base("tags.html", &|c| c.insert("tags", &model.home.tags))
        })?;
    }
    let categories: Vec<Category> = model
        .home
        .categories
        .iter()
        .flat_map(Category::pages)
        .collect();
    stream_kind(
        &categories,
        |c| &c.output_path,
        wanted,
        sink,
        |c| base("category.html", &|ctx| ctx.insert("category", c)),
    )?;
    single("index.html", &|| {
        base("index.html", &|c| c.insert("home", &model.home))
    })?;
    single("404.html", &|| base("404.html", &|_| {}))
}

/// Streams the pages of one kind: the last page of each path (as a plan keeps it), in
/// parallel, each put as soon as it is rendered.
fn stream_kind<T: Sync>(
    pages: &[T],
    path: impl Fn(&T) -> &SitePath + Sync,
    wanted: &(dyn Fn(&str) -> bool + Sync),
    sink: PageSink,
    render: impl Fn(&T) -> Result<String> + Sync,
) -> Result<()> {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        last.insert(path(p).as_str(), i);
    }
    pages.par_iter().enumerate().try_for_each(|(i, p)| {
        let at = path(p).as_str();
        if last.get(at) != Some(&i) || !wanted(at) {
            return Ok(());
        }
        sink(at, OutputFile::Bytes(render(p)?.into_bytes()))
    })
}

/// The paths `render_pages` writes, with empty bytes.
pub fn page_paths(model: &SiteModel) -> OutputPlan {
    let empty = || OutputFile::Bytes(Vec::new());
    let mut plan = OutputPlan::new();
    let sheets = model.sheets.iter().map(|p| p.output_path.to_string());
    let sections = model.sections.iter().map(|s| s.output_path.to_string());
    let tags = model
        .tags
        .iter()
        .flat_map(TagPage::pages)
        .map(|t| t.output_path.to_string());
    let cats = model
        .home
        .categories
        .iter()
        .flat_map(Category::pages)
        .map(|c| c.output_path.to_string());
    for p in sheets.chain(sections).chain(tags).chain(cats) {
        plan.insert(p, empty());
    }
    if !model.tags.is_empty() {
        plan.insert("tags/index.html".into(), empty());
    }
    plan.insert("index.html".into(), empty());
    plan.insert("404.html".into(), empty());
    plan
}

/// One sheet page.
pub fn render_sheet(templates: &Templates, site: &SiteContext, page: &SheetPage) -> Result<String> {
    let mut ctx = Context::new();
    ctx.insert("site", site);
    ctx.insert("page", page);
    templates.render("sheet.html", &ctx)
}
