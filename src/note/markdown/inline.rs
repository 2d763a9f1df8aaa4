//! Inline pieces of the event stream: images, links (internal ones become placeholders
//! for the site pass) and raw HTML (through the sanitiser, invented tags as spans).

use super::{is_external, LinkKind, LinkRef, State, PLACEHOLDER};
use crate::diagnostics::{Diagnostic, Pos};
use crate::note::highlight::{escape, escape_into};
use crate::note::sanitize::{is_dangerous_url, sanitize};
use pulldown_cmark::{CowStr, Event, LinkType, Tag};

impl<'a> State<'a, '_> {
    pub(super) fn finish_image(&mut self) {
        let Some(img) = self.image.take() else { return };
        let mut html = String::from("<img src=\"");
        if is_external(&img.src) {
            if is_dangerous_url(&img.src) {
                html.push('#');
            } else {
                escape_into(&mut html, &img.src);
            }
        } else {
            html.push_str(&self.placeholder('U', &img.src, LinkKind::Url, img.pos));
        }
        html.push_str("\" alt=\"");
        escape_into(&mut html, &img.alt);
        html.push('"');
        if !img.title.is_empty() {
            html.push_str(" title=\"");
            escape_into(&mut html, &img.title);
            html.push('"');
        }
        html.push_str(" loading=\"lazy\">");
        self.sink().push(Event::InlineHtml(html.into()));
    }

    pub(super) fn start_link(
        &mut self,
        link_type: LinkType,
        dest: CowStr<'a>,
        title: CowStr<'a>,
        id: CowStr<'a>,
        offset: usize,
    ) {
        let pos = self.lines.pos(offset);
        let wiki = matches!(link_type, LinkType::WikiLink { .. });
        if !wiki && (matches!(link_type, LinkType::Email) || is_external(&dest)) {
            if is_dangerous_url(&dest) {
                self.rendered.diagnostics.push(Diagnostic::warning(
                    self.path,
                    pos,
                    "unsafe-link",
                    format!("link to {:?} dropped: script URLs are not allowed", &*dest),
                ));
                self.link_stack.push(true);
                self.sink()
                    .push(Event::Html("<a class=\"broken-link\">".into()));
                return;
            }
            self.link_stack.push(false);
            self.sink().push(Event::Start(Tag::Link {
                link_type,
                dest_url: dest,
                title,
                id,
            }));
            return;
        }
        let kind = LinkKind::Anchor {
            title: title.to_string(),
        };
        let ph = self.placeholder('A', &dest, kind, pos);
        if wiki {
            if let Some(last) = self.rendered.links.last_mut() {
                last.wiki = true;
            }
        }
        self.link_stack.push(true);
        self.sink().push(Event::Html(ph.into()));
    }

    pub(super) fn placeholder(
        &mut self,
        tag: char,
        dest: &str,
        kind: LinkKind,
        pos: Pos,
    ) -> String {
        let idx = self.rendered.links.len();
        self.rendered.links.push(LinkRef {
            dest: dest.to_string(),
            kind,
            wiki: false,
            pos,
        });
        format!("{PLACEHOLDER}{tag}{idx}{PLACEHOLDER}")
    }

    /// `<yel>R</yel>`: an invented element, paired within its block, becomes
    /// `<span class="yel">`; an unpaired one (`<locals>`) is left to `filter_html`.
    pub(super) fn custom_tag(&mut self, raw: &str, end: usize) -> Option<String> {
        if self.opts.unsafe_html {
            return None;
        }
        let (name, closing) = crate::note::sanitize::custom_tag_name(raw)?;
        if closing {
            return self.open_inline.close_custom(&name);
        }
        let rest = &self.src[end..];
        let block = &rest[..rest.find("\n\n").unwrap_or(rest.len())];
        let close = format!("</{name}>");
        block
            .to_ascii_lowercase()
            .contains(&close)
            .then(|| self.open_inline.open_custom(&name))
    }

    pub(super) fn filter_html(&mut self, raw: &str, offset: usize) -> String {
        if self.opts.unsafe_html {
            return raw.to_string();
        }
        let pos = self.lines.pos(offset);
        let mut urls = Vec::new();
        let mut html = sanitize(raw, &mut self.open_inline, &mut |url| {
            if is_external(url) {
                escape(url)
            } else {
                urls.push(url.to_string());
                format!("{PLACEHOLDER}U?{}{PLACEHOLDER}", urls.len() - 1)
            }
        });
        self.raw_tags |= html.contains('<');
        // Number the raw-HTML URLs now that the closure no longer borrows `urls`.
        for (i, url) in urls.iter().enumerate() {
            let ph = self.placeholder('U', url, LinkKind::Url, pos);
            html = html.replacen(&format!("{PLACEHOLDER}U?{i}{PLACEHOLDER}"), &ph, 1);
        }
        html
    }
}
