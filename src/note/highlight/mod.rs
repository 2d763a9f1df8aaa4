//! Syntax highlighting (syntect + two-face grammars) to compact, class-based HTML.
//!
//! syntect's own classed output nests a span per scope with every scope name as a class,
//! which is 10-20x the size of the code. Instead we run syntect's `Highlighter` with a
//! synthetic theme whose "colours" are indices into a small fixed palette of short classes
//! (Pygments/Chroma style: `k`, `s`, `c`, `nf`, …). That reuses syntect's fast selector
//! matching and gives one flat span per run of equal class; plain text gets no span.
//! The light/dark CSS maps each class to the real syntect themes' colours.
//!
//! The syntax set is loaded once, lazily, on the first code block of a build. Identical
//! (language, code) pairs are highlighted once per `Highlighter` (one per build or serve
//! session) and then served from its `HighlightCache`, which the build cache persists.

pub mod cache;
mod theme;

use crate::error::Error;
use cache::HighlightCache;
use std::sync::{Arc, OnceLock};
use syntect::highlighting::{
    HighlightState, Highlighter as ThemeHighlighter, RangedHighlightIterator, Theme,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

/// (class, scope selectors, representative scope used to look the colour up in a theme).
/// Order matters only for readability; syntect picks the most specific selector.
const PALETTE: &[(&str, &str, &str)] = &[
    ("c", "comment, punctuation.definition.comment", "comment.line"),
    ("s", "string, punctuation.definition.string", "string.quoted.double"),
    ("se", "constant.character.escape", "constant.character.escape"),
    ("sr", "string.regexp", "string.regexp"),
    ("m", "constant.numeric", "constant.numeric"),
    ("kc", "constant.language, constant.character, constant.other, support.constant, variable.other.constant", "constant.language"),
    ("k", "keyword, storage.modifier, keyword.control", "keyword.control"),
    ("o", "keyword.operator", "keyword.operator"),
    ("kd", "storage.type", "storage.type"),
    ("nc", "entity.name.type, entity.name.class, support.type, support.class, entity.other.inherited-class", "entity.name.class"),
    ("nf", "entity.name.function, support.function, variable.function, meta.function-call.generic", "entity.name.function"),
    ("nb", "support.function.builtin, variable.language, support.variable", "variable.language"),
    ("nv", "variable.parameter, variable.other.readwrite.shell, punctuation.definition.variable", "variable.parameter"),
    ("nt", "entity.name.tag", "entity.name.tag"),
    ("na", "entity.other.attribute-name, support.type.property-name, meta.object-literal.key, meta.mapping.key string", "entity.other.attribute-name"),
    ("nd", "meta.annotation, meta.decorator, entity.name.function.decorator, punctuation.definition.annotation", "meta.annotation"),
    ("nn", "entity.name.namespace, entity.name.section, entity.name.label, entity.name.module", "entity.name.namespace"),
    ("gh", "markup.heading", "markup.heading"),
    ("gi", "markup.inserted", "markup.inserted"),
    ("gd", "markup.deleted", "markup.deleted"),
    ("ge", "markup.italic", "markup.italic"),
    ("gs", "markup.bold", "markup.bold"),
    ("gu", "markup.underline.link, markup.link", "markup.underline.link"),
];

/// Fence words that mean "no highlighting" and must not warn.
const PLAIN_WORDS: &[&str] = &[
    "",
    "text",
    "txt",
    "plain",
    "plaintext",
    "none",
    "nohighlight",
    "output",
    "raw",
    "log",
];

/// Common fence names that are not a syntax name or file extension in the syntax set.
const ALIASES: &[(&str, &str)] = &[
    ("console", "bash"),
    ("shell", "bash"),
    ("shellsession", "bash"),
    ("shell-session", "bash"),
    ("terminal", "bash"),
    ("zsh", "bash"),
    ("sh", "bash"),
    ("py3", "python"),
    ("python3", "python"),
    ("pycon", "python"),
    ("ipython", "python"),
    ("golang", "go"),
    ("docker", "dockerfile"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("yml", "yaml"),
    ("rs", "rust"),
    ("js", "javascript"),
    ("node", "javascript"),
    ("ts", "typescript"),
    ("c++", "cpp"),
    ("csharp", "cs"),
    ("c#", "cs"),
    ("psql", "sql"),
    ("postgres", "sql"),
    ("postgresql", "sql"),
    ("mysql", "sql"),
    ("sqlite", "sql"),
    ("regex", "re"),
    ("regexp", "re"),
    ("make", "makefile"),
    ("viml", "vim"),
    ("hcl", "terraform"),
    ("tf", "terraform"),
    ("patch", "diff"),
    ("html5", "html"),
    ("xhtml", "html"),
    ("kt", "kotlin"),
    ("ps", "powershell"),
    ("ps1", "powershell"),
    ("pwsh", "powershell"),
    ("dotenv", "env"),
    ("protobuf", "proto"),
    ("objc", "objective-c"),
    ("elisp", "lisp"),
    ("emacs-lisp", "lisp"),
];

/// What a fence's language word means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lang {
    /// No language or an explicit plain word: no highlighting, no warning.
    Plain,
    /// A known syntax: index into the syntax set and its display name.
    Known { index: usize, name: String },
    /// Unknown word; a close known name if there is one.
    Unknown { suggestion: Option<String> },
}

pub struct Highlighter {
    syntaxes: OnceLock<SyntaxSet>,
    class_theme: Theme,
    cache: HighlightCache,
}

impl Default for Highlighter {
    fn default() -> Self {
        Self::new()
    }
}

impl Highlighter {
    pub fn new() -> Self {
        Highlighter {
            syntaxes: OnceLock::new(),
            class_theme: theme::class_theme(),
            cache: HighlightCache::new(palette_identity()),
        }
    }

    /// The (language, code) → HTML cache of this highlighter.
    pub fn cache(&self) -> &HighlightCache {
        &self.cache
    }

    /// Full name of the syntax at `index` (`Bourne Again Shell (bash)`).
    pub fn syntax_name(&self, index: usize) -> Option<&str> {
        Some(self.syntaxes().syntaxes().get(index)?.name.as_str())
    }

    fn syntaxes(&self) -> &SyntaxSet {
        self.syntaxes.get_or_init(two_face::syntax::extra_newlines)
    }

    /// Resolves a fence language word (case-insensitive, with aliases).
    pub fn resolve(&self, word: &str) -> Lang {
        let lower = word.trim().to_ascii_lowercase();
        if PLAIN_WORDS.contains(&lower.as_str()) {
            return Lang::Plain;
        }
        let token = ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(lower.as_str(), |(_, target)| target);
        let ss = self.syntaxes();
        let found = ss.find_syntax_by_token(token).or_else(|| {
            ss.syntaxes()
                .iter()
                .find(|s| s.name.to_ascii_lowercase() == token)
        });
        match found {
            Some(syntax) => {
                let index = ss
                    .syntaxes()
                    .iter()
                    .position(|s| std::ptr::eq(s, syntax))
                    .unwrap_or(0);
                Lang::Known {
                    index,
                    name: display_name(&syntax.name),
                }
            }
            None => Lang::Unknown {
                suggestion: self.suggest(&lower),
            },
        }
    }

    fn suggest(&self, word: &str) -> Option<String> {
        let ss = self.syntaxes();
        let names = ss
            .syntaxes()
            .iter()
            .flat_map(|s| {
                std::iter::once(s.name.to_ascii_lowercase())
                    .chain(s.file_extensions.iter().map(|e| e.to_ascii_lowercase()))
            })
            .chain(ALIASES.iter().map(|(a, _)| a.to_string()));
        let max = if word.chars().count() <= 4 { 1 } else { 2 };
        names
            .filter(|n| n.len() > 1)
            .map(|n| (strsim::damerau_levenshtein(word, &n), n))
            .filter(|(d, _)| *d <= max)
            .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
            .map(|(_, n)| n)
    }

    /// Highlights `code` as the syntax at `index`; returns the inner HTML of a `<code>`.
    pub fn highlight(&self, index: usize, code: &str) -> Arc<str> {
        let Some(syntax) = self.syntaxes().syntaxes().get(index) else {
            return escape(code).into();
        };
        let key = self.cache.key(&syntax.name, code);
        if let Some(hit) = self.cache.get(&key) {
            return hit;
        }
        let html: Arc<str> = self.highlight_uncached(index, code).into();
        self.cache.insert(key, Arc::clone(&html));
        html
    }

    fn highlight_uncached(&self, index: usize, code: &str) -> String {
        let ss = self.syntaxes();
        let Some(syntax) = ss.syntaxes().get(index) else {
            return escape(code);
        };
        let theme = ThemeHighlighter::new(&self.class_theme);
        let mut parse = ParseState::new(syntax);
        let mut state = HighlightState::new(&theme, ScopeStack::new());
        let mut out = Runs::with_capacity(code.len() * 2);
        let mut consumed = 0;
        for line in LinesWithEndings::from(code) {
            let Ok(ops) = parse.parse_line(line, ss) else {
                // A grammar failure is not the user's fault: show the rest plain.
                out.push(0, &code[consumed..]);
                return out.finish();
            };
            for (style, text, _) in RangedHighlightIterator::new(&mut state, &ops, line, &theme) {
                out.push(style.foreground.r, text);
            }
            consumed += line.len();
        }
        out.finish()
    }

    /// Theme CSS mapping palette classes to the light and dark themes' colours.
    pub fn theme_css(&self, light: &str, dark: &str) -> Result<String, Error> {
        theme::css(light, dark)
    }
}

/// Collects highlighted text, merging adjacent runs of one class.
struct Runs {
    out: String,
    class: u8,
    pending: String,
    /// Whitespace seen after `pending` whose class differs from it.
    gap: String,
}

impl Runs {
    fn with_capacity(n: usize) -> Self {
        Runs {
            out: String::with_capacity(n),
            class: 0,
            pending: String::new(),
            gap: String::new(),
        }
    }

    fn push(&mut self, class: u8, text: &str) {
        if class == self.class {
            self.pending.push_str(&self.gap);
            self.gap.clear();
            self.pending.push_str(text);
        } else if text.trim().is_empty() {
            // Whitespace between runs: joins the run only if the same class follows.
            self.gap.push_str(text);
        } else {
            self.flush();
            escape_into(&mut self.out, &self.gap);
            self.gap.clear();
            self.class = class;
            self.pending.push_str(text);
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        match PALETTE.get((self.class as usize).wrapping_sub(1)) {
            Some((name, _, _)) if self.class != 0 => {
                // Keep a trailing newline outside the span: lines then never start in one.
                let body = self.pending.trim_end_matches('\n');
                let tail = &self.pending[body.len()..];
                self.out.push_str("<span class=\"");
                self.out.push_str(name);
                self.out.push_str("\">");
                escape_into(&mut self.out, body);
                self.out.push_str("</span>");
                self.out.push_str(tail);
            }
            _ => escape_into(&mut self.out, &self.pending),
        }
        self.pending.clear();
    }

    fn finish(mut self) -> String {
        self.flush();
        escape_into(&mut self.out, &self.gap);
        self.out
    }
}

/// Identity of the class palette and the highlighting code that uses it: cached HTML made
/// with another palette is never reused.
fn palette_identity() -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(b"cheatgen flat class runs v1");
    for (class, selectors, scope) in PALETTE {
        for part in [class, selectors, scope] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    h.finalize()
}

/// Short label for a syntax: `Bourne Again Shell (bash)` → `bash`.
fn display_name(name: &str) -> String {
    match (name.find('('), name.rfind(')')) {
        (Some(a), Some(b)) if b > a + 1 => name[a + 1..b].to_string(),
        _ => name.to_string(),
    }
}

pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 16);
    escape_into(&mut s, text);
    s
}

/// HTML-escapes text content (`&`, `<`, `>`, and quotes so it is safe in attributes too).
pub fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_of(h: &Highlighter, word: &str) -> usize {
        match h.resolve(word) {
            Lang::Known { index, .. } => index,
            other => panic!("{word}: {other:?}"),
        }
    }

    #[test]
    fn case_insensitive_and_aliases() {
        let h = Highlighter::new();
        for w in [
            "Python",
            "py",
            "BASH",
            "sh",
            "console",
            "Json",
            "yml",
            "rs",
            "ts",
            "TypeScript",
            "toml",
            "Dockerfile",
            "JavaScript",
            "SQL",
            "Go",
            "C",
        ] {
            index_of(&h, w);
        }
        assert_eq!(index_of(&h, "console"), index_of(&h, "bash"));
        assert_eq!(h.resolve("text"), Lang::Plain);
        assert_eq!(h.resolve(""), Lang::Plain);
    }

    #[test]
    fn unknown_suggests() {
        let h = Highlighter::new();
        assert_eq!(
            h.resolve("pyhton"),
            Lang::Unknown {
                suggestion: Some("python".into())
            }
        );
        assert_eq!(h.resolve("zzzzqqq"), Lang::Unknown { suggestion: None });
    }

    #[test]
    fn flat_short_spans() {
        let h = Highlighter::new();
        let html = h.highlight(
            index_of(&h, "python"),
            "def f(x):\n    return \"a<b\"  # hi\n",
        );
        assert!(html.contains("<span class=\"k"), "{html}");
        assert!(
            html.contains("<span class=\"s\">&quot;a&lt;b&quot;</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"c\"># hi</span>"), "{html}");
        assert!(!html.contains("<span class=\"\""));
        // No nesting: spans never contain spans.
        assert!(!html.contains("<span class=\"s\"><span"));
    }

    #[test]
    fn theme_css_has_both_schemes() {
        let h = Highlighter::new();
        let css = h.theme_css("GitHub", "OneHalfDark").unwrap();
        assert!(css.contains(".hl .k {"), "{css}");
        assert!(css.contains("prefers-color-scheme: dark"));
        assert!(h.theme_css("Nope", "OneHalfDark").is_err());
    }
}
