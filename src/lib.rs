//! cheatgen: a static site generator for cheat sheets.
//!
//! One folder per layer (see `ARCHITECTURE.md` at the repository root, the map):
//! `note` (the pure per-note stage: sources, front matter, markdown, code blocks, cards),
//! `site` (passes over all notes; `site::model` is the template contract), `render` (theme,
//! templates, feeds), `search` (the card index), `output` (guarded, locked, staged writes),
//! `build` (the engine that owns the stage order), `serve` (dev server), `cli` (commands).

pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod error;
pub mod note;
pub mod output;
pub mod render;
pub mod search;
pub mod serve;
pub mod site;
pub mod slug;

pub use build::{build, BuildOptions, BuildReport};
pub use error::{Error, Result};
