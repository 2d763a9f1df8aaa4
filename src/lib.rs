//! cheatgen: a static site generator for cheat sheets.
//!
//! One folder per layer (see `ARCHITECTURE.md` at the repository root, the map):
//! `note` (the pure per-note stage: sources, front matter, markdown, code blocks, cards),
//! `site` (passes over all notes; `site::model` is the template contract), `render` (theme,
//! templates, feeds), `search` (the card index), `output` (guarded, locked, staged writes),
//! `build` (the engine that owns the stage order), `serve` (dev server), `cli` (commands).
//!
//! Public is only what the binary (`cli`) and the integration tests use (the engine, the
//! per-note render, link and path checks, the search reader); every other module is
//! `pub(crate)`, so the compiler reports code nothing uses.

pub mod build;
pub mod cli;
pub(crate) mod config;
pub(crate) mod diagnostics;
pub(crate) mod error;
pub mod note;
pub mod output;
pub(crate) mod render;
pub mod search;
pub(crate) mod serve;
pub mod site;
pub(crate) mod slug;

pub use build::{build, BuildOptions, BuildReport};
pub use error::{Error, Result};
