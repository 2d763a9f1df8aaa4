//! Passes over the rendered HTML of a note: attribute-list markers onto their elements,
//! dialect table markers, placeholder renumbering, splitting at top-level headings.

use super::dialect::{BlockAttrs, BODY_SPLIT, HIDDEN_HEAD};
use super::{Segment, ATTR_MARK, HEADING_MARK, PLACEHOLDER};
use crate::note::highlight::escape;

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
pub(super) fn apply_block_attrs(html: &str, attrs: &[BlockAttrs]) -> String {
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
pub(super) fn fix_dialect_tables(html: &str) -> String {
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
pub(super) fn text_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        rest = rest[lt..].find('>').map_or("", |gt| &rest[lt + gt + 1..]);
    }
    text.push_str(rest);
    crate::note::sanitize::decode_entities(&text)
}

pub(super) fn split_segments(html: &str) -> Vec<Segment> {
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
