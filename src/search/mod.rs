//! Card-level search: `tokenize` (text → terms), `text` (card HTML → prose and code),
//! `index` (entries and the sharded index files), `format` (the file format, shared with
//! the browser client), `query` (the ranking, used by `cheatgen query`).

pub mod format;
pub mod index;
pub mod query;
pub mod text;
pub mod tokenize;

pub use index::{build, SearchEntry};
pub use query::{Hit, IndexFiles, Searcher};
