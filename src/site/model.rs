//! Every type the templates see: the theme contract (`ARCHITECTURE.md`, "The theme
//! contract"). Plain, serialisable data made by the site passes (`site::assemble`); the
//! per-note parts (`Sheet`, `Group`, `Card`) come from the note stage and the listing
//! parts (`TagPage`, `Category`, …) from `taxonomy`, re-exported here so this file lists
//! the whole contract. A field added here is a field every theme can use; removing or
//! renaming one breaks themes.

pub use crate::note::cards::{Anchor, Card, Group, Sheet};
pub use crate::site::backlinks::Backlink;
pub use crate::site::redirects::Redirect;
pub use crate::site::taxonomy::{Category, Pager, SheetNav, TagLink, TagPage, TagSheet};

use crate::diagnostics::Diagnostic;
use crate::output::site_path::SitePath;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Crumb {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetSummary {
    pub title: String,
    pub url: String,
    pub description: String,
    pub card_count: usize,
    pub tags: Vec<String>,
    #[serde(skip)]
    pub(crate) sort_key: (i64, String, String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetPage {
    pub title: String,
    pub description: String,
    pub url: String,
    /// Output path relative to the output dir: `a/b/index.html`.
    #[serde(skip)]
    pub output_path: SitePath,
    pub category: String,
    pub tags: Vec<String>,
    pub keywords: Vec<String>,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub source: String,
    pub sheet: Sheet,
    pub breadcrumbs: Vec<Crumb>,
    pub extra: BTreeMap<String, serde_json::Value>,
    /// Cards on other sheets that link here.
    pub backlinks: Vec<Backlink>,
    pub nav: SheetNav,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionPage {
    pub title: String,
    pub url: String,
    #[serde(skip)]
    pub output_path: SitePath,
    /// The folder's `index.md`, if any, rendered as cards above the listing.
    pub sheet: Option<Sheet>,
    pub sheets: Vec<SheetSummary>,
    pub subsections: Vec<Crumb>,
    pub breadcrumbs: Vec<Crumb>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomePage {
    pub sheet: Option<Sheet>,
    /// Sheets tagged `Featured` (devhints), by weight then title.
    pub featured: Vec<SheetSummary>,
    pub categories: Vec<Category>,
    pub tags: Vec<TagLink>,
    pub sheet_count: usize,
    pub card_count: usize,
}

#[derive(Debug)]
pub struct SiteModel {
    pub sheets: Vec<SheetPage>,
    /// `redirect_to:` stubs: pages of their own, outside listings, search and sitemap.
    pub redirects: Vec<Redirect>,
    pub sections: Vec<SectionPage>,
    pub home: HomePage,
    pub tags: Vec<TagPage>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where each note's resolved links lead (by linking note's path): what an edit must
    /// keep equal for the backlinks elsewhere to stay as they are.
    pub outbound: HashMap<String, Vec<OutLink>>,
}

/// One resolved link between notes, as backlinks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutLink {
    pub to: String,
    pub anchor: Option<String>,
    /// Id of the card the link sits in, if any.
    pub card: Option<String>,
}

impl OutLink {
    pub(crate) fn new(
        notes: &[&crate::note::RenderedNote],
        l: &crate::site::links::ResolvedLink,
    ) -> OutLink {
        OutLink {
            to: notes[l.to].rel_path.clone(),
            anchor: l.anchor.clone(),
            card: notes[l.from]
                .sheet
                .card_at_line(l.line)
                .map(|c| c.id.clone()),
        }
    }
}

/// One note's link pass rerun alone (`site::relink_one`).
#[derive(Debug)]
pub struct Relinked {
    pub sheet: Sheet,
    pub diagnostics: Vec<Diagnostic>,
    pub outbound: Vec<OutLink>,
}
