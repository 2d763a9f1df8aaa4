//! One fenced or indented code block → the theme's code-box HTML (language label, copy
//! button, highlighted `<pre>`), plus the unknown-language warning. Owns how fence info
//! strings are read; `highlight` owns what the language word means.

use crate::diagnostics::{Diagnostic, Pos};
use crate::highlight::{escape, Highlighter, Lang};
use std::fmt::Write as _;

/// A code block as found in a note, kept for search and later passes.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    /// Display name of the language (`Python`), `None` when plain.
    pub lang: Option<String>,
    pub code: String,
    pub pos: Pos,
}

/// The language word of a fence info string: `python {1,3}` → `python`, `{.js}` → `js`.
pub fn fence_word(info: &str) -> Option<String> {
    let word = info
        .trim()
        .trim_start_matches(['{', '.'])
        .split(|c: char| c.is_whitespace() || c == ',' || c == '{' || c == '}')
        .next()
        .unwrap_or("");
    (!word.is_empty()).then(|| word.to_string())
}

/// Renders one block. `word` is the fence language word (`None` for indented blocks or a
/// bare fence); `pos` is where that word stands, for the diagnostic.
pub fn render(
    hl: &Highlighter,
    path: &str,
    word: Option<&str>,
    text: String,
    pos: Pos,
) -> (String, CodeBlock, Option<Diagnostic>) {
    let word = word.unwrap_or("");
    let mut diagnostic = None;
    let (lang, label, inner) = match hl.resolve(word) {
        Lang::Known { index, name } => {
            let inner = hl.highlight(index, &text).to_string();
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
    let mut html = String::with_capacity(inner.len() + 200);
    let _ = writeln!(
        html,
        "<div class=\"code\" data-lang=\"{}\"><div class=\"code-bar\"><span class=\"code-lang\">{}</span><button type=\"button\" class=\"copy\" aria-label=\"Copy code\" hidden>Copy</button></div><pre class=\"hl\"><code>{}</code></pre></div>",
        escape(&data_lang),
        escape(&label),
        inner
    );
    let block = CodeBlock {
        lang,
        code: text,
        pos,
    };
    (html, block, diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_words() {
        assert_eq!(fence_word("python {1,3}").as_deref(), Some("python"));
        assert_eq!(fence_word("{.js}").as_deref(), Some("js"));
        assert_eq!(fence_word("Bash,ignore").as_deref(), Some("Bash"));
        assert_eq!(fence_word("  "), None);
    }

    #[test]
    fn plain_and_unknown_blocks() {
        let hl = Highlighter::new();
        let (html, block, d) = render(&hl, "a.md", None, "<x>\n".into(), Pos::new(1, 1));
        assert!(
            html.contains("data-lang=\"text\"") && html.contains("&lt;x&gt;"),
            "{html}"
        );
        assert!(block.lang.is_none() && d.is_none());
        let (html, _, d) = render(&hl, "a.md", Some("pyhton"), "x\n".into(), Pos::new(3, 4));
        assert!(html.contains(">pyhton<"));
        let d = d.unwrap();
        assert_eq!(d.to_string(), "a.md:3:4: warning: unknown fence language \"pyhton\" (did you mean python?); rendered as plain text");
    }
}
