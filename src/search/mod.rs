//! Card-level search: `tokenize` (text → terms), `text` (card HTML → prose and code),
//! `docs` (one sheet's entries and terms, the cacheable per-sheet stage), `index` (the
//! incremental `SearchIndex` and `build`), with `slots` (stable doc ids), `chunks` (term
//! shard boundaries by content), `trim` (common terms) and `fileset` (encoded files,
//! changes, index id); `format` (the file format, shared with the browser client) and
//! `query` (the ranking, used by `cheatgen query`).

pub(crate) mod chunks;
pub(crate) mod docs;
pub(crate) mod fileset;
pub mod format;
pub(crate) mod index;
pub mod query;
pub(crate) mod slots;
pub(crate) mod text;
pub(crate) mod tokenize;
pub(crate) mod trim;

pub use docs::{sheet_docs, SearchEntry, SheetDocs};
pub use fileset::{FileMap, IndexChanges};
pub use index::{build, sheet_key, sheet_keys, SearchIndex};
pub use query::{Hit, IndexFiles, Searcher};
