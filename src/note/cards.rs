//! The card model (DESIGN §2): a rendered note's heading segments → title, intro, groups and
//! cards with unique ids.
//!
//! - Title: front matter, else the only H1 when it is the first heading (removed from the
//!   body), else the humanised file stem.
//! - Card level: the highest heading level left. A section whose own content before its
//!   first sub-heading is empty is a group of cards (its next-level sub-sections); any other
//!   section is one card that keeps its sub-headings inside.
//! - Consecutive stand-alone cards are collected into an untitled group so they flow in one
//!   grid; a note with no headings is one card.
//! - Deeper headings before the first card-level heading (`### Card` before any `## Group`,
//!   common on devhints-style sheets) form a leading untitled group of cards; only text
//!   before any heading is the intro.
//! - A section with nothing under it is a titled group with no cards (a heading only).
//! - Repeated ids are numbered the way GitHub and kramdown do: `x`, `x-1`, `x-2`, so
//!   in-sheet links written for those renderers keep working.

use crate::note::markdown::{Heading, Segment};
use crate::slug::slugify;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Hands out unique ids within one page, numbered like GitHub and kramdown: `id`, `id-1`,
/// `id-2`, … Ids the default theme uses for its own elements are prefixed `cg-`.
#[derive(Default)]
struct HeadingIds {
    used: HashSet<String>,
}

impl HeadingIds {
    fn allocate(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "section" } else { wanted };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sheet {
    pub title: String,
    pub intro_html: String,
    pub groups: Vec<Group>,
    pub card_count: usize,
    /// Every id on the page (groups, cards, sub-headings) with its heading text, for
    /// anchor checks and `[[note#Card title]]` wikilinks.
    pub anchors: Vec<Anchor>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Anchor {
    pub id: String,
    pub title: String,
}

impl Sheet {
    /// The id a link fragment names: an id on the page, or (for wikilinks) a heading
    /// title, matched case-insensitively.
    pub fn find_anchor(&self, fragment: &str) -> Option<&str> {
        if let Some(a) = self.anchors.iter().find(|a| a.id == fragment) {
            return Some(&a.id);
        }
        let slug = slugify(fragment);
        self.anchors
            .iter()
            .find(|a| a.title.eq_ignore_ascii_case(fragment.trim()))
            .or_else(|| self.anchors.iter().find(|a| a.id == slug))
            .map(|a| a.id.as_str())
    }

    pub fn cards(&self) -> impl Iterator<Item = &Card> {
        self.groups.iter().flat_map(|g| g.cards.iter())
    }

    /// The card whose source lines contain `line` (the last card starting at or before it).
    pub fn card_at_line(&self, line: u32) -> Option<&Card> {
        self.cards()
            .filter(|c| c.line <= line)
            .max_by_key(|c| c.line)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Group {
    pub id: Option<String>,
    pub title: Option<String>,
    pub title_html: Option<String>,
    /// From a column hint (`{: .-three-column}`).
    pub columns: Option<u8>,
    pub classes: Vec<String>,
    pub intro_html: String,
    pub cards: Vec<Card>,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Card {
    pub id: String,
    pub title: String,
    pub title_html: String,
    /// False for the single card of a note without headings (no heading is shown).
    pub has_heading: bool,
    pub classes: Vec<String>,
    pub body_html: String,
    pub line: u32,
    /// How many cards on other sheets link here (filled in by the backlinks pass).
    pub inbound: usize,
}

/// Splits a rendered note into its sheet.
pub fn build_sheet(
    segments: &[Segment],
    headings: &[Heading],
    fm_title: Option<&str>,
    stem_title: &str,
) -> Sheet {
    let first_heading = segments.iter().find_map(|s| match s {
        Segment::Heading(i) => Some(*i),
        Segment::Html(_) => None,
    });
    let h1_count = headings.iter().filter(|h| h.level == 1).count();
    let title_heading = first_heading.filter(|&i| {
        headings[i].level == 1
            && h1_count == 1
            && fm_title.is_none_or(|t| t.trim().eq_ignore_ascii_case(headings[i].text.trim()))
    });
    let title = fm_title
        .map(str::to_string)
        .or_else(|| title_heading.map(|i| headings[i].text.clone()))
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| stem_title.to_string());
    let segs: Vec<&Segment> = segments
        .iter()
        .filter(|s| !matches!(s, Segment::Heading(i) if Some(*i) == title_heading))
        .collect();

    let mut b = SheetBuilder {
        headings,
        ids: HeadingIds::default(),
        anchors: Vec::new(),
    };
    let Some(card_level) = segs
        .iter()
        .filter_map(|s| heading_of(s).map(|i| headings[i].level))
        .min()
    else {
        // No headings: the whole note is one card.
        let body = b.body_html(&segs, 0, 2);
        let groups = if body.trim().is_empty() {
            Vec::new()
        } else {
            let id = b.alloc(&slugify(&title), &title);
            vec![untitled_group(vec![Card {
                id,
                title: title.clone(),
                title_html: crate::note::highlight::escape(&title),
                has_heading: false,
                classes: Vec::new(),
                body_html: body,
                line: 1,
                inbound: 0,
            }])]
        };
        return b.finish(title, String::new(), groups);
    };

    let starts: Vec<usize> = (0..segs.len())
        .filter(|&p| heading_of(segs[p]).is_some_and(|i| headings[i].level == card_level))
        .collect();
    let leading = &segs[..starts[0]];
    let mut groups: Vec<Group> = Vec::new();
    let intro_html = match leading.iter().position(|s| heading_of(s).is_some()) {
        Some(first) => {
            // `### Card`s before the first `## Group`: a leading untitled group.
            let intro_html = b.body_html(&leading[..first], card_level, 2);
            let mut group = b.cards_group(&leading[first..], 3);
            group.intro_html = String::new();
            groups.push(group);
            intro_html
        }
        None => b.body_html(leading, card_level, 2),
    };
    let mut loose: Vec<Card> = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(segs.len());
        let heading = &headings[heading_of(segs[start]).unwrap_or(0)];
        let section = &segs[start + 1..end];
        let first_sub = section.iter().position(|s| heading_of(s).is_some());
        let own_empty = first_sub.is_some_and(|p| section[..p].iter().all(is_blank));
        if section.iter().all(is_blank) {
            // A heading with nothing under it: shown as a heading, never as an empty card.
            if !loose.is_empty() {
                groups.push(untitled_group(std::mem::take(&mut loose)));
            }
            let id = b.alloc_for(heading);
            groups.push(Group {
                id: Some(id),
                ..titled_group(heading, Vec::new())
            });
        } else if own_empty {
            if !loose.is_empty() {
                groups.push(untitled_group(std::mem::take(&mut loose)));
            }
            groups.push(b.group(heading, section));
        } else {
            let id = b.alloc_for(heading);
            let body_html = b.body_html(section, heading.level, 3);
            loose.push(card(heading, id, body_html));
        }
    }
    if !loose.is_empty() {
        groups.push(untitled_group(loose));
    }
    b.finish(title, intro_html, groups)
}

fn heading_of(s: &Segment) -> Option<usize> {
    match s {
        Segment::Heading(i) => Some(*i),
        Segment::Html(_) => None,
    }
}

fn is_blank(s: &&Segment) -> bool {
    matches!(s, Segment::Html(h) if h.trim().is_empty())
}

fn untitled_group(cards: Vec<Card>) -> Group {
    let line = cards.first().map_or(1, |c| c.line);
    Group {
        id: None,
        title: None,
        title_html: None,
        columns: None,
        classes: Vec::new(),
        intro_html: String::new(),
        cards,
        line,
    }
}

fn titled_group(heading: &Heading, cards: Vec<Card>) -> Group {
    Group {
        id: None,
        title: Some(heading.text.clone()),
        title_html: Some(heading.html.clone()),
        columns: column_hint(&heading.classes),
        classes: other_classes(&heading.classes),
        intro_html: String::new(),
        cards,
        line: heading.pos.line,
    }
}

fn card(heading: &Heading, id: String, body_html: String) -> Card {
    Card {
        id,
        title: heading.text.clone(),
        title_html: heading.html.clone(),
        has_heading: true,
        classes: other_classes(&heading.classes),
        body_html,
        line: heading.pos.line,
        inbound: 0,
    }
}

/// `-one-column` … `-four-column`, `-six-column` → number of columns.
fn column_hint(classes: &[String]) -> Option<u8> {
    classes.iter().find_map(|c| match c.as_str() {
        "-one-column" => Some(1),
        "-two-column" => Some(2),
        "-three-column" => Some(3),
        "-four-column" => Some(4),
        "-six-column" => Some(6),
        _ => None,
    })
}

fn other_classes(classes: &[String]) -> Vec<String> {
    classes
        .iter()
        .filter(|c| !c.ends_with("-column"))
        .cloned()
        .collect()
}

struct SheetBuilder<'h> {
    headings: &'h [Heading],
    ids: HeadingIds,
    anchors: Vec<Anchor>,
}

impl SheetBuilder<'_> {
    fn alloc(&mut self, wanted: &str, title: &str) -> String {
        let id = self.ids.allocate(wanted);
        self.anchors.push(Anchor {
            id: id.clone(),
            title: title.to_string(),
        });
        id
    }

    fn alloc_for(&mut self, h: &Heading) -> String {
        let wanted = h.explicit_id.clone().unwrap_or_else(|| slugify(&h.text));
        self.alloc(&wanted, &h.text)
    }

    fn group(&mut self, heading: &Heading, section: &[&Segment]) -> Group {
        let id = self.alloc_for(heading);
        let inner = self.cards_group(section, 4);
        Group {
            id: Some(id),
            intro_html: inner.intro_html,
            ..titled_group(heading, inner.cards)
        }
    }

    /// The cards of a stretch of segments that holds headings: one card per heading at the
    /// stretch's highest level, text before the first of them as the group intro.
    /// `body_level` is the HTML level of headings inside the cards.
    fn cards_group(&mut self, section: &[&Segment], body_level: u8) -> Group {
        let card_level = section
            .iter()
            .filter_map(|s| heading_of(s).map(|i| self.headings[i].level))
            .min()
            .unwrap_or(6);
        let starts: Vec<usize> = (0..section.len())
            .filter(|&p| {
                heading_of(section[p]).is_some_and(|i| self.headings[i].level == card_level)
            })
            .collect();
        let first = starts.first().copied().unwrap_or(section.len());
        let intro_html = self.body_html(&section[..first], card_level, body_level - 1);
        let mut cards = Vec::new();
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(section.len());
            let h = &self.headings[heading_of(section[start]).unwrap_or(0)];
            let cid = self.alloc_for(h);
            let body = self.body_html(&section[start + 1..end], h.level, body_level);
            cards.push(card(h, cid, body));
        }
        let mut group = untitled_group(cards);
        group.intro_html = intro_html;
        group
    }

    /// HTML of segments inside a card; sub-headings keep their relative depth below the
    /// card heading (`base_level` in the note, rendered from `<h{out_level}>`).
    fn body_html(&mut self, segs: &[&Segment], base_level: u8, out_level: u8) -> String {
        let mut html = String::new();
        // Sub-headings start at `out_level` whatever their depth in the note.
        let top = segs
            .iter()
            .filter_map(|s| heading_of(s).map(|i| self.headings[i].level))
            .min();
        let base_level = top.map_or(base_level, |t| t.saturating_sub(1).max(base_level));
        for s in segs {
            match s {
                Segment::Html(h) => html.push_str(h),
                Segment::Heading(i) => {
                    let h = &self.headings[*i];
                    let level = (out_level + h.level.saturating_sub(base_level + 1)).min(6);
                    let id = self.alloc_for(h);
                    html.push_str(&format!("<h{level} id=\"{id}\">{}</h{level}>\n", h.html));
                }
            }
        }
        html
    }

    fn finish(self, title: String, intro_html: String, groups: Vec<Group>) -> Sheet {
        let card_count = groups.iter().map(|g| g.cards.len()).sum();
        Sheet {
            title,
            intro_html,
            groups,
            card_count,
            anchors: self.anchors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::highlight::Highlighter;
    use crate::note::markdown::{render, MarkdownOptions};

    fn sheet(text: &str, fm_title: Option<&str>) -> Sheet {
        let r = render(
            text,
            1,
            "t.md",
            MarkdownOptions::default(),
            &Highlighter::new(),
        );
        build_sheet(&r.segments, &r.headings, fm_title, "Pip tricks")
    }

    fn cards(s: &Sheet) -> Vec<&str> {
        s.groups
            .iter()
            .flat_map(|g| g.cards.iter().map(|c| c.title.as_str()))
            .collect()
    }

    #[test]
    fn several_h1_are_cards_titled_after_file() {
        let s = sheet(
            "# Decorator\n\n```py\nx\n```\n\n### Code Explanation\n\ntext\n\n# Other\n\nmore\n",
            None,
        );
        assert_eq!(s.title, "Pip tricks");
        assert_eq!(cards(&s), vec!["Decorator", "Other"]);
        assert!(
            s.groups[0].cards[0]
                .body_html
                .contains("<h3 id=\"code-explanation\">Code Explanation</h3>"),
            "{:?}",
            s.groups[0].cards[0].body_html
        );
    }

    #[test]
    fn only_h1_is_title() {
        let s = sheet("# Git\n\nintro\n\n## Add\n\nx\n\n## Commit\n\ny\n", None);
        assert_eq!(s.title, "Git");
        assert!(s.intro_html.contains("intro"));
        assert_eq!(cards(&s), vec!["Add", "Commit"]);
    }

    #[test]
    fn groups_of_cards_with_column_hint() {
        let s = sheet("## Getting started\n{: .-three-column}\n\n### Install\n\na\n\n### Usage\n\nb\n\n## Loose\n\nc\n", Some("Tool"));
        assert_eq!(s.title, "Tool");
        assert_eq!(s.groups.len(), 2);
        assert_eq!(s.groups[0].title.as_deref(), Some("Getting started"));
        assert_eq!(s.groups[0].columns, Some(3));
        assert_eq!(cards(&s), vec!["Install", "Usage", "Loose"]);
        assert_eq!(s.groups[1].title, None);
        assert_eq!(s.card_count, 3);
    }

    #[test]
    fn six_column_hint_is_kept() {
        let s = sheet(
            "## Keys\n{: .-six-column}\n\n### A\n\na\n\n### B\n\nb\n",
            None,
        );
        assert_eq!(s.groups[0].columns, Some(6));
    }

    #[test]
    fn no_headings_is_one_card() {
        let s = sheet("just text\n", None);
        assert_eq!(s.card_count, 1);
        assert!(!s.groups[0].cards[0].has_heading);
        assert_eq!(sheet("", None).card_count, 0);
    }

    #[test]
    fn ids_are_unique() {
        let s = sheet("# Usage\n\na\n\n# Usage\n\nb\n\n### Usage\n\nc\n", None);
        let ids: Vec<&str> = s.anchors.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["usage", "usage-1", "usage-2"]);
    }

    #[test]
    fn front_matter_title_matching_h1_drops_it() {
        let s = sheet("# Git\n\n## A\n\nx\n", Some("git"));
        assert_eq!(s.title, "git");
        assert_eq!(cards(&s), vec!["A"]);
    }

    #[test]
    fn cards_before_the_first_group_form_a_leading_group() {
        let s = sheet(
            "intro text\n\n### Install\n\na\n\n#### Detail\n\nd\n\n### Usage\n\nb\n\n## Later\n\n### More\n\nc\n",
            Some("T"),
        );
        assert!(s.intro_html.contains("intro text"), "{}", s.intro_html);
        assert!(!s.intro_html.contains("Install"), "{}", s.intro_html);
        assert_eq!(cards(&s), vec!["Install", "Usage", "More"]);
        assert_eq!(s.groups[0].title, None);
        assert_eq!(s.groups[1].title.as_deref(), Some("Later"));
        assert!(s.groups[0].cards[0]
            .body_html
            .contains("<h3 id=\"detail\">Detail</h3>"));
    }

    #[test]
    fn empty_sections_are_headings_not_empty_cards() {
        let s = sheet("## Intro\n\n## Real\n\nx\n\n## Tail\n", Some("T"));
        assert_eq!(cards(&s), vec!["Real"]);
        let titles: Vec<_> = s.groups.iter().map(|g| g.title.as_deref()).collect();
        assert_eq!(titles, vec![Some("Intro"), None, Some("Tail")]);
        assert!(s.groups[0].cards.is_empty());
        assert_eq!(s.groups[0].id.as_deref(), Some("intro"));
    }
}
