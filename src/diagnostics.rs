//! Diagnostics: warnings and errors about user input, each carrying `path:line:col`.
//!
//! Every stage returns its findings as plain `Diagnostic` values instead of printing, so the
//! library stays quiet and `check`, `build` and `serve` can present them their own way. Fatal
//! conditions that stop a build (bad config, unwritable output) are `crate::error::Error`.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
    /// Stable machine-readable code, e.g. `unknown-language` (one of `KNOWN_CODES`).
    pub code: &'static str,
    pub message: String,
}

/// Every diagnostic code cheatgen emits. A diagnostic read back from the build cache
/// must carry one of these (its code is a `&'static str`); a test keeps the list complete.
pub const KNOWN_CODES: &[&str] = &[
    "ambiguous-link",
    "bad-path",
    "bad-slug",
    "broken-anchor",
    "broken-link",
    "duplicate-url",
    "external-symlink",
    "front-matter",
    "liquid-tag",
    "nul-byte",
    "outside-content",
    "output-conflict",
    "reserved-url",
    "style-block",
    "symlink-into-output",
    "symlink-loop",
    "unknown-language",
    "unreadable",
    "unsafe-link",
    "unsafe-path",
    "untrusted-manifest",
];

/// A `Diagnostic` as read back (from the build cache): its code is checked against
/// `KNOWN_CODES`, and any other text fails (the cached note holding it is rendered afresh).
#[derive(Deserialize)]
struct StoredDiagnostic {
    path: String,
    line: u32,
    column: u32,
    severity: Severity,
    code: String,
    message: String,
}

impl<'de> Deserialize<'de> for Diagnostic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Diagnostic::try_from(StoredDiagnostic::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<StoredDiagnostic> for Diagnostic {
    type Error = String;

    fn try_from(d: StoredDiagnostic) -> Result<Self, String> {
        let code = KNOWN_CODES
            .iter()
            .find(|c| **c == d.code)
            .ok_or_else(|| format!("unknown diagnostic code {:?}", d.code))?;
        Ok(Diagnostic {
            path: d.path,
            line: d.line,
            column: d.column,
            severity: d.severity,
            code,
            message: d.message,
        })
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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

    /// Every dashed string literal within a few lines after a `Diagnostic::warning(`,
    /// `Diagnostic::error(` or links' `broken(` call in the sources is a known code, so a
    /// diagnostic never fails to come back from the build cache.
    #[test]
    fn known_codes_cover_every_code_in_the_sources() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = 0;
        for entry in walkdir::WalkDir::new(&src)
            .into_iter()
            .filter_map(|e| e.ok())
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap_or("");
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                let call = ["Diagnostic::warning(", "Diagnostic::error(", "broken("]
                    .iter()
                    .any(|c| line.contains(c));
                if !call || line.contains("fn ") {
                    continue;
                }
                for near in &lines[i..(i + 5).min(lines.len())] {
                    for literal in near.split('"').skip(1).step_by(2) {
                        let code_like = literal.contains('-')
                            && literal.chars().all(|c| c.is_ascii_lowercase() || c == '-');
                        if code_like {
                            found += 1;
                            assert!(
                                KNOWN_CODES.contains(&literal),
                                "{}: code {literal:?} is missing from KNOWN_CODES",
                                path.display()
                            );
                        }
                    }
                }
            }
        }
        assert!(found >= 15, "the scan found only {found} codes");
    }

    #[test]
    fn only_known_codes_deserialize() {
        let d = Diagnostic::warning("content/a.md", Pos::new(2, 3), "nul-byte", "m");
        let json = serde_json::to_string(&d).unwrap();
        let back: Diagnostic = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
        let forged = json.replace("nul-byte", "made-up");
        assert!(serde_json::from_str::<Diagnostic>(&forged).is_err());
    }
}
