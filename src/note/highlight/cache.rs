//! The highlight cache: (language, palette identity, code) → highlighted HTML.
//!
//! Highlighting (syntect) is most of a cold build's time, and a code block's HTML depends
//! only on its language's grammar, the class palette and its text. One `Highlighter` keeps
//! this map for a build or a `serve` session; the persisted build cache (`build::cache`)
//! saves the entries of the current notes' blocks and seeds the next build with them, so a
//! changed note re-highlights only its changed blocks.
//!
//! Keys use the grammar's full name, which each `CodeBlock` records (`syntax`), so the build
//! cache can tell which entries the current notes still use.

use crate::note::codeblock::CodeBlock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Highlighted inner HTML of a `<code>`, shared between the notes that contain it.
pub type HighlightedHtml = Arc<str>;

pub struct HighlightCache {
    /// Identity of the class palette: HTML highlighted with another palette never matches.
    palette: blake3::Hash,
    entries: Mutex<HashMap<blake3::Hash, HighlightedHtml>>,
    highlighted: AtomicUsize,
    reused: AtomicUsize,
}

/// How many blocks were highlighted by syntect and how many came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HighlightCounts {
    pub highlighted: usize,
    pub reused: usize,
}

impl HighlightCache {
    pub(super) fn new(palette: blake3::Hash) -> Self {
        HighlightCache {
            palette,
            entries: Mutex::new(HashMap::new()),
            highlighted: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
        }
    }

    /// The key of `code` highlighted with the grammar named `syntax`.
    pub fn key(&self, syntax: &str, code: &str) -> blake3::Hash {
        let mut h = blake3::Hasher::new();
        h.update(self.palette.as_bytes());
        h.update(&(syntax.len() as u64).to_le_bytes());
        h.update(syntax.as_bytes());
        h.update(code.as_bytes());
        h.finalize()
    }

    pub(super) fn get(&self, key: &blake3::Hash) -> Option<HighlightedHtml> {
        let hit = self.entries.lock().ok()?.get(key).cloned();
        if hit.is_some() {
            self.reused.fetch_add(1, Ordering::Relaxed);
        }
        hit
    }

    pub(super) fn insert(&self, key: blake3::Hash, html: HighlightedHtml) {
        self.highlighted.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, html);
        }
    }

    /// Adds entries saved by an earlier build (same cheatgen, so the same grammars).
    pub fn seed(&self, saved: impl IntoIterator<Item = (blake3::Hash, HighlightedHtml)>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.extend(saved);
        }
    }

    /// The entries `blocks` use, sorted by key (so a saved cache is deterministic); entries
    /// no block uses any more are left out, which keeps the saved cache from growing.
    pub fn entries_for<'b>(
        &self,
        blocks: impl IntoIterator<Item = &'b CodeBlock>,
    ) -> Vec<(blake3::Hash, HighlightedHtml)> {
        let Ok(entries) = self.entries.lock() else {
            return Vec::new();
        };
        let mut used: Vec<(blake3::Hash, HighlightedHtml)> = blocks
            .into_iter()
            .filter_map(|b| {
                let key = self.key(b.syntax.as_deref()?, &b.code);
                entries.get(&key).map(|html| (key, Arc::clone(html)))
            })
            .collect();
        used.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        used.dedup_by(|a, b| a.0 == b.0);
        used
    }

    pub fn counts(&self) -> HighlightCounts {
        HighlightCounts {
            highlighted: self.highlighted.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::note::highlight::Highlighter;
    use crate::note::markdown::MarkdownOptions;
    use crate::note::source::NoteSource;
    use crate::note::{render_note, RenderedNote};

    fn render(text: &str, hl: &Highlighter) -> RenderedNote {
        let src = NoteSource {
            rel_path: "a.md".into(),
            display_path: "content/a.md".into(),
            text: text.into(),
            hash: blake3::hash(text.as_bytes()),
        };
        render_note(&src, MarkdownOptions::default(), hl).unwrap()
    }

    fn note(second_block: &str) -> String {
        format!(
            "## One\n\n```python\nprint(1)\n```\n\n## Two\n\n```bash\n{second_block}\n```\n\n\
             ## Three\n\n```rust\nfn main() {{}}\n```\n"
        )
    }

    #[test]
    fn editing_one_block_re_highlights_only_that_block() {
        let first = Highlighter::new();
        let before = render(&note("echo hi"), &first);
        assert_eq!(first.cache().counts().highlighted, 3);
        let saved = first.cache().entries_for(&before.code_blocks);
        assert_eq!(saved.len(), 3);

        // The next build: a new highlighter seeded with what the first one saved.
        let next = Highlighter::new();
        next.cache().seed(saved);
        let edited = render(&note("echo bye"), &next);
        let counts = next.cache().counts();
        assert_eq!((counts.highlighted, counts.reused), (1, 2));
        // Byte-identical to a render without any cache.
        assert_eq!(edited, render(&note("echo bye"), &Highlighter::new()));
        // Only the blocks the note still has are saved again.
        let resaved = next.cache().entries_for(&edited.code_blocks);
        assert_eq!(resaved.len(), 3);
        let bash = before.code_blocks[1].syntax.as_deref().unwrap();
        let old_bash = next.cache().key(bash, "echo hi\n");
        assert!(resaved.iter().all(|(k, _)| *k != old_bash));
    }

    #[test]
    fn a_seeded_entry_is_what_the_block_shows() {
        // Proves the seed is really used: a forged entry shows up in the page.
        let text = "```python\nprint(1)\n```\n";
        let fresh = render(text, &Highlighter::new());
        let block = &fresh.code_blocks[0];
        assert_eq!(block.syntax.as_deref(), Some("Python"));
        let hl = Highlighter::new();
        let key = hl.cache().key("Python", &block.code);
        hl.cache().seed([(key, "FORGED".into())]);
        let n = render(text, &hl);
        assert!(n.sheet.groups[0].cards[0]
            .body_html
            .contains("<code>FORGED</code>"));
        assert_eq!(hl.cache().counts().highlighted, 0);
        // Another palette or grammar is another key.
        assert_ne!(
            key,
            hl.cache().key("Bourne Again Shell (bash)", &block.code)
        );
    }
}
