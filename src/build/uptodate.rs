//! "Nothing changed" (`ARCHITECTURE.md`, "The engine"): a `build` whose inputs are those
//! of the last successful build, over the output that build left, runs no stage at all.
//!
//! The inputs are digested after a walk of `content/` (every note's path and bytes, every
//! asset's path, size and modification time, the walk's own diagnostics) together with
//! everything else that can change an output byte (`Inputs::fingerprint`: config, theme,
//! drafts, cheatgen version) and the output folder. The record — that digest as the key of
//! a cache-format file (`.cheatgen-cache/last-build.bin`, same header, checks and atomic
//! write as the build cache), the manifest's hash after the build, and the report with
//! its diagnostics — is written after the new site is committed. A build whose digest
//! matches the record, whose manifest is byte-identical to the recorded one and whose
//! listed files are all present prints the recorded report and publishes nothing. Any
//! doubt (no record, another key, a corrupt file, a changed or incomplete output) means a
//! normal build. Only with the cache on (`--no-cache` skips this too).

use super::cache::file::{self, CacheDir};
use super::inputs::Inputs;
use super::{BuildOptions, BuildReport};
use crate::diagnostics::Diagnostic;
use crate::note::source::SourceTree;
use crate::output::OutputSession;
use serde::{Deserialize, Serialize};
use std::time::UNIX_EPOCH;

const RECORD: &str = "last-build.bin";

#[derive(Serialize, Deserialize)]
struct Record {
    manifest: [u8; 32],
    sheets: usize,
    cards: usize,
    diagnostics: Vec<Diagnostic>,
}

/// The digest of this build's inputs (`tree`: the build's walk of `content/`), or `None`
/// when an asset's size or time cannot be read (then no shortcut).
pub fn digest(inputs: &Inputs, tree: &SourceTree) -> Option<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    h.update(inputs.fingerprint.as_bytes());
    h.update(inputs.output_dir.to_string_lossy().as_bytes());
    h.update(&[0]);
    for n in &tree.notes {
        for part in [n.rel_path.as_bytes(), n.display_path.as_bytes()] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part);
        }
        h.update(n.hash.as_bytes());
    }
    for a in &tree.assets {
        let meta = std::fs::metadata(&a.abs_path).ok()?;
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        h.update(&(a.rel_path.len() as u64).to_le_bytes());
        h.update(a.rel_path.as_bytes());
        h.update(&meta.len().to_le_bytes());
        h.update(&mtime.as_nanos().to_le_bytes());
    }
    for d in &tree.diagnostics {
        h.update(d.to_string().as_bytes());
        h.update(&[0]);
    }
    Some(h.finalize())
}

/// The recorded report, when `digest` and the live output are exactly those recorded.
pub fn check(
    opts: &BuildOptions,
    digest: &blake3::Hash,
    session: &OutputSession,
) -> Option<BuildReport> {
    let dir = CacheDir::at(&opts.root).ok()?.named(RECORD);
    let bytes = dir.read().ok()??;
    let payload = file::decode(&bytes, &file::build_version(), digest).ok()?;
    let record: Record = postcard::from_bytes(payload).ok()?;
    let live = session.live_state()?;
    (live.as_bytes() == &record.manifest).then(|| BuildReport {
        sheets: record.sheets,
        cards: record.cards,
        diagnostics: record.diagnostics,
        output_dir: session.dir.clone(),
        ..BuildReport::default()
    })
}

/// Records a successful build (after its commit); a failure only loses the shortcut.
pub fn record(
    opts: &BuildOptions,
    digest: &blake3::Hash,
    session: &OutputSession,
    report: &BuildReport,
) {
    let Some(live) = session.live_state() else {
        return;
    };
    let Ok(dir) = CacheDir::at(&opts.root) else {
        return;
    };
    let record = Record {
        manifest: *live.as_bytes(),
        sheets: report.sheets,
        cards: report.cards,
        diagnostics: report.diagnostics.clone(),
    };
    if let Ok(payload) = postcard::to_allocvec(&record) {
        let _ = dir
            .named(RECORD)
            .write(&file::encode(&file::build_version(), digest, &payload));
    }
}
