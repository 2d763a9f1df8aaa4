//! One fenced or indented code block → the theme's code-box HTML (language label, copy
//! button, highlighted `<pre>`), plus the unknown-language warning. Owns how fence info
//! strings are read; `highlight` owns what the language word means.
//!
//! Info strings: `python`, `js {2,4-6}` (highlighted lines), `js {.wrap}` and `{.wrap}`
//! (classes on the code box; a class naming a known language is the language, Pandoc
//! style). Highlighted lines are wrapped in `<span class="hl-line">`.

use crate::diagnostics::{Diagnostic, Pos};
use crate::note::highlight::{escape, Highlighter, Lang};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// A code block as found in a note, kept for search and later passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeBlock {
    /// Display name of the language (`Python`), `None` when plain.
    pub lang: Option<String>,
    /// Full name of the grammar that highlighted it (`Bourne Again Shell (bash)`; display
    /// names are not unique), `None` when plain: the highlight cache's key.
    pub syntax: Option<String>,
    pub code: String,
    pub pos: Pos,
}

/// What a fence info string asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FenceInfo {
    /// The language word before any `{…}` (`None` for a bare fence).
    pub word: Option<String>,
    /// `.class` names from `{…}`.
    pub classes: Vec<String>,
    /// Highlighted line ranges (1-based, inclusive) from `{2,4-6}`.
    pub lines: Vec<(u32, u32)>,
}

/// `python {1,3}` → word `python`, lines 1 and 3; `{.js}` → class `js`; `js {.wrap}`.
pub fn fence_info(info: &str) -> FenceInfo {
    let info = info.trim();
    let (head, braces) = info.split_once('{').unwrap_or((info, ""));
    let word = head
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
        .trim_start_matches('.');
    let mut fi = FenceInfo {
        word: (!word.is_empty()).then(|| word.to_string()),
        ..FenceInfo::default()
    };
    for group in braces.split('{') {
        let group = group.split('}').next().unwrap_or("");
        for token in group.split([' ', '\t']).filter(|t| !t.is_empty()) {
            if let Some(class) = token.strip_prefix('.') {
                if !class.is_empty()
                    && class
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '#'))
                    && !crate::note::sanitize::is_theme_class(class)
                {
                    fi.classes.push(class.to_string());
                }
            } else if let Some(v) = token
                .strip_prefix("data-line=")
                .or_else(|| token.strip_prefix("hl_lines="))
            {
                fi.lines.extend(line_ranges(v.trim_matches(['"', '\''])));
            } else {
                fi.lines.extend(line_ranges(token));
            }
        }
    }
    fi
}

/// `3,4-6` → `[(3, 3), (4, 6)]`; anything that is not a number or range is ignored.
pub fn line_ranges(spec: &str) -> Vec<(u32, u32)> {
    spec.split([',', ' '])
        .filter_map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a >= 1 && a <= b).then_some((a, b))
        })
        .collect()
}

/// The language word of a fence info string.
#[cfg(test)]
fn fence_word(info: &str) -> Option<String> {
    fence_info(info).word
}

/// Renders one block. `word` is the fence language word (`None` for indented blocks or a
/// bare fence); `pos` is where that word stands, for the diagnostic.
pub fn render(
    hl: &Highlighter,
    path: &str,
    info: &FenceInfo,
    text: String,
    pos: Pos,
) -> (String, CodeBlock, Option<Diagnostic>) {
    let mut classes = info.classes.clone();
    // `{.python}`: a class that names a language is the language (Pandoc, markdown-it).
    let from_class = match &info.word {
        Some(_) => None,
        None => classes
            .iter()
            .position(|c| matches!(hl.resolve(c), Lang::Known { .. }))
            .map(|i| classes.remove(i)),
    };
    let word = info.word.as_deref().or(from_class.as_deref()).unwrap_or("");
    let mut diagnostic = None;
    let mut syntax = None;
    let (lang, label, inner) = match hl.resolve(word) {
        Lang::Known { index, name } => {
            let inner = hl.highlight(index, &text).to_string();
            syntax = hl.syntax_name(index).map(str::to_string);
            (Some(name.clone()), name, inner)
        }
        Lang::Plain => {
            let label = if word.is_empty() { "text" } else { word };
            (None, label.to_string(), escape(&text))
        }
        Lang::Unknown { suggestion } => {
            let hint = suggestion
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            diagnostic = Some(Diagnostic::warning(
                path,
                pos,
                "unknown-language",
                format!("unknown fence language {word:?}{hint}; rendered as plain text"),
            ));
            (None, word.to_string(), escape(&text))
        }
    };
    let data_lang = lang
        .as_deref()
        .map_or_else(|| "text".to_string(), crate::slug::slugify);
    let inner = if info.lines.is_empty() {
        inner
    } else {
        mark_lines(&inner, &info.lines)
    };
    let class_list: String = classes.iter().map(|c| format!(" {}", escape(c))).collect();
    let mut html = String::with_capacity(inner.len() + 200);
    let _ = writeln!(
        html,
        "<div class=\"code{class_list}\" data-lang=\"{}\"><div class=\"code-bar\"><span class=\"code-lang\">{}</span><button type=\"button\" class=\"copy\" aria-label=\"Copy code\" hidden>Copy</button></div><pre class=\"hl\"><code>{}</code></pre></div>",
        escape(&data_lang),
        escape(&label),
        inner
    );
    let block = CodeBlock {
        lang,
        syntax,
        code: text,
        pos,
    };
    (html, block, diagnostic)
}

/// Wraps the listed lines of highlighted HTML in `<span class="hl-line">`. Highlight spans
/// are flat (never nested) but may run across lines: they are closed at the end of a
/// marked line and reopened after it, so every line's markup stays balanced.
fn mark_lines(html: &str, ranges: &[(u32, u32)]) -> String {
    let marked = |n: u32| ranges.iter().any(|&(a, b)| a <= n && n <= b);
    let mut out = String::with_capacity(html.len() + 64);
    let mut open_span: Option<&str> = None;
    for (i, line) in html.split_inclusive('\n').enumerate() {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let mark = marked(i as u32 + 1) && !(body.is_empty() && newline.is_empty());
        if mark {
            if open_span.is_some() {
                out.push_str("</span>");
            }
            out.push_str("<span class=\"hl-line\">");
            if let Some(tag) = open_span {
                out.push_str(tag);
            }
        }
        out.push_str(body);
        // Track the highlight span left open at the end of this line.
        let mut rest = body;
        while let Some(at) = rest.find("<span") {
            let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
            open_span = Some(&rest[at..end]);
            rest = &rest[end..];
            if let Some(close) = rest.find("</span>") {
                open_span = None;
                rest = &rest[close + 7..];
            }
        }
        if rest.contains("</span>") {
            open_span = None;
        }
        if mark {
            if open_span.is_some() {
                out.push_str("</span>");
            }
            out.push_str("</span>");
            if let Some(tag) = open_span {
                out.push_str(tag);
            }
        }
        out.push_str(newline);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_words() {
        assert_eq!(fence_word("python {1,3}").as_deref(), Some("python"));
        assert_eq!(fence_word("{.js}"), None);
        let fi = fence_info("js {2,4-6} {.wrap .cg-x}");
        assert_eq!(fi.word.as_deref(), Some("js"));
        assert_eq!(fi.classes, ["wrap"]);
        assert_eq!(fi.lines, [(2, 2), (4, 6)]);
        assert_eq!(fence_info("{.wrap}").classes, ["wrap"]);
        assert_eq!(fence_word("Bash,ignore").as_deref(), Some("Bash"));
        assert_eq!(fence_word("  "), None);
    }

    #[test]
    fn plain_and_unknown_blocks() {
        let hl = Highlighter::new();
        let plain = FenceInfo::default();
        let (html, block, d) = render(&hl, "a.md", &plain, "<x>\n".into(), Pos::new(1, 1));
        assert!(
            html.contains("data-lang=\"text\"") && html.contains("&lt;x&gt;"),
            "{html}"
        );
        assert!(block.lang.is_none() && d.is_none());
        let typo = fence_info("pyhton");
        let (html, _, d) = render(&hl, "a.md", &typo, "x\n".into(), Pos::new(3, 4));
        assert!(html.contains(">pyhton<"));
        let d = d.unwrap();
        assert_eq!(d.to_string(), "a.md:3:4: warning: unknown fence language \"pyhton\" (did you mean python?); rendered as plain text");
    }

    #[test]
    fn language_from_class_and_marked_lines() {
        let hl = Highlighter::new();
        let (html, block, d) = render(
            &hl,
            "a.md",
            &fence_info("{.python .wrap} {2}"),
            "a = 1\ns = \"\"\"x\ny\"\"\"\nz = 2\n".into(),
            Pos::new(1, 1),
        );
        assert!(d.is_none());
        assert_eq!(block.lang.as_deref(), Some("Python"));
        assert!(
            html.starts_with("<div class=\"code wrap\" data-lang=\"python\">"),
            "{html}"
        );
        assert_eq!(html.matches("class=\"hl-line\"").count(), 1, "{html}");
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count(),
            "{html}"
        );
        let (html, _, d) = render(
            &hl,
            "a.md",
            &fence_info("{.wrap}"),
            "x\n".into(),
            Pos::new(1, 1),
        );
        assert!(
            d.is_none() && html.contains("class=\"code wrap\""),
            "{html}"
        );
    }
}
