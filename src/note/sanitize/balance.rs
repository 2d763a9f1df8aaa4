//! The second layer: each rendered fragment re-parsed by ammonia (html5ever) and
//! re-serialised balanced, with an allow-list of its own.

use super::names::{ALLOWED_TAGS, RENDERED_TAGS};
use super::{is_dangerous_url, without_theme_classes};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

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
