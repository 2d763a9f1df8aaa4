//! The per-sheet stage of search: one `SearchEntry` per card (and per group or sheet
//! intro) and the sheet's terms by field (`sheet_docs`). Plain data, a pure function of
//! the page, so the engine can cache it per sheet; `index` merges sheets into the index.

use super::format::{F_CARD, F_CODE, F_MEMBER, F_META, F_PROSE, F_SHEET, MAX_SHEET_ENTRIES};
use super::text::{extract, CardText};
use super::tokenize::{joined_words, members, terms};
use crate::site::SheetPage;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Code kept per entry for previews and the copy button.
const CODE_CHARS: usize = 1500;
const EXCERPT_CHARS: usize = 160;

/// What a search result shows. Field names are short because they repeat per entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchEntry {
    #[serde(rename = "s")]
    pub sheet: String,
    #[serde(rename = "c")]
    pub card: String,
    /// Page URL with the card anchor (already under the base path).
    #[serde(rename = "u")]
    pub url: String,
    #[serde(rename = "g")]
    pub category: String,
    #[serde(rename = "t")]
    pub tags: String,
    /// Language of the first code block, if any.
    #[serde(rename = "l")]
    pub lang: String,
    /// Code of the card's blocks (blank-line separated), cut at `CODE_CHARS`.
    #[serde(rename = "x")]
    pub code: String,
    /// True when `code` was cut (the client then hides its copy button).
    #[serde(rename = "k", default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
    #[serde(rename = "e")]
    pub excerpt: String,
}

/// A term of one sheet and its (entry position in the sheet, field mask) pairs, in entry
/// order.
pub type SheetTerm = (String, Vec<(u32, u8)>);

/// What one sheet contributes to the index: its entries, and its terms sorted by term.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetDocs {
    pub entries: Vec<SearchEntry>,
    pub terms: Vec<SheetTerm>,
}

impl SheetDocs {
    /// The same docs with the invariants the index relies on restored (docs may come
    /// from a cache): at most `MAX_SHEET_ENTRIES` entries, terms sorted and unique,
    /// each posting list sorted, unique and pointing at an entry.
    pub fn normalized(mut self) -> SheetDocs {
        self.entries.truncate(MAX_SHEET_ENTRIES);
        let n = self.entries.len() as u32;
        let sorted = self.terms.windows(2).all(|w| w[0].0 < w[1].0);
        if !sorted {
            self.terms.sort_by(|a, b| a.0.cmp(&b.0));
            self.terms.dedup_by(|b, a| {
                if a.0 == b.0 {
                    a.1.append(&mut b.1);
                    true
                } else {
                    false
                }
            });
        }
        for (_, list) in &mut self.terms {
            let clean = list.windows(2).all(|w| w[0].0 < w[1].0) && list.iter().all(|p| p.0 < n);
            if !clean {
                list.retain(|p| p.0 < n);
                list.sort_by_key(|p| p.0);
                list.dedup_by(|b, a| {
                    if a.0 == b.0 {
                        a.1 |= b.1;
                        true
                    } else {
                        false
                    }
                });
            }
        }
        self.terms.retain(|(t, l)| !t.is_empty() && !l.is_empty());
        self
    }
}

/// Collects the terms of one sheet; a term's string is allocated once per sheet.
#[derive(Default)]
struct TermCollector {
    terms: FxHashMap<String, Vec<(u32, u8)>>,
    entry: u32,
}

impl TermCollector {
    fn add(&mut self, text: &str, field: u8) {
        terms(text, &mut |t, _| self.add_term(t, field));
    }

    /// `add`, plus marked-letter words joined (`E[x]tract`), for titles and prose.
    fn add_words(&mut self, text: &str, field: u8) {
        self.add(text, field);
        joined_words(text, &mut |t| self.add_term(t, field));
    }

    /// `add` for code, plus the last parts of dotted chains as `F_MEMBER`.
    fn add_code(&mut self, code: &str) {
        self.add(code, F_CODE);
        members(code, &mut |t| self.add_term(t, F_MEMBER));
    }

    fn add_term(&mut self, t: &str, field: u8) {
        let entry = self.entry;
        match self.terms.get_mut(t) {
            Some(list) => match list.last_mut() {
                Some(last) if last.0 == entry => last.1 |= field,
                _ => list.push((entry, field)),
            },
            None => {
                self.terms.insert(t.to_string(), vec![(entry, field)]);
            }
        }
    }
}

/// The search entries and terms of one sheet: a pure function of the page, so an engine
/// can cache it per sheet and recompute only a changed sheet's.
pub fn sheet_docs(page: &SheetPage) -> SheetDocs {
    let mut entries = Vec::new();
    let tags = page.tags.join(", ");
    // What names the sheet: title, slug (last URL segment) and tags.
    let slug = page
        .url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let name_text = format!("{} {slug} {}", page.title, page.tags.join(" "));
    let meta_text = format!("{} {}", page.keywords.join(" "), page.category);
    let mut collector = TermCollector::default();
    let mut add = |card: &str, anchor: &str, group: Option<&str>, html: &str| {
        // Doc ids hold a sheet's entries in CARD_BITS; the rest is not indexed.
        if entries.len() >= MAX_SHEET_ENTRIES {
            return;
        }
        let text = extract(html);
        collector.entry = entries.len() as u32;
        collector.add_words(card, F_CARD);
        collector.add_words(&name_text, F_SHEET);
        if let Some(g) = group {
            collector.add_words(g, F_META);
        }
        collector.add(&meta_text, F_META);
        collector.add_code(&text.inline_code);
        for (_, code) in &text.blocks {
            collector.add_code(code);
        }
        collector.add_words(&text.prose, F_PROSE);
        let url = if anchor.is_empty() {
            page.url.clone()
        } else {
            format!("{}#{anchor}", page.url)
        };
        entries.push(entry(page, &tags, card, url, &text));
    };
    if !page.sheet.intro_html.trim().is_empty() {
        add(&page.title, "", None, &page.sheet.intro_html);
    }
    for g in &page.sheet.groups {
        if let (Some(id), Some(title)) = (&g.id, &g.title) {
            if !g.intro_html.trim().is_empty() {
                add(title, id, None, &g.intro_html);
            }
        }
        for c in &g.cards {
            add(&c.title, &c.id, g.title.as_deref(), &c.body_html);
        }
    }
    let mut terms: Vec<SheetTerm> = collector.terms.into_iter().collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    SheetDocs { entries, terms }
}

fn entry(page: &SheetPage, tags: &str, card: &str, url: String, text: &CardText) -> SearchEntry {
    let mut code = String::new();
    let mut cut = false;
    for (_, block) in &text.blocks {
        if !code.is_empty() {
            code.push('\n');
        }
        code.push_str(block.trim_end());
        code.push('\n');
    }
    if code.chars().count() > CODE_CHARS {
        code = code.chars().take(CODE_CHARS).collect();
        cut = true;
    }
    let mut excerpt: String = text.display.chars().take(EXCERPT_CHARS).collect();
    if excerpt.len() < text.display.len() {
        excerpt.push('…');
    }
    SearchEntry {
        sheet: page.title.clone(),
        card: card.to_string(),
        url,
        category: page.category.clone(),
        tags: tags.to_string(),
        lang: text.blocks.first().map(|b| b.0.clone()).unwrap_or_default(),
        code,
        cut,
        excerpt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_docs_are_normalized_not_trusted() {
        // Docs from a cache could be anything: unsorted, duplicated, pointing past the
        // entries, empty terms. The index only ever sees them normalized.
        let entry = |c: &str| SearchEntry {
            sheet: "S".into(),
            card: c.into(),
            url: "/s/".into(),
            category: String::new(),
            tags: String::new(),
            lang: String::new(),
            code: String::new(),
            cut: false,
            excerpt: String::new(),
        };
        let docs = SheetDocs {
            entries: vec![entry("a"), entry("b")],
            terms: vec![
                (
                    "z".into(),
                    vec![(1, F_CODE), (0, F_CARD), (1, F_PROSE), (7, F_CARD)],
                ),
                ("".into(), vec![(0, F_CARD)]),
                ("a".into(), vec![(9, F_CARD)]),
                ("z".into(), vec![(0, F_META)]),
            ],
        };
        let clean = docs.normalized();
        assert_eq!(
            clean.terms,
            vec![(
                "z".to_string(),
                vec![(0, F_CARD | F_META), (1, F_CODE | F_PROSE)]
            )]
        );
        assert_eq!(clean.clone().normalized(), clean);
    }
}
