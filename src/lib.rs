//! cheatgen: a static site generator for cheat sheets.
//!
//! Pipeline (one module per stage): `source` (walk + read) → `frontmatter` → `markdown`
//! (+ `codeblock`, `highlight`, `sanitize`) → `cards` → `note` (the pure per-note render) → site passes
//! (`site`, `links`, `site_path`) → `templates` → `output` (guarded, locked, staged publish).
//! `builder` orchestrates; `cli` holds the command-line types, and `main.rs` only
//! dispatches. `ARCHITECTURE.md` at the repository root is the map.

pub mod backlinks;
pub mod builder;
pub mod cards;
pub mod cli;
pub mod codeblock;
pub mod config;
pub mod diagnostics;
pub mod distribution;
pub mod error;
pub mod feeds;
pub mod frontmatter;
pub mod highlight;
pub mod init;
pub mod links;
pub mod markdown;
pub mod note;
pub mod output;
pub mod progress;
pub mod query_cmd;
pub mod redirects;
pub mod sanitize;
pub mod search;
pub mod serve;
pub mod site;
pub mod site_path;
pub mod slug;
pub mod source;
pub mod taxonomy;
pub mod templates;

pub use builder::{build, BuildOptions, BuildReport};
pub use error::{Error, Result};
