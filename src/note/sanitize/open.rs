//! Inline elements opened by raw HTML within one Markdown block, so they can be closed
//! where the block ends (an unclosed `<a href=…>` must not spread over what follows).

use super::names::INLINE_TAGS;

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
    pub(super) fn record(&mut self, name: &str, closing: bool) -> bool {
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
