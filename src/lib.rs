//! cheatgen: a static site generator for cheat sheets.
//!
//! Pipeline (one module per stage): `source` (walk + read) → `frontmatter` → `markdown`
//! (+ `highlight`, `sanitize`) → `cards` → `note` (the pure per-note render) → site passes
//! (`site`, `links`) → `templates` → `output` (atomic write). `builder` orchestrates.

pub mod cards;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod frontmatter;
pub mod highlight;
pub mod markdown;
pub mod sanitize;
pub mod slug;
pub mod source;
