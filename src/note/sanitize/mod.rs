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

mod balance;
mod names;
mod open;

pub use balance::balance;
pub use names::custom_tag_name;
pub use open::OpenInline;

use crate::note::highlight::escape_into;
use names::{ALLOWED_ATTRS, ALLOWED_TAGS, URL_ATTRS, VOID_TAGS};

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
            crate::note::highlight::escape(u)
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
