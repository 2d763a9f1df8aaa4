//! pulldown-cmark events → HTML segments split at top-level headings, plus the headings,
//! code blocks and links found on the way. Pure: depends only on the text and options.
//!
//! The whole note goes through one `push_html` call (so footnote numbering stays
//! consistent); top-level headings are replaced by marker events and the HTML is split at
//! the markers afterwards, which is how `cards` gets per-section HTML cheaply.
//! Internal links are not resolved here (that needs the other notes): they are emitted as
//! placeholders (`\u{1}A3\u{1}`) that the site-wide link pass substitutes.

mod blocks;
mod callout;
mod dialect;
mod html_pass;
mod inline;

pub use html_pass::shift_placeholders;
use html_pass::{apply_block_attrs, fix_dialect_tables, split_segments, text_of_html};

use crate::diagnostics::{Diagnostic, LineIndex, Pos};
use crate::note::codeblock::{self, CodeBlock};
use crate::note::highlight::Highlighter;
use crate::note::sanitize::{balance, OpenInline};
use dialect::{Attachment, BlockAttrs};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

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

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LinkKind {
    /// `[text](dest)`: placeholder replaces the whole `<a …>` opening tag.
    Anchor { title: String },
    /// `![alt](src)` or raw-HTML `href`/`src`: placeholder replaces just the URL.
    Url,
}

/// An internal link awaiting resolution by the site pass.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
        if self.callout_title_end.is_some() && self.skip_callout_title(&event, &range) {
            return;
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
                    .filter(|c| !crate::note::sanitize::is_theme_class(c))
                    .collect();
                classes.extend(extra.classes);
                self.heading = Some(HeadingCapture {
                    level: heading_level(level),
                    explicit_id: extra.id.or(id
                        .filter(|i| !crate::note::sanitize::is_theme_class(i))
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
                let keep = |s: &CowStr| !crate::note::sanitize::is_theme_class(s);
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

#[cfg(test)]
mod tests;
