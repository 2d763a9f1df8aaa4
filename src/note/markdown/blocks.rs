//! Block-level pieces of the event stream: attribute lists placed on the block they belong
//! to, captured top-level headings, code blocks.

use super::dialect::BlockAttrs;
use super::{Heading, State, ATTR_MARK, HEADING_MARK, PLACEHOLDER};
use crate::note::codeblock;
use crate::note::sanitize::balance;
use pulldown_cmark::{Event, Tag};

impl<'a> State<'a, '_> {
    /// Places the attribute lists that belong to the block starting here: one right after
    /// it (no blank line between) or one before it.
    pub(super) fn attach(&mut self, tag: &Tag, range: &std::ops::Range<usize>) {
        let mut attrs = BlockAttrs::default();
        let src = self.src;
        self.attachments.retain(|a| {
            let applies = if a.after {
                // Ranges may or may not include the block's trailing newline and blank line.
                let (lo, hi) = (range.end.min(a.at), range.end.max(a.at));
                range.start < a.at && src.get(lo..hi).is_some_and(|t| t.trim().is_empty())
            } else {
                range.start >= a.at
            };
            if applies {
                attrs.extend(a.attrs.clone());
            }
            !applies
        });
        if attrs.is_empty() {
            return;
        }
        if let (Tag::Heading { .. }, Some(h)) = (tag, &mut self.heading) {
            // Already capturing this top-level heading: attributes go to its section.
            h.classes.extend(attrs.classes);
            h.explicit_id = attrs.id.or(h.explicit_id.take());
            return;
        }
        if matches!(tag, Tag::Heading { .. }) && self.nest == 0 && self.heading.is_none() {
            self.pending_heading = Some(attrs);
            return;
        }
        if matches!(tag, Tag::CodeBlock(_)) {
            self.pending_code = Some(attrs);
            return;
        }
        let idx = self.block_attrs.len();
        self.block_attrs.push(attrs);
        self.sink()
            .push(Event::Html(format!("{ATTR_MARK}A{idx}{ATTR_MARK}").into()));
    }

    pub(super) fn finish_heading(&mut self) {
        let Some(h) = self.heading.take() else { return };
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, h.events.into_iter());
        if self.raw_tags && !self.opts.unsafe_html && html.contains('<') {
            html = balance(&html, PLACEHOLDER);
        }
        let idx = self.rendered.headings.len();
        self.rendered.headings.push(Heading {
            level: h.level,
            text: h.text.trim().to_string(),
            html: html.trim().to_string(),
            explicit_id: h.explicit_id,
            classes: h.classes,
            pos: h.pos,
        });
        self.out.push(Event::Html(
            format!("{HEADING_MARK}{idx}{HEADING_MARK}").into(),
        ));
    }

    pub(super) fn finish_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let (html, block, diagnostic) =
            codeblock::render(self.hl, self.path, &code.info, code.text, code.pos);
        self.rendered.diagnostics.extend(diagnostic);
        self.rendered.code_blocks.push(block);
        self.out.push(Event::Html(html.into()));
    }
}
