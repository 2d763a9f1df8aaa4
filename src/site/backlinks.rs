//! Site pass: who links here. From the links the link pass resolved, each sheet gets the
//! list of cards (on other sheets) that link to it, and each card the number of distinct
//! cards that link to it.

use crate::note::{NoteKind, RenderedNote};
use crate::site::links::ResolvedLink;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backlink {
    /// Title of the linking sheet.
    pub title: String,
    /// Title of the linking card, when the link sits inside one.
    pub card: Option<String>,
    /// URL of the linking card (or sheet).
    pub url: String,
}

#[derive(Debug, Default, Clone)]
pub struct Inbound {
    pub backlinks: Vec<Backlink>,
    /// Card id → number of distinct cards elsewhere that link to it.
    pub card_counts: BTreeMap<String, usize>,
}

/// Target card id → the distinct (linking note, linking card id) pairs.
type CardSources<'a> = BTreeMap<&'a str, BTreeSet<(usize, Option<&'a str>)>>;

/// `notes[i]` is the note with link index `i`; `urls[i]` its page URL.
pub fn collect(notes: &[&RenderedNote], urls: &[String], links: &[ResolvedLink]) -> Vec<Inbound> {
    let mut sources: Vec<BTreeSet<Backlink>> = vec![BTreeSet::new(); notes.len()];
    let mut per_card: Vec<CardSources> = vec![BTreeMap::new(); notes.len()];
    // Only sheets count as sources: the home and folder intros are listings, not cards.
    let from_sheet = |l: &&ResolvedLink| l.from != l.to && notes[l.from].kind == NoteKind::Sheet;
    for l in links.iter().filter(from_sheet) {
        let from = notes[l.from];
        let card = from.sheet.card_at_line(l.line);
        sources[l.to].insert(Backlink {
            title: from.sheet.title.clone(),
            card: card.map(|c| c.title.clone()),
            url: match card {
                Some(c) => format!("{}#{}", urls[l.from], c.id),
                None => urls[l.from].clone(),
            },
        });
        if let Some(anchor) = &l.anchor {
            let target = notes[l.to];
            if let Some(c) = target.sheet.cards().find(|c| &c.id == anchor) {
                per_card[l.to]
                    .entry(c.id.as_str())
                    .or_default()
                    .insert((l.from, card.map(|c| c.id.as_str())));
            }
        }
    }
    sources
        .into_iter()
        .zip(per_card)
        .map(|(backlinks, cards)| Inbound {
            backlinks: backlinks.into_iter().collect(),
            card_counts: cards
                .into_iter()
                .map(|(id, from)| (id.to_string(), from.len()))
                .collect(),
        })
        .collect()
}
