//! Diagnostics: warnings and errors about user input, each carrying `path:line:col`.
//!
//! Every stage returns its findings as plain `Diagnostic` values instead of printing, so the
//! library stays quiet and `check`, `build` and `serve` can present them their own way. Fatal
//! conditions that stop a build (bad config, unwritable output) are `crate::error::Error`.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One finding about the input. `path` is shown relative to the site root
/// (`content/a.md`), `line` and `column` are 1-based; 0 means "whole file".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `unknown-language`.
    pub code: &'static str,
    pub message: String,
}

impl Diagnostic {
    pub fn warning(path: &str, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path, pos, code, message)
    }

    pub fn error(path: &str, pos: Pos, code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path, pos, code, message)
    }

    fn new(
        severity: Severity,
        path: &str,
        pos: Pos,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            path: path.to_string(),
            line: pos.line,
            column: pos.column,
            severity,
            code,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match (self.line, self.column) {
            (0, _) => write!(f, "{}: {sev}: {}", self.path, self.message),
            (l, 0) => write!(f, "{}:{l}: {sev}: {}", self.path, self.message),
            (l, c) => write!(f, "{}:{l}:{c}: {sev}: {}", self.path, self.message),
        }
    }
}

/// A 1-based line/column position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    pub const FILE: Pos = Pos { line: 0, column: 0 };

    pub fn new(line: u32, column: u32) -> Self {
        Pos { line, column }
    }
}

/// Maps byte offsets of one text to line/column positions (columns count chars).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Line number of `text`'s first line in the original file (front matter shifts it).
    first_line: u32,
    /// When `text` is a rewrite of the file's text: the original 0-based line of each line.
    line_map: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str, first_line: u32) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text));
        LineIndex {
            text,
            starts,
            first_line,
            line_map: Vec::new(),
        }
    }

    /// Positions in a rewritten text reported at the lines they came from.
    pub fn with_line_map(text: &'a str, first_line: u32, line_map: Vec<u32>) -> Self {
        LineIndex {
            line_map,
            ..LineIndex::new(text, first_line)
        }
    }

    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[idx];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        let line = match (self.line_map.get(idx), self.line_map.last()) {
            (Some(&l), _) => l,
            (None, Some(&last)) => last + (idx - self.line_map.len()) as u32 + 1,
            (None, None) => idx as u32,
        };
        Pos::new(self.first_line + line, column as u32)
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_positions() {
        let idx = LineIndex::new("ab\ncdé\nx", 1);
        assert_eq!(idx.pos(0), Pos::new(1, 1));
        assert_eq!(idx.pos(3), Pos::new(2, 1));
        assert_eq!(idx.pos(8), Pos::new(3, 1));
        let shifted = LineIndex::new("ab\ncd", 5);
        assert_eq!(shifted.pos(4), Pos::new(6, 2));
    }

    #[test]
    fn display_forms() {
        let d = Diagnostic::warning("content/a.md", Pos::new(12, 3), "x", "boom");
        assert_eq!(d.to_string(), "content/a.md:12:3: warning: boom");
        let d = Diagnostic::error("content/a.md", Pos::FILE, "x", "bad");
        assert_eq!(d.to_string(), "content/a.md: error: bad");
    }
}
