//! The safe raw-HTML policy, in two layers.
//!
//! 1. `sanitize`, per raw-HTML piece as pulldown-cmark hands it over: a small allow-list of
//!    tags and attributes passes, everything else is escaped and shown as the text the
//!    author typed. Notes are full of things that look like tags but are prose
//!    (`make_pointwise.<locals>.inner`, `Vec<String>`, `<function f at 0x7f…>`), so unknown
//!    tags are escaped, never dropped: dropping would silently eat the author's text.
//!    Inline elements opened by raw HTML are tracked in `OpenInline` and closed where their
//!    Markdown block ends, so an unclosed `<a href=…>` cannot spread over what follows.
//! 2. `balance`, per rendered fragment (one card's piece of HTML): ammonia (html5ever)
//!    parses it as a fragment and re-serialises it balanced, with its own allow-list as a
//!    second fence, so `</div></div><div>` cannot close or open anything outside the card.
//!
//! Theme class names (`cg-*`) never pass from user markup.

use crate::highlight::escape_into;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "blockquote",
    "br",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];
const VOID_TAGS: &[&str] = &["br", "hr", "img", "wbr"];
const ALLOWED_ATTRS: &[&str] = &[
    "title", "class", "lang", "dir", "align", "colspan", "rowspan", "open", "alt", "width",
    "height", "start", "reversed", "datetime", "cite",
];
const URL_ATTRS: &[&str] = &["href", "src"];

/// Phrasing elements: opened by inline raw HTML, they must close within their block.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "u", "var",
];

/// Every element name HTML defines (and a few obsolete ones). A paired tag with any
/// other name is an invented one (`<yel>R</yel>`), rendered as a classed `<span>`; these
/// stay under the allow-list policy (escaped when not allowed).
const HTML_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "bgsound",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "image",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "menuitem",
    "meta",
    "meter",
    "nav",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "plaintext",
    "portal",
    "pre",
    "progress",
    "q",
    "rb",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
];

/// `<yel>` / `</yel>`: the name of an invented element in a bare tag (no attributes).
pub fn custom_tag_name(raw: &str) -> Option<(String, bool)> {
    let inner = raw.trim().strip_prefix('<')?.strip_suffix('>')?;
    let (closing, name) = match inner.strip_prefix('/') {
        Some(n) => (true, n),
        None => (false, inner),
    };
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !is_theme_class(name);
    let name = name.to_ascii_lowercase();
    (ok && !HTML_ELEMENTS.contains(&name.as_str())).then_some((name, closing))
}

/// An element opened by raw HTML: its tag, and for invented elements rendered as a
/// `<span>`, the invented name.
#[derive(Debug)]
struct Open {
    tag: String,
    custom: Option<String>,
}

/// Inline elements opened by raw HTML in the current Markdown block and not closed yet.
#[derive(Debug, Default)]
pub struct OpenInline(Vec<Open>);

impl OpenInline {
    /// Closing tags for everything still open (innermost first); empties the stack.
    pub fn close_all(&mut self) -> String {
        self.0
            .drain(..)
            .rev()
            .map(|o| format!("</{}>", o.tag))
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `<yel>` whose `</yel>` follows in the block: the `<span class="yel">` to emit.
    pub fn open_custom(&mut self, name: &str) -> String {
        self.0.push(Open {
            tag: "span".into(),
            custom: Some(name.to_string()),
        });
        format!("<span class=\"{name}\">")
    }

    /// `</yel>` closing an open invented element: the `</span>` to emit.
    pub fn close_custom(&mut self, name: &str) -> Option<String> {
        let i = self
            .0
            .iter()
            .rposition(|o| o.custom.as_deref() == Some(name))?;
        let closing = self.0[i..]
            .iter()
            .rev()
            .map(|o| format!("</{}>", o.tag))
            .collect();
        self.0.truncate(i);
        Some(closing)
    }

    /// Records an emitted tag; false for a closing inline tag with no opening one (the
    /// caller drops it rather than let it close something outside the note's markup).
    fn record(&mut self, name: &str, closing: bool) -> bool {
        if !INLINE_TAGS.contains(&name) {
            return true;
        }
        if !closing {
            self.0.push(Open {
                tag: name.to_string(),
                custom: None,
            });
            return true;
        }
        match self
            .0
            .iter()
            .rposition(|o| o.tag == name && o.custom.is_none())
        {
            Some(i) => {
                self.0.truncate(i);
                true
            }
            None => false,
        }
    }
}

/// Filters one chunk of raw HTML. `rewrite_url` gets each `href`/`src` value (already
/// known not to be a `javascript:`-style URL) and returns the attribute text to emit.
/// `open` tracks the inline elements left open across chunks of one block.
pub fn sanitize(
    html: &str,
    open: &mut OpenInline,
    rewrite_url: &mut dyn FnMut(&str) -> String,
) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let candidate = &rest[lt..];
        if let Some(end) = candidate.strip_prefix("<!--").and_then(|c| c.find("-->")) {
            // Comments are invisible in the page anyway; dropping them keeps `-->` tricks out.
            rest = &candidate[4 + end + 3..];
            continue;
        }
        match parse_tag(candidate) {
            Some(tag) if ALLOWED_TAGS.contains(&tag.name.as_str()) => {
                let void = VOID_TAGS.contains(&tag.name.as_str());
                if void || open.record(&tag.name, tag.closing) {
                    emit_tag(&mut out, &tag, rewrite_url);
                }
                rest = &candidate[tag.len..];
            }
            Some(tag) => {
                escape_into(&mut out, &candidate[..tag.len]);
                rest = &candidate[tag.len..];
            }
            None => {
                out.push_str("&lt;");
                rest = &candidate[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, Option<String>)>,
    /// Bytes of the source the tag spans.
    len: usize,
}

fn parse_tag(s: &str) -> Option<Tag> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
        i += 1;
    }
    if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        let ws_start = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => break,
            b'/' if bytes.get(i + 1) == Some(&b'>') => {
                i += 1;
                break;
            }
            _ if closing || i == ws_start => return None,
            _ => {}
        }
        let attr_start = i;
        i = scan_until(bytes, i, |b| {
            b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'>' | b'/' | b'=' | b'<')
        })?;
        let attr = s[attr_start..i].to_ascii_lowercase();
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) == Some(&b'=') {
            j += 1;
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let (value, next) = match bytes.get(j)? {
                q @ (b'"' | b'\'') => {
                    let close = s[j + 1..].find(*q as char)? + j + 1;
                    (&s[j + 1..close], close + 1)
                }
                _ => {
                    let start = j;
                    let end = scan_until(bytes, j, |b| {
                        b.is_ascii_whitespace()
                            || matches!(b, b'"' | b'\'' | b'=' | b'<' | b'>' | b'`')
                    })?;
                    (&s[start..end], end)
                }
            };
            attrs.push((attr, Some(value.to_string())));
            i = next;
        } else {
            attrs.push((attr, None));
        }
    }
    Some(Tag {
        name,
        closing,
        attrs,
        len: i + 1,
    })
}

fn emit_tag(out: &mut String, tag: &Tag, rewrite_url: &mut dyn FnMut(&str) -> String) {
    if tag.closing {
        if !VOID_TAGS.contains(&tag.name.as_str()) {
            out.push_str("</");
            out.push_str(&tag.name);
            out.push('>');
        }
        return;
    }
    out.push('<');
    out.push_str(&tag.name);
    for (name, value) in &tag.attrs {
        let is_url = URL_ATTRS.contains(&name.as_str());
        if !is_url && !ALLOWED_ATTRS.contains(&name.as_str()) {
            continue;
        }
        out.push(' ');
        out.push_str(name);
        let Some(value) = value else { continue };
        out.push_str("=\"");
        if is_url {
            let decoded = decode_entities(value);
            if is_dangerous_url(&decoded) {
                out.push('#');
            } else {
                out.push_str(&rewrite_url(&decoded));
            }
        } else if name == "class" {
            escape_into(out, &without_theme_classes(&decode_entities(value)));
        } else {
            escape_into(out, &decode_entities(value));
        }
        out.push('"');
    }
    out.push('>');
}

/// A class list without the theme's own `cg-*` names (user markup cannot restyle or pose
/// as the page's chrome).
pub fn without_theme_classes(classes: &str) -> String {
    classes
        .split_ascii_whitespace()
        .filter(|c| !is_theme_class(c))
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn is_theme_class(class: &str) -> bool {
    class.len() >= 3 && class[..3].eq_ignore_ascii_case("cg-")
}

/// What the rendered Markdown itself emits beyond the raw-HTML allow-list.
const RENDERED_TAGS: &[&str] = &[
    "h1", "h2", "h3", "h4", "h5", "h6", "button", "input", "section", "aside", "nav",
];

/// The second layer: ammonia with the union of both allow-lists. Immutable once built.
static BALANCER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let attrs = |list: &[&'static str]| list.iter().copied().collect::<HashSet<_>>();
    let mut tag_attributes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    tag_attributes.insert("a", attrs(&["href", "title", PLACEHOLDER_ATTR]));
    tag_attributes.insert(
        "img",
        attrs(&["src", "alt", "title", "width", "height", "loading"]),
    );
    tag_attributes.insert("th", attrs(&["style", "align", "colspan", "rowspan"]));
    tag_attributes.insert("td", attrs(&["style", "align", "colspan", "rowspan"]));
    tag_attributes.insert("input", attrs(&["type", "checked", "disabled"]));
    tag_attributes.insert("button", attrs(&["type", "aria-label"]));
    tag_attributes.insert("ol", attrs(&["start", "reversed"]));
    tag_attributes.insert("details", attrs(&["open"]));
    for tag in ["q", "blockquote", "del", "ins"] {
        tag_attributes.insert(tag, attrs(&["cite", "datetime"]));
    }
    let mut b = ammonia::Builder::default();
    b.tags(ALLOWED_TAGS.iter().chain(RENDERED_TAGS).copied().collect())
        .generic_attributes(attrs(&[
            "class", "id", "title", "lang", "dir", "hidden", "align",
        ]))
        .generic_attribute_prefixes(attrs(&["data-"]))
        .tag_attributes(tag_attributes)
        .filter_style_properties(attrs(&["text-align"]))
        // Beyond ammonia's web schemes: app links people keep in notes.
        .add_url_schemes([
            "obsidian",
            "vscode",
            "vscode-insiders",
            "zotero",
            "file",
            "slack",
            "zoommtg",
            "spotify",
            "steam",
            "x-devonthink-item",
            "dict",
            "man",
        ])
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(|_element, attribute, value| match attribute {
            "class" => Some(Cow::Owned(without_theme_classes(value))),
            "href" | "src" if is_dangerous_url(value) => None,
            _ => Some(Cow::Borrowed(value)),
        });
    b
});

/// Stands in for an internal-link placeholder (which replaces a whole `<a …>` opening tag)
/// while a fragment is balanced, so the parser sees the `<a>` its `</a>` closes.
const PLACEHOLDER_ATTR: &str = "data-cg-link";

/// Re-serialises a rendered fragment balanced: stray closing tags dropped, open elements
/// closed at its end, nothing outside the allow-lists. `anchor_placeholder` tells a link
/// placeholder's index from the text at a position (see `markdown`).
pub fn balance(html: &str, placeholder: char) -> String {
    let marker = |idx: &str| format!("<a {PLACEHOLDER_ATTR}=\"{idx}\">");
    // Placeholders `\u{1}A3\u{1}` stand for opening `<a>` tags; show them to the parser as such.
    let mut prepared = String::with_capacity(html.len() + 32);
    let mut rest = html;
    while let Some(start) = rest.find(placeholder) {
        let after = &rest[start + placeholder.len_utf8()..];
        let end = after.find(placeholder);
        match end.filter(|_| after.starts_with('A')) {
            Some(end) => {
                prepared.push_str(&rest[..start]);
                prepared.push_str(&marker(&after[1..end]));
                rest = &after[end + placeholder.len_utf8()..];
            }
            None => {
                let upto =
                    start + placeholder.len_utf8() + end.map_or(0, |e| e + placeholder.len_utf8());
                prepared.push_str(&rest[..upto]);
                rest = &rest[upto..];
            }
        }
    }
    prepared.push_str(rest);
    let cleaned = BALANCER.clean(&prepared).to_string();
    if !cleaned.contains(PLACEHOLDER_ATTR) {
        return cleaned;
    }
    let mut out = String::with_capacity(cleaned.len());
    let open = format!("<a {PLACEHOLDER_ATTR}=\"");
    let mut rest = cleaned.as_str();
    while let Some(start) = rest.find(&open) {
        out.push_str(&rest[..start]);
        let after = &rest[start + open.len()..];
        match after.find("\">") {
            Some(end) => {
                out.push(placeholder);
                out.push('A');
                out.push_str(&after[..end]);
                out.push(placeholder);
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `javascript:`, `vbscript:` and non-image `data:` URLs never reach the page.
pub fn is_dangerous_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    cleaned.starts_with("javascript:")
        || cleaned.starts_with("vbscript:")
        || (cleaned.starts_with("data:") && !cleaned.starts_with("data:image/"))
}

/// Decodes the entities that matter for attribute values and our own escaped text (named
/// basics and numeric). Also used by search to read text back out of rendered HTML.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "colon" => Some(':'),
            "nbsp" => Some(' '),
            "Tab" | "NewLine" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Index of the first byte from `start` that matches `stop` (or the end); `None` when
/// that would be an empty run, which is never a valid attribute name or unquoted value.
fn scan_until(bytes: &[u8], start: usize, stop: impl Fn(u8) -> bool) -> Option<usize> {
    let end = bytes[start..]
        .iter()
        .position(|&b| stop(b))
        .map_or(bytes.len(), |p| start + p);
    (end > start).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        sanitize(s, &mut OpenInline::default(), &mut |u| {
            crate::highlight::escape(u)
        })
    }

    #[test]
    fn unknown_tags_are_escaped_not_dropped() {
        assert_eq!(clean("<locals>"), "&lt;locals&gt;");
        assert_eq!(
            clean("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(clean("Vec<String>"), "Vec&lt;String&gt;");
    }

    #[test]
    fn allowed_tags_pass_with_safe_attributes() {
        assert_eq!(clean("<kbd>Ctrl</kbd>"), "<kbd>Ctrl</kbd>");
        assert_eq!(clean("<br/>"), "<br>");
        assert_eq!(
            clean("<a href=\"https://x.org\" onclick=\"evil()\">x</a>"),
            "<a href=\"https://x.org\">x</a>"
        );
        assert_eq!(
            clean("<a href=\"javascript:alert(1)\">x</a>"),
            "<a href=\"#\">x</a>"
        );
        assert_eq!(
            clean("<a href=\"&#106;ava&#x73;cript:alert(1)\">x</a>"),
            "<a href=\"#\">x</a>"
        );
        assert_eq!(
            clean("<details open><summary>Hi</summary>"),
            "<details open><summary>Hi</summary>"
        );
        assert_eq!(
            clean("<img src=x.png alt='a \"b\"'>"),
            "<img src=\"x.png\" alt=\"a &quot;b&quot;\">"
        );
    }

    #[test]
    fn broken_markup_is_text() {
        assert_eq!(clean("a < b"), "a &lt; b");
        assert_eq!(clean("<kbd"), "&lt;kbd");
        assert_eq!(clean("<!-- hidden -->shown"), "shown");
        assert_eq!(clean("<!-- open"), "&lt;!-- open");
    }
}
