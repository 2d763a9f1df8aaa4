//! The cheat-sheet dialects on top of CommonMark+GFM, handled on the source text before
//! pulldown-cmark sees it (DESIGN: one place that knows kramdown/Jekyll and
//! markdown-it-attrs quirks):
//!
//! - Liquid: `{% raw %}`/`{% endraw %}` removed anywhere (the text between stays literal);
//!   any other `{% … %}` tag outside code is removed with a warning; `{{ … }}` is content.
//! - Block attribute lists on their own line, kramdown `{: .a data-x="1"}` and
//!   markdown-it/Pandoc `{.a .b}`: removed from the text and returned as `Attachment`s that
//!   the renderer puts on the block before them (no blank line between) or else the next.
//! - Tables without a header row get a hidden one (marked `HIDDEN_HEAD`); `|---|` lines
//!   inside a table's body become `BODY_SPLIT` rows (a new `tbody`).
//! - `[[s]](url)` is a link whose text is `[s]`, not a wikilink.
//!
//! Lines are only removed or added, or edited within a line, and `line_map` says which
//! source line each line of the new text came from, so diagnostics keep their lines.

use crate::diagnostics::{Diagnostic, Pos};

/// Cell text of a generated header row: the whole `<thead>` is dropped after rendering.
pub const HIDDEN_HEAD: &str = "\u{3}h";
/// Cell text of a row standing for a `|---|` body separator.
pub const BODY_SPLIT: &str = "\u{3}s";

/// Attributes from an attribute list that cheatgen puts on an element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BlockAttrs {
    pub classes: Vec<String>,
    pub id: Option<String>,
    /// `data-*` attributes (name without the `data-` prefix is never empty).
    pub data: Vec<(String, String)>,
}

impl BlockAttrs {
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty() && self.id.is_none() && self.data.is_empty()
    }

    pub fn extend(&mut self, other: BlockAttrs) {
        self.classes.extend(other.classes);
        self.id = other.id.or(self.id.take());
        self.data.extend(other.data);
    }
}

/// An attribute line removed from the text: `at` is the byte offset in the new text where
/// it stood; `after` means it applies to the block ending there, else to the next block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub at: usize,
    pub after: bool,
    pub attrs: BlockAttrs,
}

#[derive(Debug, Default)]
pub struct Prepared {
    pub text: String,
    /// For each line of `text` (0-based), the 0-based line of the original it came from.
    pub line_map: Vec<u32>,
    pub attachments: Vec<Attachment>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Rewrites `body` (whose first line is `first_line` in the file) for the parser.
pub fn prepare(body: &str, first_line: u32, path: &str) -> Prepared {
    let mut p = Prepared::default();
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let mut fence: Option<(char, usize)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let orig = i as u32;
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        let indent = content.len() - trimmed.len();
        // Fenced code: only `{% raw %}` wrappers are touched inside.
        if let Some((ch, len)) = fence {
            if indent < 4 && is_fence_close(trimmed, ch, len) {
                fence = None;
            }
            if let Some(kept) = strip_raw_tags(line) {
                push(&mut p, &kept, orig);
            }
            i += 1;
            continue;
        }
        if indent < 4 {
            if let Some(open) = fence_open(trimmed) {
                fence = Some(open);
                push(&mut p, line, orig);
                i += 1;
                continue;
            }
        }
        if is_toc_marker(trimmed) {
            // kramdown `* TOC` + `{:toc}`: the sheet has its own table of contents.
            let prev = p.text[..p.text.len().saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let last = p.text[prev..].trim();
            if matches!(last, "* TOC" | "- TOC" | "1. TOC" | "* toc" | "- toc") {
                p.text.truncate(prev);
                p.line_map.pop();
            }
            i += 1;
            continue;
        }
        if let Some(attrs) = parse_attribute_list(trimmed) {
            let after = i > 0 && !lines[i - 1].trim().is_empty();
            p.attachments.push(Attachment {
                at: p.text.len(),
                after,
                attrs,
            });
            i += 1;
            continue;
        }
        // A table starts a block: after a blank line, a heading or the start. After
        // paragraph text, `|` lines are that paragraph's continuation.
        let block_start = i == 0 || {
            let prev = lines[i - 1].trim();
            prev.is_empty() || prev.starts_with('#')
        };
        if trimmed.starts_with('|') && indent < 4 && block_start {
            let end = (i..lines.len())
                .find(|&j| !lines[j].trim_start().starts_with('|'))
                .unwrap_or(lines.len());
            push_table(&mut p, &lines[i..end], i as u32);
            i = end;
            continue;
        }
        let Some(kept) = strip_liquid(line, path, Pos::new(first_line + orig, 1), &mut p) else {
            i += 1;
            continue;
        };
        push(&mut p, &cite_links(&kept), orig);
        i += 1;
    }
    p
}

fn push(p: &mut Prepared, line: &str, orig: u32) {
    p.text.push_str(line);
    p.line_map.push(orig);
}

/// A run of `|` lines: a GFM table (header + delimiter) keeps its header and gets its
/// later delimiter lines as body splits; otherwise a hidden header is added.
fn push_table(p: &mut Prepared, rows: &[&str], first: u32) {
    let has_header = rows.len() > 1 && is_delimiter_row(rows[1]);
    if !has_header {
        let columns = rows.iter().map(|r| cell_count(r)).max().unwrap_or(1).max(1);
        let indent = &rows[0][..rows[0].len() - rows[0].trim_start().len()];
        let head = format!("{indent}|{}\n", format!(" {HIDDEN_HEAD} |").repeat(columns));
        let delimiter = format!("{indent}|{}\n", "---|".repeat(columns));
        push(p, &head, first);
        push(p, &delimiter, first);
    }
    for (n, row) in rows.iter().enumerate() {
        let orig = first + n as u32;
        let is_body = if has_header { n >= 2 } else { true };
        if is_body && is_delimiter_row(row) {
            let indent = &row[..row.len() - row.trim_start().len()];
            push(p, &format!("{indent}| {BODY_SPLIT} |\n"), orig);
        } else {
            let mut row = cite_links(row);
            if !row.ends_with('\n') {
                row.push('\n');
            }
            push(p, &row, orig);
        }
    }
}

/// `|---|:--:|`, `| --- | --- |`, `|-|` (kramdown also allows `+` joints).
fn is_delimiter_row(row: &str) -> bool {
    let t = row.trim();
    t.starts_with('|')
        && t.contains('-')
        && t.chars()
            .all(|c| matches!(c, '|' | '-' | ':' | '+' | ' ' | '\t'))
}

/// Cells in a row: `|` separators outside inline code and not escaped.
fn cell_count(row: &str) -> usize {
    let t = row.trim();
    let mut count = 0;
    let mut in_code = false;
    let mut prev = ' ';
    for c in t.chars() {
        match c {
            '`' => in_code = !in_code,
            '|' if !in_code && prev != '\\' => count += 1,
            _ => {}
        }
        prev = c;
    }
    // `| a | b |` has 3 pipes and 2 cells; without the closing pipe, as many as pipes.
    if t.ends_with('|') && count > 1 {
        count - 1
    } else {
        count.max(1)
    }
}

/// An opening code fence: (fence char, length).
fn fence_open(trimmed: &str) -> Option<(char, usize)> {
    let ch = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == ch).count();
    (len >= 3 && !(ch == '`' && trimmed[len..].contains('`'))).then_some((ch, len))
}

fn is_fence_close(trimmed: &str, ch: char, len: usize) -> bool {
    let run = trimmed.chars().take_while(|c| *c == ch).count();
    run >= len && trimmed[run..].trim().is_empty()
}

/// The line without `{% raw %}`/`{% endraw %}`; `None` when nothing but those was on it.
fn strip_raw_tags(line: &str) -> Option<String> {
    remove_liquid_tags(line, |tag, _, _| {
        matches!(liquid_name(tag), "raw" | "endraw")
    })
}

/// `{%- include x.html -%}` → `include`.
fn liquid_name(tag: &str) -> &str {
    tag.trim_start_matches("{%")
        .trim_end_matches("%}")
        .trim_matches(|c: char| c == '-' || c.is_whitespace())
        .split_whitespace()
        .next()
        .unwrap_or("")
}

/// Removes Liquid tags outside inline code, warning about all but `raw`/`endraw`.
/// `None` when the line held only tags.
fn strip_liquid(line: &str, path: &str, line_pos: Pos, p: &mut Prepared) -> Option<String> {
    remove_liquid_tags(line, |tag, at, in_code| {
        if matches!(liquid_name(tag), "raw" | "endraw") {
            return true;
        }
        if in_code {
            return false;
        }
        let column = line[..at].chars().count() as u32 + 1;
        p.diagnostics.push(Diagnostic::warning(
            path,
            Pos::new(line_pos.line, column),
            "liquid-tag",
            format!("Liquid tag `{}` is not supported; removed", tag.trim()),
        ));
        true
    })
}

/// The one scanner behind both: each `{% … %}` on the line goes to `remove(tag, byte
/// offset, inside inline code)`, which says whether it goes. `None` when something was
/// removed and nothing but blanks is left.
fn remove_liquid_tags(
    line: &str,
    mut remove: impl FnMut(&str, usize, bool) -> bool,
) -> Option<String> {
    if !line.contains("{%") {
        return Some(line.to_string());
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut removed = false;
    while let Some(start) = rest.find("{%") {
        let Some(len) = rest[start..].find("%}") else {
            break;
        };
        let tag = &rest[start..start + len + 2];
        out.push_str(&rest[..start]);
        let in_code = out.matches('`').count() % 2 == 1;
        if remove(tag, line.len() - rest.len() + start, in_code) {
            removed = true;
        } else {
            out.push_str(tag);
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    if removed && out.trim().is_empty() {
        None
    } else {
        Some(out)
    }
}

/// `[[s]](https://…)` (a citation) → `[\[s\]](https://…)`: a link whose text is `[s]`.
fn cite_links(line: &str) -> String {
    if !line.contains("]](") {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 4);
    let mut rest = line;
    while let Some(start) = rest.find("[[") {
        let tail = &rest[start + 2..];
        let in_code = format!("{out}{}", &rest[..start]).matches('`').count() % 2 == 1;
        match tail.find("]]") {
            Some(end)
                if !in_code && tail[end + 2..].starts_with('(') && !tail[..end].contains('[') =>
            {
                out.push_str(&rest[..start]);
                out.push_str("[\\[");
                out.push_str(&tail[..end]);
                out.push_str("\\]]");
                rest = &tail[end + 2..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{:toc}` / `{: toc}` / `{:.no_toc}`-free form of kramdown's table-of-contents marker.
fn is_toc_marker(line: &str) -> bool {
    let t = line.trim();
    matches!(t, "{:toc}" | "{: toc}" | "{:toc }" | "{: toc }")
}

/// A line that is only an attribute list: kramdown `{: .a #b data-x="1"}` or
/// markdown-it/Pandoc `{.a .b}` / `{#id}`. Only classes, an id and `data-*` are kept.
pub fn parse_attribute_list(line: &str) -> Option<BlockAttrs> {
    let line = line.trim();
    let inner = line.strip_prefix('{')?.strip_suffix('}')?;
    let inner = match inner.strip_prefix(':') {
        Some(kramdown) => kramdown,
        None if inner.starts_with(['.', '#']) => inner,
        None => return None,
    };
    if inner.contains(['{', '}']) {
        return None;
    }
    let mut attrs = BlockAttrs::default();
    for token in tokens(inner) {
        if let Some(class) = token.strip_prefix('.') {
            if is_name(class) && !crate::note::sanitize::is_theme_class(class) {
                attrs.classes.push(class.to_string());
            }
        } else if let Some(id) = token.strip_prefix('#') {
            if is_name(id) && !crate::note::sanitize::is_theme_class(id) {
                attrs.id = Some(id.to_string());
            }
        } else if let Some((key, value)) = token.split_once('=') {
            let key = key.to_ascii_lowercase();
            let value = value.trim_matches(['"', '\'']);
            if key.strip_prefix("data-").is_some_and(is_name) {
                attrs.data.push((key, value.to_string()));
            }
        }
    }
    Some(attrs)
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Whitespace-separated tokens, keeping quoted values (`title="a b"`) whole.
fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                cur.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(s: &str) -> Prepared {
        prepare(s, 1, "t.md")
    }

    #[test]
    fn attribute_lists_both_dialects() {
        let a =
            parse_attribute_list("{: .-three-column data-line=\"3,4\" onclick=x style=y}").unwrap();
        assert_eq!(a.classes, ["-three-column"]);
        assert_eq!(a.data, [("data-line".to_string(), "3,4".to_string())]);
        let a = parse_attribute_list("{.cols-2 .marker-none #keys}").unwrap();
        assert_eq!(a.classes, ["cols-2", "marker-none"]);
        assert_eq!(a.id.as_deref(), Some("keys"));
        assert_eq!(parse_attribute_list("{{ name }}"), None);
        assert_eq!(parse_attribute_list("{ \"a\": 1 }"), None);
        assert_eq!(
            parse_attribute_list("{: .cg-top}").unwrap().classes.len(),
            0
        );
    }

    #[test]
    fn attribute_lines_are_removed_and_attached() {
        let p = prep("| a |\n|---|\n| 1 |\n{: .-shortcuts}\n\n{.next}\npara\n");
        assert!(!p.text.contains('{'), "{}", p.text);
        assert_eq!(p.attachments.len(), 2);
        assert!(p.attachments[0].after);
        assert!(!p.attachments[1].after);
        assert_eq!(p.line_map, [0, 1, 2, 4, 6]);
    }

    #[test]
    fn headerless_and_separated_tables() {
        let p = prep("| a | b |\n| c | d |\n\n| h |\n|---|\n| 1 |\n|---|\n| 2 |\n");
        assert!(
            p.text.starts_with(&format!(
                "| {HIDDEN_HEAD} | {HIDDEN_HEAD} |\n|---|---|\n| a | b |"
            )),
            "{}",
            p.text
        );
        assert!(
            p.text.contains(&format!("| 1 |\n| {BODY_SPLIT} |\n| 2 |")),
            "{}",
            p.text
        );
        assert_eq!(p.line_map, [0, 0, 0, 1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn liquid_tags() {
        let p = prep("{% raw %}\n```js\n{% raw %}\n{{ x }}\n{% endraw %}\n```\n{% endraw %}\n{% include a.html %}\n`{% x %}` {{ y }}\n");
        assert_eq!(p.text, "```js\n{{ x }}\n```\n`{% x %}` {{ y }}\n");
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].line, 8);
        assert_eq!(p.line_map, [1, 3, 5, 8]);
    }

    #[test]
    fn kramdown_toc_marker_and_its_list_are_dropped() {
        let p = prep("intro\n\n* TOC\n{:toc}\n\n## A\n");
        assert_eq!(p.text, "intro\n\n\n## A\n");
        assert_eq!(p.line_map, [0, 1, 4, 5]);
    }

    #[test]
    fn citation_links_are_not_wikilinks() {
        assert_eq!(
            cite_links("see [[s]](https://x.org) [[w]]"),
            "see [\\[s\\]](https://x.org) [[w]]"
        );
        assert_eq!(cite_links("`[[s]](x)`"), "`[[s]](x)`");
    }
}
