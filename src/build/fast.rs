//! The body-only path of `Engine::apply` (`ARCHITECTURE.md`, "The engine"): when every
//! edited note is a sheet whose *header* is unchanged — URL, folder, front matter, title,
//! group and card ids and titles, anchors — and whose links still reach the same notes,
//! anchors and cards, nothing outside its own page and its own search entries can change.
//! Then only its links are resolved again, its page re-rendered and its search entries
//! replaced; card `inbound` counts and backlinks are kept (they depend only on other
//! notes' links and this note's card ids). Anything else returns `false` and the caller
//! runs the site passes.

use super::engine::{site_context, sort_diagnostics, Engine};
use super::timings::Timings;
use crate::error::Result;
use crate::note::{NoteKind, RenderedNote};
use crate::output::OutputFile;
use crate::render::pages::render_sheet;
use crate::site::{Relinked, LINK_CODES};
use std::collections::HashMap;
use std::sync::Arc;

/// What other pages may show of a note: equal headers, equal everything but its own page.
#[derive(PartialEq)]
struct Header<'a> {
    kind: NoteKind,
    url_path: &'a str,
    dir: &'a str,
    front_matter: &'a crate::note::frontmatter::FrontMatter,
    title: &'a str,
    card_count: usize,
    anchors: &'a [crate::note::cards::Anchor],
    groups: Vec<(Option<&'a str>, Option<&'a str>)>,
    cards: Vec<(&'a str, &'a str)>,
}

fn header(n: &RenderedNote) -> Header<'_> {
    Header {
        kind: n.kind,
        url_path: &n.url_path,
        dir: &n.dir,
        front_matter: &n.front_matter,
        title: &n.sheet.title,
        card_count: n.sheet.card_count,
        anchors: &n.sheet.anchors,
        groups: n
            .sheet
            .groups
            .iter()
            .map(|g| (g.id.as_deref(), g.title.as_deref()))
            .collect(),
        cards: n
            .sheet
            .cards()
            .map(|c| (c.id.as_str(), c.title.as_str()))
            .collect(),
    }
}

/// Tries the body-only path for `edited` (path, render before the edit); true when done.
pub(super) fn body_only(
    engine: &mut Engine,
    edited: &[(String, Option<Arc<RenderedNote>>)],
) -> Result<bool> {
    engine.ensure_links();
    let p = engine.parts();
    let Some(site) = p.site else {
        return Ok(false);
    };
    let mut jobs = Vec::new();
    for (rel, old) in edited {
        let (Some(old), Some(new)) = (old, p.notes.get(rel)) else {
            return Ok(false);
        };
        if Arc::ptr_eq(old, new) {
            continue;
        }
        if new.kind != NoteKind::Sheet
            || new.front_matter.redirect_to.is_some()
            || header(old) != header(new)
        {
            return Ok(false);
        }
        let Some(page) = site.model.sheets.iter().position(|s| &s.source == rel) else {
            return Ok(false);
        };
        jobs.push((rel, old, page));
    }
    if jobs.is_empty() {
        return Ok(true);
    }

    let mut timings = Timings::new(p.opts.timings);
    let Some(links) = p.links else {
        return Ok(false);
    };
    let mut relinked: Vec<Relinked> = Vec::new();
    for (rel, _, _) in &jobs {
        let Some(r) = links.relink(&p.notes[*rel]) else {
            return Ok(false);
        };
        let before = site.model.outbound.get(*rel).map_or(&[][..], Vec::as_slice);
        if r.outbound != before {
            return Ok(false);
        }
        relinked.push(r);
    }
    timings.lap("relink");
    let report = &mut site.report;
    for ((rel, old, page), r) in jobs.iter().zip(relinked) {
        let new = &p.notes[*rel];
        let shown = &new.display_path;
        report.diagnostics.retain(|d| {
            let from_link_pass = &d.path == shown && LINK_CODES.contains(&d.code);
            !(from_link_pass || old.diagnostics.contains(d))
        });
        report.diagnostics.extend(new.diagnostics.iter().cloned());
        report.diagnostics.extend(r.diagnostics);
        let page = &mut site.model.sheets[*page];
        let inbound: HashMap<&str, usize> = page
            .sheet
            .cards()
            .map(|c| (c.id.as_str(), c.inbound))
            .collect();
        let mut sheet = r.sheet;
        for c in sheet.groups.iter_mut().flat_map(|g| g.cards.iter_mut()) {
            c.inbound = inbound.get(c.id.as_str()).copied().unwrap_or(0);
        }
        page.sheet = sheet;
    }
    sort_diagnostics(&mut report.diagnostics);

    let pages: Vec<usize> = jobs.iter().map(|j| j.2).collect();
    if p.want.pages {
        let Some(assets) = p.assets else {
            return Ok(false);
        };
        let ctx = site_context(p.inputs, assets, &site.model);
        for &i in &pages {
            let page = &site.model.sheets[i];
            let html = p.pages.sheets.render_one(
                page,
                &page.output_path,
                |pg| render_sheet(&p.inputs.templates, &ctx, pg),
                p.pages.keep,
            )?;
            let path = page.output_path.to_string();
            site.files.insert(path.clone(), OutputFile::Shared(html));
            p.pending.insert(path);
        }
    }
    timings.lap("page");
    if p.want.search {
        let (written, removed) = p.search.update_changed(&site.model, &pages);
        for path in removed {
            site.files.remove(&path);
            p.pending.insert(path);
        }
        for (path, file) in written {
            p.pending.insert(path.clone());
            site.files.insert(path, file);
        }
    }
    timings.lap("search index");
    Ok(true)
}
