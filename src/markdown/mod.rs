//! pulldown-cmark events → HTML segments split at top-level headings, plus the headings,
//! code blocks and links found on the way. Pure: depends only on the text and options.
//!
//! The whole note goes through one `push_html` call (so footnote numbering stays
//! consistent); top-level headings are replaced by marker events and the HTML is split at
//! the markers afterwards, which is how `cards` gets per-section HTML cheaply.
//! Internal links are not resolved here (that needs the other notes): they are emitted as
//! placeholders (`\u{1}A3\u{1}`) that the site-wide link pass substitutes.

mod callout;
mod dialect;

use crate::codeblock::{self, CodeBlock};
use crate::diagnostics::{Diagnostic, LineIndex, Pos};
use crate::highlight::{escape, escape_into, Highlighter};
use crate::sanitize::{balance, is_dangerous_url, sanitize, OpenInline};
use dialect::{Attachment, BlockAttrs, BODY_SPLIT, HIDDEN_HEAD};
use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};

/// Marks a placeholder; user text never contains it (see `clean_control_chars`).
pub const PLACEHOLDER: char = '\u{1}';
const HEADING_MARK: char = '\u{2}';
/// Marks where an attribute list's attributes go: `\u{3}A7\u{3}` before an element's tag.
/// Also starts the dialect's table markers (`dialect::HIDDEN_HEAD`, `BODY_SPLIT`).
const ATTR_MARK: char = '\u{3}';

#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions {
    pub unsafe_html: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Html(String),
    /// Index into `Rendered::headings`.
    Heading(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    /// Plain text (for ids, titles and search).
    pub text: String,
    /// Inline HTML of the heading content.
    pub html: String,
    pub explicit_id: Option<String>,
    /// Classes from `{.class}` heading attributes and kramdown attribute lines under it.
    pub classes: Vec<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](dest)`: placeholder replaces the whole `<a …>` opening tag.
    Anchor { title: String },
    /// `![alt](src)` or raw-HTML `href`/`src`: placeholder replaces just the URL.
    Url,
}

/// An internal link awaiting resolution by the site pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub dest: String,
    pub kind: LinkKind,
    /// `[[target]]` rather than a Markdown/HTML link: resolved by title, stem or alias.
    pub wiki: bool,
    pub pos: Pos,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub segments: Vec<Segment>,
    pub headings: Vec<Heading>,
    pub code_blocks: Vec<CodeBlock>,
    pub links: Vec<LinkRef>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
}

/// Renders a note body. `first_line` is the body's line in the file (after front matter).
pub fn render(
    body: &str,
    first_line: u32,
    path: &str,
    opts: MarkdownOptions,
    hl: &Highlighter,
) -> Rendered {
    let body = clean_control_chars(body);
    let prepared = dialect::prepare(&body, first_line, path);
    let body = prepared.text;
    let lines = LineIndex::with_line_map(&body, first_line, prepared.line_map);
    let mut st = State {
        path,
        opts,
        hl,
        src: &body,
        lines: &lines,
        out: Vec::new(),
        rendered: Rendered::default(),
        nest: 0,
        heading: None,
        code: None,
        image: None,
        html_block: None,
        link_stack: Vec::new(),
        pending_heading: None,
        pending_code: None,
        quotes: Vec::new(),
        callout_title_end: None,
        callout_para_skipped: false,
        open_inline: OpenInline::default(),
        raw_tags: false,
        attachments: prepared.attachments,
        block_attrs: Vec::new(),
    };
    st.rendered.diagnostics = prepared.diagnostics;
    for (event, range) in Parser::new_ext(&body, parser_options()).into_offset_iter() {
        st.event(event, range);
    }
    st.close_inline();
    let State {
        out,
        mut rendered,
        raw_tags,
        block_attrs,
        ..
    } = st;
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    if html.contains(ATTR_MARK) {
        html = apply_block_attrs(&html, &block_attrs);
        html = fix_dialect_tables(&html);
    }
    rendered.segments = split_segments(&html);
    if raw_tags && !opts.unsafe_html {
        // Each segment ends up inside one card (or the intro): balance it there.
        for seg in &mut rendered.segments {
            if let Segment::Html(h) = seg {
                *h = balance(h, PLACEHOLDER);
            }
        }
    }
    rendered
}

fn clean_control_chars(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([PLACEHOLDER, HEADING_MARK, ATTR_MARK]) {
        text.replace([PLACEHOLDER, HEADING_MARK, ATTR_MARK], "\u{fffd}")
            .into()
    } else {
        text.into()
    }
}

struct HeadingCapture<'a> {
    level: u8,
    explicit_id: Option<String>,
    classes: Vec<String>,
    pos: Pos,
    events: Vec<Event<'a>>,
    text: String,
}

struct CodeCapture {
    info: codeblock::FenceInfo,
    pos: Pos,
    text: String,
}

struct ImageCapture {
    src: String,
    title: String,
    alt: String,
    pos: Pos,
}

struct State<'a, 's> {
    path: &'s str,
    opts: MarkdownOptions,
    hl: &'s Highlighter,
    src: &'s str,
    lines: &'s LineIndex<'s>,
    out: Vec<Event<'a>>,
    rendered: Rendered,
    /// Depth of open block/inline containers we pass through; 0 = top level.
    nest: usize,
    heading: Option<HeadingCapture<'a>>,
    code: Option<CodeCapture>,
    image: Option<ImageCapture>,
    html_block: Option<String>,
    /// For each open link: was it replaced by a placeholder?
    link_stack: Vec<bool>,
    /// Attribute lists for the top-level heading about to be captured.
    pending_heading: Option<BlockAttrs>,
    /// Attribute lists for the code block about to start.
    pending_code: Option<BlockAttrs>,
    /// For each open block quote: the closing markup when it is a callout.
    quotes: Vec<Option<&'static str>>,
    /// A callout's `[!TYPE] Title` line ends here: events before it are skipped.
    callout_title_end: Option<usize>,
    /// The callout's first paragraph held only the title line and was skipped.
    callout_para_skipped: bool,
    /// Inline elements opened by raw HTML in the current block.
    open_inline: OpenInline,
    /// Some raw-HTML tag passed the filter: segments need balancing.
    raw_tags: bool,
    /// Attribute lists still to place, in text order.
    attachments: Vec<Attachment>,
    /// Attributes placed by `ATTR_MARK` markers, by marker index.
    block_attrs: Vec<BlockAttrs>,
}

impl<'a> State<'a, '_> {
    fn sink(&mut self) -> &mut Vec<Event<'a>> {
        match &mut self.heading {
            Some(h) => &mut h.events,
            None => &mut self.out,
        }
    }

    /// Closes inline elements that raw HTML left open in the block that just ended.
    fn close_inline(&mut self) {
        if !self.open_inline.is_empty() {
            let closing = self.open_inline.close_all();
            self.sink().push(Event::InlineHtml(closing.into()));
        }
    }

    fn event(&mut self, event: Event<'a>, range: std::ops::Range<usize>) {
        if let Some(end) = self.callout_title_end {
            // The `[!NOTE] Title` line is already in the callout's title markup: its inline
            // events (and its paragraph, when that is all the paragraph holds) are skipped.
            let in_title = range.start < end;
            let skip = match &event {
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
            if skip {
                return;
            }
            if !matches!(event, Event::Start(Tag::Paragraph)) {
                self.callout_title_end = None;
            }
        }
        match &event {
            Event::Start(Tag::BlockQuote(_)) => {
                let callout = callout::parse(self.src, range.start);
                self.close_inline();
                self.nest += 1;
                match callout {
                    Some(c) => {
                        self.callout_title_end = Some(c.title_end);
                        self.quotes.push(Some(c.closing()));
                        self.sink().push(Event::Html(c.opening().into()));
                    }
                    None => {
                        self.quotes.push(None);
                        self.sink().push(event);
                    }
                }
                return;
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.close_inline();
                self.nest = self.nest.saturating_sub(1);
                match self.quotes.pop().flatten() {
                    Some(closing) => self.sink().push(Event::Html(closing.into())),
                    None => self.sink().push(event),
                }
                return;
            }
            _ => {}
        }
        let block_boundary = match &event {
            Event::Start(tag) => !is_inline_tag(tag),
            Event::End(tag) => !is_inline_tag_end(tag),
            Event::Rule => true,
            _ => false,
        };
        if block_boundary {
            self.close_inline();
        }
        if let Event::Start(tag) = &event {
            if !is_inline_tag(tag) && !self.attachments.is_empty() {
                self.attach(tag, &range);
            }
        }
        match event {
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) if self.nest == 0 && self.heading.is_none() => {
                let extra = self.pending_heading.take().unwrap_or_default();
                let mut classes: Vec<String> = classes
                    .iter()
                    .map(|c| c.to_string())
                    .filter(|c| !crate::sanitize::is_theme_class(c))
                    .collect();
                classes.extend(extra.classes);
                self.heading = Some(HeadingCapture {
                    level: heading_level(level),
                    explicit_id: extra.id.or(id
                        .filter(|i| !crate::sanitize::is_theme_class(i))
                        .map(|s| s.to_string())),
                    classes,
                    pos: self.lines.pos(range.start),
                    events: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) if self.nest == 0 && self.heading.is_some() => {
                self.finish_heading()
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let mut info = match &kind {
                    CodeBlockKind::Fenced(info) => codeblock::fence_info(info),
                    CodeBlockKind::Indented => codeblock::FenceInfo::default(),
                };
                if let Some(attrs) = self.pending_code.take() {
                    // `{: data-line="3,4"}` / `{: .wrap}` lines around the fence.
                    info.classes.extend(attrs.classes);
                    for (name, value) in &attrs.data {
                        if name == "data-line" {
                            info.lines.extend(codeblock::line_ranges(value));
                        }
                    }
                }
                let pos = match &info.word {
                    Some(w) => {
                        let line_end = self.src[range.start..]
                            .find('\n')
                            .map_or(self.src.len(), |i| range.start + i);
                        let at = self.src[range.start..line_end]
                            .find(w.as_str())
                            .map_or(range.start, |i| range.start + i);
                        self.lines.pos(at)
                    }
                    None => self.lines.pos(range.start),
                };
                self.code = Some(CodeCapture {
                    info,
                    pos,
                    text: String::new(),
                });
            }
            Event::End(TagEnd::CodeBlock) => self.finish_code(),
            Event::Text(t) if self.code.is_some() => {
                if let Some(c) = &mut self.code {
                    c.text.push_str(&t);
                }
            }
            Event::Text(t) | Event::Code(t) if self.image.is_some() => {
                if let Some(img) = &mut self.image {
                    img.alt.push_str(&t);
                }
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let pos = self.lines.pos(range.start);
                self.image = Some(ImageCapture {
                    src: dest_url.to_string(),
                    title: title.to_string(),
                    alt: String::new(),
                    pos,
                });
            }
            Event::End(TagEnd::Image) => self.finish_image(),
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(String::new()),
            Event::End(TagEnd::HtmlBlock) => {
                let mut raw = self.html_block.take().unwrap_or_default();
                if !self.opts.unsafe_html
                    && raw.trim_start().to_ascii_lowercase().starts_with("<style")
                {
                    // A sheet's own CSS would restyle the whole site: dropped, said where.
                    let lower = raw.to_ascii_lowercase();
                    let end = lower
                        .find("</style>")
                        .map_or(raw.len(), |i| i + "</style>".len());
                    self.rendered.diagnostics.push(Diagnostic::warning(
                        self.path,
                        self.lines.pos(range.start),
                        "style-block",
                        "<style> block dropped: notes cannot restyle the site (put CSS in the theme)",
                    ));
                    raw = raw[end..].to_string();
                }
                let mut html = self.filter_html(&raw, range.start);
                // Inline elements an HTML block leaves open end with it; block containers
                // (`<details>` … Markdown … `</details>`) stay open until the card's end.
                html.push_str(&self.open_inline.close_all());
                self.out.push(Event::Html(html.into()));
            }
            Event::Html(h) | Event::InlineHtml(h) if self.html_block.is_some() => {
                if let Some(b) = &mut self.html_block {
                    b.push_str(&h);
                }
            }
            Event::InlineHtml(h) => {
                if let Some(span) = self.custom_tag(&h, range.end) {
                    self.raw_tags = true;
                    self.sink().push(Event::InlineHtml(span.into()));
                    return;
                }
                let html = self.filter_html(&h, range.start);
                if let Some(heading) = &mut self.heading {
                    // `## make_pointwise.<locals>.inner`: the escaped text is part of the
                    // heading's plain text (ids, table of contents, search, `query`).
                    heading.text.push_str(&text_of_html(&html));
                }
                self.sink().push(Event::InlineHtml(html.into()));
            }
            Event::Html(h) => {
                let html = self.filter_html(&h, range.start);
                self.sink().push(Event::Html(html.into()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => self.start_link(link_type, dest_url, title, id, range.start),
            Event::End(TagEnd::Link) => {
                let ev = if self.link_stack.pop().unwrap_or(false) {
                    Event::Html("</a>".into())
                } else {
                    Event::End(TagEnd::Link)
                };
                self.sink().push(ev);
            }
            Event::Text(t) => {
                if let Some(h) = &mut self.heading {
                    h.text.push_str(&t);
                }
                self.sink().push(Event::Text(t));
            }
            Event::Code(t) => {
                if let Some(h) = &mut self.heading {
                    h.text.push_str(&t);
                }
                self.sink().push(Event::Code(t));
            }
            Event::Start(Tag::Heading {
                level, id, classes, ..
            }) => {
                // A nested heading (in a list or quote) renders through pulldown-cmark:
                // only safe attributes pass (`{onclick=…}` would otherwise be emitted).
                self.nest += 1;
                let keep = |s: &CowStr| !crate::sanitize::is_theme_class(s);
                self.sink().push(Event::Start(Tag::Heading {
                    level,
                    id: id.filter(keep),
                    classes: classes.into_iter().filter(keep).collect(),
                    attrs: Vec::new(),
                }));
            }
            Event::Start(tag) => {
                self.nest += 1;
                self.sink().push(Event::Start(tag));
            }
            Event::End(tag) => {
                self.nest = self.nest.saturating_sub(1);
                self.sink().push(Event::End(tag));
            }
            other => self.sink().push(other),
        }
    }

    /// Places the attribute lists that belong to the block starting here: one right after
    /// it (no blank line between) or one before it.
    fn attach(&mut self, tag: &Tag, range: &std::ops::Range<usize>) {
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

    fn finish_heading(&mut self) {
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

    fn finish_code(&mut self) {
        let Some(code) = self.code.take() else { return };
        let (html, block, diagnostic) =
            codeblock::render(self.hl, self.path, &code.info, code.text, code.pos);
        self.rendered.diagnostics.extend(diagnostic);
        self.rendered.code_blocks.push(block);
        self.out.push(Event::Html(html.into()));
    }

    fn finish_image(&mut self) {
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

    fn start_link(
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

    fn placeholder(&mut self, tag: char, dest: &str, kind: LinkKind, pos: Pos) -> String {
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
    fn custom_tag(&mut self, raw: &str, end: usize) -> Option<String> {
        if self.opts.unsafe_html {
            return None;
        }
        let (name, closing) = crate::sanitize::custom_tag_name(raw)?;
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

    fn filter_html(&mut self, raw: &str, offset: usize) -> String {
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

/// Renumbers link placeholders by `offset` (to merge a separately rendered fragment's
/// links after another fragment's).
pub fn shift_placeholders(html: &str, offset: usize) -> String {
    if offset == 0 || !html.contains(PLACEHOLDER) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 8);
    let mut parts = html.split(PLACEHOLDER);
    out.push_str(parts.next().unwrap_or(""));
    let mut inside = true;
    for part in parts {
        if inside {
            out.push(PLACEHOLDER);
            let kind = part.chars().next().unwrap_or('A');
            match part[kind.len_utf8()..].parse::<usize>() {
                Ok(n) => out.push_str(&format!("{kind}{}", n + offset)),
                Err(_) => out.push_str(part),
            }
            out.push(PLACEHOLDER);
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// Puts each `ATTR_MARK` marker's attributes on the element tag right after it: classes
/// joined to an existing `class`, `data-*` added, the id on elements that have none.
fn apply_block_attrs(html: &str, attrs: &[BlockAttrs]) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = rest.find(ATTR_MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let parsed = after
            .strip_prefix('A')
            .and_then(|a| a.find(ATTR_MARK).map(|end| (&a[..end], &a[end + 1..])));
        let Some((idx, tail)) = parsed else {
            // A table marker (`HIDDEN_HEAD`, `BODY_SPLIT`): handled by `fix_dialect_tables`.
            out.push(ATTR_MARK);
            rest = after;
            continue;
        };
        let Some(block) = idx.parse::<usize>().ok().and_then(|i| attrs.get(i)) else {
            rest = tail;
            continue;
        };
        let ws = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..ws]);
        let tail = &tail[ws..];
        let tag_end = tail.find('>').filter(|_| tail.starts_with('<'));
        let Some(tag_end) = tag_end else {
            rest = tail;
            continue;
        };
        let tag = &tail[..tag_end];
        let name_end = tag[1..]
            .find(|c: char| c.is_whitespace() || c == '/')
            .map_or(tag.len(), |i| i + 1);
        let mut new_tag = tag[..name_end].to_string();
        let mut own = tag[name_end..].to_string();
        let classes = block.classes.join(" ");
        if !classes.is_empty() {
            match own.find(" class=\"") {
                Some(at) => own.insert_str(at + 8, &format!("{} ", escape(&classes))),
                None => own.push_str(&format!(" class=\"{}\"", escape(&classes))),
            }
        }
        if let Some(id) = block.id.as_deref().filter(|_| !own.contains(" id=\"")) {
            own.push_str(&format!(" id=\"{}\"", escape(id)));
        }
        for (name, value) in &block.data {
            if !own.contains(&format!(" {name}=")) {
                own.push_str(&format!(" {name}=\"{}\"", escape(value)));
            }
        }
        new_tag.push_str(&own);
        out.push_str(&new_tag);
        rest = &tail[tag_end..];
    }
    out.push_str(rest);
    out
}

/// Drops the generated header of headerless tables and turns body-separator rows into a
/// new `tbody`.
fn fix_dialect_tables(html: &str) -> String {
    let mut out = html.to_string();
    let hidden = format!("<th>{HIDDEN_HEAD}</th>");
    while let Some(at) = out.find(&hidden) {
        let start = out[..at].rfind("<thead>");
        let end = out[at..]
            .find("</thead>")
            .map(|e| at + e + "</thead>".len());
        match (start, end) {
            (Some(s), Some(e)) => out.replace_range(s..e, ""),
            _ => out.replace_range(at..at + hidden.len(), "<th></th>"),
        }
    }
    let split = format!("<td>{BODY_SPLIT}</td>");
    while let Some(at) = out.find(&split) {
        let start = out[..at].rfind("<tr>");
        let end = out[at..].find("</tr>").map(|e| at + e + "</tr>".len());
        match (start, end) {
            (Some(s), Some(e)) => out.replace_range(s..e, "</tbody><tbody>"),
            _ => out.replace_range(at..at + split.len(), "<td></td>"),
        }
    }
    // Markers that did not end up in a table cell are never shown.
    out.replace(HIDDEN_HEAD, "").replace(BODY_SPLIT, "")
}

/// The text a reader sees in a sanitised HTML fragment: tags dropped, entities decoded.
fn text_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = rest[lt..].find('>').map_or("", |gt| &rest[lt + gt + 1..]);
    }
    text.push_str(rest);
    crate::sanitize::decode_entities(&text)
}

/// Has a URL scheme (`https:`, `mailto:`) or is protocol-relative.
pub fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    colon > 1
        && scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Tags that live inside a block's inline content (raw inline HTML may span them).
fn is_inline_tag(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_tag_end(tag: &TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

fn split_segments(html: &str) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(HEADING_MARK) {
        let Some(len) = rest[start + 1..].find(HEADING_MARK) else {
            break;
        };
        let before = &rest[..start];
        if !before.trim().is_empty() {
            segments.push(Segment::Html(before.to_string()));
        }
        if let Ok(idx) = rest[start + 1..start + 1 + len].parse() {
            segments.push(Segment::Heading(idx));
        }
        rest = &rest[start + len + 2..];
    }
    if !rest.trim().is_empty() {
        segments.push(Segment::Html(rest.to_string()));
    }
    segments
}

#[cfg(test)]
mod tests;
