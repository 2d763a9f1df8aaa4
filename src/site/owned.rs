//! The site passes for a caller that drops the renders afterwards (a one-shot `build`;
//! `ARCHITECTURE.md`, "Streaming output"): each page's card HTML is moved out of its note
//! instead of copied, so the notes' HTML and the model's never exist twice. The notes keep
//! everything else (titles, ids, anchors, lines: what the other passes read), with their
//! HTML emptied.

use super::{assemble_with, SiteModel};
use crate::note::cards::Sheet;
use crate::note::RenderedNote;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// `assemble`, moving each note's card HTML into its page. `notes` must be sorted by
/// `rel_path`; afterwards they hold no HTML (drop them).
pub fn assemble_owned(
    notes: &mut [RenderedNote],
    assets: &HashSet<String>,
    base_path: &str,
    drafts: bool,
) -> SiteModel {
    let html: HashMap<String, Vec<String>> = notes
        .iter_mut()
        .map(|n| (n.rel_path.clone(), take_html(&mut n.sheet)))
        .collect();
    let html = Mutex::new(html);
    let refs: Vec<&RenderedNote> = notes.iter().collect();
    let sheet_of = |n: &RenderedNote| {
        let mut sheet = n.sheet.clone();
        let taken = html.lock().ok().and_then(|mut h| h.remove(&n.rel_path));
        if let Some(taken) = taken {
            put_html(&mut sheet, taken);
        }
        sheet
    };
    assemble_with(&refs, assets, base_path, drafts, &sheet_of)
}

/// Every HTML string of `sheet`, in document order, leaving them empty.
fn take_html(sheet: &mut Sheet) -> Vec<String> {
    let mut out = vec![std::mem::take(&mut sheet.intro_html)];
    for g in &mut sheet.groups {
        out.push(
            g.title_html
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default(),
        );
        out.push(std::mem::take(&mut g.intro_html));
        for c in &mut g.cards {
            out.push(std::mem::take(&mut c.title_html));
            out.push(std::mem::take(&mut c.body_html));
        }
    }
    out
}

/// Puts back what `take_html` took, into a sheet of the same shape.
fn put_html(sheet: &mut Sheet, html: Vec<String>) {
    let mut html = html.into_iter();
    let mut next = || html.next().unwrap_or_default();
    sheet.intro_html = next();
    for g in &mut sheet.groups {
        let title = next();
        if let Some(t) = &mut g.title_html {
            *t = title;
        }
        g.intro_html = next();
        for c in &mut g.cards {
            c.title_html = next();
            c.body_html = next();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_taken_and_put_back_is_the_same_sheet() {
        let text = "# A\n\nintro\n\n## G {#g}\n\ngroup intro\n\n### C1\n\n`x` [l](b.md)\n\n### C2\n\n```sh\nls\n```\n";
        let src = crate::note::source::NoteSource {
            rel_path: "a.md".into(),
            display_path: "content/a.md".into(),
            text: text.into(),
            hash: blake3::hash(text.as_bytes()),
        };
        let note = crate::note::render_note(
            &src,
            Default::default(),
            &crate::note::highlight::Highlighter::new(),
        )
        .unwrap();
        let mut sheet = note.sheet.clone();
        let html = take_html(&mut sheet);
        assert!(html.iter().any(|h| h.contains("<code")), "{html:?}");
        assert!(sheet.groups[0].cards[0].body_html.is_empty());
        put_html(&mut sheet, html);
        assert_eq!(sheet, note.sheet);
    }
}
