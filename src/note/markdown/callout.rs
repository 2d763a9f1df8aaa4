//! Callouts: a block quote whose first line is `[!TYPE]` (GitHub alerts and Obsidian
//! callouts: `> [!NOTE]`, `> [!tip] Custom title`, `> [!faq]- Folded`, `> [!info]+ Open`).
//!
//! Markup (styled by the theme, which draws the icon from `data-callout`):
//! `<div class="callout callout-note" data-callout="note"><p class="callout-title">
//! <span class="callout-icon" aria-hidden="true"></span>Note</p><div class="callout-body">…`
//! and for foldable ones the same in `<details class="callout …"><summary class="callout-title">`.

use super::{is_inline_tag, is_inline_tag_end, State};
use crate::note::highlight::escape;
use pulldown_cmark::{Event, Tag, TagEnd};

#[derive(Debug, PartialEq)]
pub struct Callout {
    /// Lowercased type (`note`, `tip`, `warning`, or any Obsidian type).
    pub kind: String,
    pub title: String,
    /// `Some(open)` for `+` (open) / `-` (closed) foldable callouts.
    pub fold: Option<bool>,
    /// Byte offset where the `[!TYPE] Title` line ends in the source.
    pub title_end: usize,
}

/// The callout starting with the block quote at `start` in `src`, if it is one.
pub fn parse(src: &str, start: usize) -> Option<Callout> {
    let rest = &src[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    let line = rest[..line_len]
        .trim_start()
        .strip_prefix('>')?
        .trim_start();
    let inner = line.strip_prefix("[!")?;
    let close = inner.find(']')?;
    let kind = &inner[..close];
    if kind.is_empty()
        || !kind
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    let kind = kind.to_ascii_lowercase();
    let after = &inner[close + 1..];
    let (fold, title) = match after.chars().next() {
        Some('+') => (Some(true), &after[1..]),
        Some('-') => (Some(false), &after[1..]),
        _ => (None, after),
    };
    let title = title.trim();
    let title = if title.is_empty() {
        let mut t = kind.replace(['-', '_'], " ");
        if let Some(first) = t.get(..1) {
            t = first.to_ascii_uppercase() + &t[1..];
        }
        t
    } else {
        title.to_string()
    };
    Some(Callout {
        kind,
        title,
        fold,
        title_end: start + line_len,
    })
}

/// A custom title's inline Markdown (`Use the *fast* path`, `` `git` tips``) as HTML:
/// emphasis, strong, strikethrough and code only. Anything else (links, raw HTML, images)
/// keeps just its text, so a title can never carry markup the sanitiser has not seen.
fn title_html(title: &str) -> String {
    use pulldown_cmark::{Options, Parser};
    let events = Parser::new_ext(title, Options::ENABLE_STRIKETHROUGH).filter_map(|e| match e {
        Event::Text(_) | Event::Code(_) => Some(e),
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::SoftBreak | Event::HardBreak => Some(Event::Text(" ".into())),
        Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough)
        | Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => Some(e),
        _ => None,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html.trim().to_string()
}

impl Callout {
    pub fn opening(&self) -> String {
        let kind = escape(&self.kind);
        let title = title_html(&self.title);
        let icon = "<span class=\"callout-icon\" aria-hidden=\"true\"></span>";
        match self.fold {
            Some(open) => format!(
                "<details class=\"callout callout-{kind}\" data-callout=\"{kind}\"{}><summary class=\"callout-title\">{icon}{title}</summary><div class=\"callout-body\">\n",
                if open { " open" } else { "" }
            ),
            None => format!(
                "<div class=\"callout callout-{kind}\" data-callout=\"{kind}\"><p class=\"callout-title\">{icon}{title}</p><div class=\"callout-body\">\n"
            ),
        }
    }

    pub fn closing(&self) -> &'static str {
        match self.fold {
            Some(_) => "</div></details>\n",
            None => "</div></div>\n",
        }
    }
}

impl<'a> State<'a, '_> {
    /// The `[!NOTE] Title` line is already in the callout's title markup: its inline
    /// events (and its paragraph, when that is all the paragraph holds) are skipped.
    /// True when `event` is to be skipped.
    pub(super) fn skip_callout_title(
        &mut self,
        event: &Event<'a>,
        range: &std::ops::Range<usize>,
    ) -> bool {
        let Some(end) = self.callout_title_end else {
            return false;
        };
        let in_title = range.start < end;
        let skip = match event {
            Event::Start(Tag::Paragraph) => {
                let title_only = range.start < end
                    && self.src[range.clone()].trim_end().len() <= end - range.start;
                self.callout_para_skipped = title_only;
                title_only
            }
            Event::End(TagEnd::Paragraph) => std::mem::take(&mut self.callout_para_skipped),
            Event::Start(tag) => in_title && is_inline_tag(tag),
            Event::End(tag) => in_title && is_inline_tag_end(tag),
            Event::SoftBreak | Event::HardBreak => range.start <= end,
            Event::Text(_)
            | Event::Code(_)
            | Event::InlineHtml(_)
            | Event::InlineMath(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_) => in_title,
            _ => false,
        };
        if !skip && !matches!(event, Event::Start(Tag::Paragraph)) {
            self.callout_title_end = None;
        }
        skip
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callout_lines() {
        let c = parse("> [!NOTE]\n> body", 0).unwrap();
        assert_eq!(
            (c.kind.as_str(), c.title.as_str(), c.fold),
            ("note", "Note", None)
        );
        assert_eq!(c.title_end, 9);
        let c = parse("x\n> [!faq]- Why *this*?\n", 2).unwrap();
        assert_eq!(
            (c.kind.as_str(), c.title.as_str(), c.fold),
            ("faq", "Why *this*?", Some(false))
        );
        assert!(
            c.opening().contains(">Why <em>this</em>?</summary>"),
            "{}",
            c.opening()
        );
        let c = parse("> [!tip] <b onclick=x>`git` [tips](javascript:x)\n", 0).unwrap();
        assert!(
            c.opening()
                .contains("&lt;b onclick=x&gt;<code>git</code> tips</p>"),
            "{}",
            c.opening()
        );
        assert_eq!(parse("> [!x y]\n", 0), None);
        assert_eq!(parse("> plain\n", 0), None);
        assert!(parse("> [!tip]+\n", 0)
            .unwrap()
            .opening()
            .contains("<details class=\"callout callout-tip\" data-callout=\"tip\" open>"));
    }
}
