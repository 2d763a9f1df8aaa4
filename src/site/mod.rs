//! Site passes over the rendered notes: drafts, duplicate URLs, link resolution (`links`),
//! backlinks (`backlinks`), folder sections, breadcrumbs, tags and categories
//! (`taxonomy`). Produces the plain page models the templates get.
//!
//! Cheap and always rerun in full (the per-note renders are the expensive, cached part).

pub(crate) mod backlinks;
pub(crate) mod links;
pub mod model;
mod owned;
pub(crate) mod redirects;
mod relink;
pub(crate) mod taxonomy;

pub use model::{
    Crumb, HomePage, OutLink, Relinked, SectionPage, SheetPage, SheetSummary, SiteModel,
};
pub use owned::assemble_owned;
pub use relink::LinkIndex;

use crate::diagnostics::{Diagnostic, Pos};
use crate::note::cards::Sheet;
use crate::note::{NoteKind, RenderedNote};
use crate::output::site_path::SitePath;
use crate::site::links::{substitute, LinkNote, LinkTargets, ResolvedLink};
use crate::slug::humanize;
use std::collections::{BTreeSet, HashMap, HashSet};
use taxonomy::SheetNav;

/// Runs the site passes. `notes` must be sorted by `rel_path` (determinism).
pub fn assemble(
    notes: &[&RenderedNote],
    assets: &HashSet<String>,
    base_path: &str,
    drafts: bool,
) -> SiteModel {
    assemble_with(notes, assets, base_path, drafts, &|n| n.sheet.clone())
}

/// `assemble`, taking each included note's sheet (before its links are resolved) from
/// `sheet_of`: a copy of the note's, or its HTML moved out (`owned::assemble_owned`).
fn assemble_with(
    notes: &[&RenderedNote],
    assets: &HashSet<String>,
    base_path: &str,
    drafts: bool,
    sheet_of: &dyn Fn(&RenderedNote) -> Sheet,
) -> SiteModel {
    let mut diagnostics = Vec::new();
    let included = included(notes, drafts, &mut diagnostics);
    let section_dirs = section_dirs(&included);
    let targets = link_targets(&included, &section_dirs, assets, base_path);
    let section_notes: HashMap<&str, &RenderedNote> = included
        .iter()
        .filter(|n| n.kind == NoteKind::Section)
        .map(|n| (n.dir.as_str(), *n))
        .collect();
    let section_title = |dir: &str| -> String {
        section_notes
            .get(dir)
            .map(|n| n.sheet.title.clone())
            .unwrap_or_else(|| humanize(dir.rsplit('/').next().unwrap_or(dir)))
    };
    let url = |path: &str| format!("{base_path}{path}");
    let crumbs = |dir: &str| -> Vec<Crumb> {
        let mut out = vec![Crumb {
            title: "Home".into(),
            url: base_path.to_string(),
        }];
        let mut acc = String::new();
        for seg in dir.split('/').filter(|s| !s.is_empty()) {
            acc = if acc.is_empty() {
                seg.to_string()
            } else {
                format!("{acc}/{seg}")
            };
            out.push(Crumb {
                title: section_title(&acc),
                url: url(&format!("{acc}/")),
            });
        }
        out
    };

    let mut sheets = Vec::new();
    let mut redirects = Vec::new();
    let mut sheet_of_note: Vec<Option<usize>> = vec![None; included.len()];
    let mut home_sheet = None;
    let mut section_sheets: HashMap<String, Sheet> = HashMap::new();
    let mut resolved = Vec::new();
    for (i, note) in included.iter().enumerate() {
        let replacements = targets.replacements(i, &note.links, &mut diagnostics, &mut resolved);
        let sheet = resolve_sheet(sheet_of(note), &replacements);
        match note.kind {
            NoteKind::Home => home_sheet = Some(sheet),
            NoteKind::Section => {
                section_sheets.insert(note.dir.clone(), sheet);
            }
            NoteKind::Sheet if note.front_matter.redirect_to.is_some() => {
                redirects.extend(crate::site::redirects::Redirect::new(
                    note,
                    &url(&note.url_path),
                    base_path,
                ));
            }
            NoteKind::Sheet => {
                let output_path = match SitePath::index_page(&note.url_path) {
                    Ok(p) => p,
                    Err(e) => {
                        diagnostics.push(Diagnostic::error(
                            &note.display_path,
                            Pos::new(1, 1),
                            "bad-path",
                            format!("{e}; note skipped"),
                        ));
                        continue;
                    }
                };
                let fm = &note.front_matter;
                let top = note.dir.split('/').next().unwrap_or("");
                sheet_of_note[i] = Some(sheets.len());
                let category = fm.category.clone().unwrap_or_else(|| {
                    if top.is_empty() {
                        "Sheets".into()
                    } else {
                        section_title(top)
                    }
                });
                sheets.push(SheetPage {
                    title: sheet.title.clone(),
                    description: fm.description.clone().unwrap_or_default(),
                    url: url(&note.url_path),
                    output_path,
                    category,
                    tags: fm.tags.clone(),
                    keywords: fm.keywords.clone(),
                    date: fm.date.clone(),
                    updated: fm.updated.clone(),
                    source: note.rel_path.clone(),
                    breadcrumbs: crumbs(&note.dir),
                    extra: fm.extra.clone(),
                    sheet,
                    backlinks: Vec::new(),
                    nav: SheetNav::default(),
                });
            }
        }
    }

    let urls: Vec<String> = included.iter().map(|n| url(&n.url_path)).collect();
    for (i, inbound) in backlinks::collect(&included, &urls, &resolved)
        .into_iter()
        .enumerate()
    {
        if let Some(s) = sheet_of_note[i] {
            sheets[s].backlinks = inbound.backlinks;
            for c in sheets[s]
                .sheet
                .groups
                .iter_mut()
                .flat_map(|g| g.cards.iter_mut())
            {
                c.inbound = inbound.card_counts.get(&c.id).copied().unwrap_or(0);
            }
        }
    }

    let outbound = outbound_links(&included, &resolved);
    let weights: HashMap<&str, i64> = included
        .iter()
        .map(|n| {
            (
                n.url_path.as_str(),
                n.front_matter.weight.unwrap_or(i64::MAX),
            )
        })
        .collect();
    let summary = |p: &SheetPage| SheetSummary {
        title: p.title.clone(),
        url: p.url.clone(),
        description: p.description.clone(),
        card_count: p.sheet.card_count,
        tags: p.tags.clone(),
        sort_key: (
            weights
                .get(&p.url[base_path.len()..])
                .copied()
                .unwrap_or(i64::MAX),
            p.title.to_lowercase(),
            p.url.clone(),
        ),
    };
    let sorted = |mut v: Vec<SheetSummary>| {
        v.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        v
    };

    let sections = section_dirs
        .iter()
        .filter_map(|dir| {
            let prefix = format!("{dir}/");
            let output_path = SitePath::index_page(&prefix).ok()?;
            let direct: Vec<SheetSummary> = sheets
                .iter()
                .filter(|p| {
                    let path = p.output_path.as_str();
                    path.starts_with(&prefix) && parent_dir(path) == dir.as_str()
                })
                .map(summary)
                .collect();
            let subsections = section_dirs
                .iter()
                .filter(|d| d.starts_with(&prefix) && !d[prefix.len()..].contains('/'))
                .map(|d| Crumb {
                    title: section_title(d),
                    url: url(&format!("{d}/")),
                })
                .collect();
            let mut breadcrumbs = crumbs(dir);
            breadcrumbs.pop();
            Some(SectionPage {
                title: section_title(dir),
                url: url(&prefix),
                output_path,
                sheet: section_sheets.remove(dir.as_str()),
                sheets: sorted(direct),
                subsections,
                breadcrumbs,
            })
        })
        .collect();

    let summaries: Vec<SheetSummary> = sheets.iter().map(summary).collect();
    let tax = taxonomy::build(&sheets, &summaries, base_path);
    for (page, nav) in sheets.iter_mut().zip(tax.nav) {
        page.nav = nav;
    }
    let featured = sorted(
        sheets
            .iter()
            .filter(|p| p.tags.iter().any(|t| t.eq_ignore_ascii_case("featured")))
            .map(summary)
            .collect(),
    );
    let home = HomePage {
        sheet: home_sheet,
        featured,
        tags: taxonomy::cloud(&tax.tags),
        categories: tax.categories,
        sheet_count: sheets.len(),
        card_count: sheets.iter().map(|p| p.sheet.card_count).sum(),
    };
    SiteModel {
        sheets,
        redirects,
        sections,
        home,
        tags: tax.tags,
        diagnostics,
        outbound,
    }
}

/// The notes that get pages: drafts dropped (unless `drafts`), then duplicate URLs.
pub(crate) fn included<'a>(
    notes: &[&'a RenderedNote],
    drafts: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<&'a RenderedNote> {
    dedupe(
        notes
            .iter()
            .copied()
            .filter(|n| drafts || !n.front_matter.draft),
        diagnostics,
    )
}

/// Folders that get a section page: every ancestor folder of a sheet, unless a sheet
/// already owns that URL (`git.md` next to `git/`).
pub(crate) fn section_dirs(included: &[&RenderedNote]) -> BTreeSet<String> {
    let sheet_urls: HashSet<&str> = included
        .iter()
        .filter(|n| n.kind == NoteKind::Sheet)
        .map(|n| n.url_path.as_str())
        .collect();
    let mut section_dirs: BTreeSet<String> = BTreeSet::new();
    for n in included.iter().filter(|n| n.kind != NoteKind::Home) {
        let mut dir = n.dir.as_str();
        while !dir.is_empty() {
            section_dirs.insert(dir.to_string());
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }
    section_dirs.retain(|d| !sheet_urls.contains(format!("{d}/").as_str()));
    section_dirs
}

pub(crate) fn link_targets<'a>(
    included: &[&'a RenderedNote],
    section_dirs: &BTreeSet<String>,
    assets: &'a HashSet<String>,
    base_path: &'a str,
) -> LinkTargets<'a> {
    LinkTargets::new(
        included
            .iter()
            .map(|n| LinkNote {
                rel_path: &n.rel_path,
                display_path: &n.display_path,
                url_path: &n.url_path,
                aliases: &n.front_matter.aliases,
                sheet: &n.sheet,
            })
            .collect(),
        section_dirs.iter().cloned().collect(),
        assets,
        base_path,
    )
}

/// What each note's resolved links reach, by path: what backlinks are made of.
fn outbound_links(
    included: &[&RenderedNote],
    resolved: &[ResolvedLink],
) -> HashMap<String, Vec<OutLink>> {
    let mut out: HashMap<String, Vec<OutLink>> = HashMap::new();
    for l in resolved {
        out.entry(included[l.from].rel_path.clone())
            .or_default()
            .push(OutLink::new(included, l));
    }
    out
}

/// Diagnostic codes of the link pass (per linking note).
pub const LINK_CODES: &[&str] = &[
    "broken-link",
    "broken-anchor",
    "outside-content",
    "ambiguous-link",
];

/// `a/b/c/index.html` → `a/b` (the folder of the sheet `a/b/c`).
fn parent_dir(output_path: &str) -> &str {
    let page_dir = output_path
        .trim_end_matches("index.html")
        .trim_end_matches('/');
    page_dir.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Drops notes whose URL is already taken (first by path wins), reporting both files.
fn dedupe<'a>(
    notes: impl Iterator<Item = &'a RenderedNote>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<&'a RenderedNote> {
    let mut seen: HashMap<&str, &RenderedNote> = HashMap::new();
    let mut out = Vec::new();
    for n in notes {
        if let Some(first) = seen.get(n.url_path.as_str()) {
            diags.push(Diagnostic::error(
                &n.display_path,
                Pos::new(1, 1),
                "duplicate-url",
                format!(
                    "maps to the same URL /{} as {}; this note is skipped",
                    n.url_path, first.display_path
                ),
            ));
            continue;
        }
        seen.insert(&n.url_path, n);
        out.push(n);
    }
    out
}

/// `sheet` (a copy of the cached render, or its HTML moved out) with link placeholders
/// replaced.
pub(crate) fn resolve_sheet(sheet: Sheet, replacements: &[String]) -> Sheet {
    let mut s = sheet;
    if replacements.is_empty() {
        return s;
    }
    s.intro_html = substitute(&s.intro_html, replacements);
    for g in &mut s.groups {
        g.intro_html = substitute(&g.intro_html, replacements);
        if let Some(t) = &g.title_html {
            g.title_html = Some(substitute(t, replacements));
        }
        for c in &mut g.cards {
            c.title_html = substitute(&c.title_html, replacements);
            c.body_html = substitute(&c.body_html, replacements);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_dirs() {
        assert_eq!(parent_dir("a/b/c/index.html"), "a/b");
        assert_eq!(parent_dir("c/index.html"), "");
    }
}
