//! The output plan and the output directory: who may write it, and how.
//!
//! `OutputSession::open` checks the output directory (`guard`: never the sources, the site
//! root, a home or `/`), takes the build lock (`lock`), cleans what a killed build left
//! beside it and decides whether the folder is cheatgen's (`manifest`, kept beside the
//! folder). A build then streams the whole site into a `StagedSink` (`sink`; `publish` does
//! the same for a plan held in memory): files are written into a staging folder beside the
//! output as they are rendered, unchanged files hard-linked from the current site, and
//! swapped in with one atomic rename (`staging`), so after a crash the output directory is
//! either the previous complete site or the new complete one. `serve` rewrites only changed files in
//! place (`incremental`), under the same lock.

mod guard;
mod incremental;
mod lock;
pub(crate) mod manifest;
mod sink;
pub mod site_path;
mod staging;

pub use guard::{canonical_lenient, resolve_output};
pub use manifest::{check_relative, Manifest, LEGACY_MANIFEST};
pub use sink::StagedSink;

use crate::diagnostics::{Diagnostic, Pos};
use crate::error::{Error, Result};
use lock::OutputLock;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Suffix of the temp files `serve` writes before renaming them into place.
pub const TMP_SUFFIX: &str = ".cheatgen-tmp";

#[derive(Debug, Clone)]
pub enum OutputFile {
    Bytes(Vec<u8>),
    /// Bytes shared with a build cache (rendered pages kept by `serve`).
    Shared(std::sync::Arc<Vec<u8>>),
    /// Copy of a source file (content assets), read at write time.
    Copy(PathBuf),
}

impl OutputFile {
    fn bytes(&self) -> std::io::Result<std::borrow::Cow<'_, [u8]>> {
        use std::borrow::Cow;
        Ok(match self {
            OutputFile::Bytes(b) => Cow::Borrowed(b.as_slice()),
            OutputFile::Shared(b) => Cow::Borrowed(b.as_slice()),
            OutputFile::Copy(src) => Cow::Owned(std::fs::read(src)?),
        })
    }
}

/// Output path (relative, `/`-separated) → contents. A BTreeMap so writes are ordered.
pub type OutputPlan = BTreeMap<String, OutputFile>;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Output paths written or removed, sorted (for live reload).
    pub changed: Vec<String>,
}

/// Per-file results of a write — (output path, content hash, whether bytes were
/// written) — summed into the stats and the manifest of the new site; the first error wins.
fn tally(results: Vec<Result<(String, String, bool)>>) -> Result<(WriteStats, Manifest)> {
    let mut stats = WriteStats::default();
    let mut manifest = Manifest::default();
    for r in results {
        let (rel, hash, written) = r?;
        if written {
            stats.written += 1;
            stats.changed.push(rel.clone());
        } else {
            stats.unchanged += 1;
        }
        manifest.entries.insert(rel, Some(hash));
    }
    Ok((stats, manifest))
}

/// Whose files the output directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ownership {
    /// cheatgen's (a trusted manifest), or empty / missing.
    Ours,
    /// Someone else's, written over because of `--force`: nothing of it is kept.
    Foreign,
}

/// The right to write one output directory, held until dropped.
#[derive(Debug)]
pub struct OutputSession {
    /// The output directory, resolved (symlinks followed).
    pub dir: PathBuf,
    /// The output directory as the user named it (for messages).
    shown: PathBuf,
    parent: PathBuf,
    name: OsString,
    ownership: Ownership,
    manifest: Manifest,
    /// Warnings found while opening (an untrusted manifest under `--force`).
    pub warnings: Vec<Diagnostic>,
    _lock: OutputLock,
}

impl OutputSession {
    /// Checks `out`, takes its lock, cleans up after killed builds and decides whether it is
    /// cheatgen's. A non-empty folder that is not (no trusted manifest) is refused unless
    /// `force`.
    pub fn open(out: &Path, root: &Path, force: bool) -> Result<OutputSession> {
        let dir = resolve_output(out, root)?;
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            return Err(Error::OutputForbidden {
                path: out.into(),
                reason: "it has no parent folder".into(),
            });
        };
        let (parent, name) = (parent.to_path_buf(), name.to_os_string());
        let shown = PathBuf::from(
            out.to_string_lossy()
                .trim_start_matches("./")
                .trim_end_matches('/'),
        );
        // Refuse a foreign folder before creating anything beside it.
        let probe = classify(&dir, &sibling(&parent, &name, "manifest"), &shown);
        if probe.0 == Ownership::Foreign && !force {
            return Err(not_ours(&shown, &probe.2));
        }
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let lock = OutputLock::acquire(&sibling(&parent, &name, "lock"), &shown)?;
        staging::clean_stale(&parent, &name, &dir)?;
        let (ownership, manifest, warnings) =
            classify(&dir, &sibling(&parent, &name, "manifest"), &shown);
        if ownership == Ownership::Foreign && !force {
            return Err(not_ours(&shown, &warnings));
        }
        Ok(OutputSession {
            dir,
            shown,
            parent,
            name,
            ownership,
            manifest,
            warnings,
            _lock: lock,
        })
    }

    /// A path beside the output directory: `.public.cheatgen-<what>`.
    fn sibling(&self, what: &str) -> PathBuf {
        sibling(&self.parent, &self.name, what)
    }

    /// A hash of the output as it is on disk: the manifest file's bytes and each listed
    /// file's size and modification time (`None` when a listed file is missing, or the
    /// folder is not ours). What a build that skips every stage ("nothing changed",
    /// `build::uptodate`) checks the output against, like make's or rsync's quick check:
    /// a file changed behind cheatgen's back changes its time.
    pub fn live_state(&self) -> Option<blake3::Hash> {
        if self.ownership != Ownership::Ours || self.manifest.entries.is_empty() {
            return None;
        }
        let mut h = blake3::Hasher::new();
        h.update(&std::fs::read(self.sibling("manifest")).ok()?);
        for rel in self.manifest.entries.keys() {
            let meta = std::fs::symlink_metadata(self.dir.join(rel)).ok()?;
            if !meta.is_file() {
                return None;
            }
            let time = meta.modified().ok()?;
            let nanos = time.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
            h.update(&(rel.len() as u64).to_le_bytes());
            h.update(rel.as_bytes());
            h.update(&meta.len().to_le_bytes());
            h.update(&nanos.to_le_bytes());
        }
        Some(h.finalize())
    }

    /// Writes `manifest` beside the output directory (temp file + rename).
    fn save_manifest(&self, manifest: &Manifest) -> std::io::Result<()> {
        let path = self.sibling("manifest");
        let tmp = self.sibling(&format!("manifest.tmp-{}", std::process::id()));
        std::fs::write(&tmp, manifest.render()).and_then(|()| std::fs::rename(&tmp, &path))
    }

    fn write_error(&self, path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::OutputWrite {
            path: path.into(),
            output: self.shown.clone(),
            source,
        }
    }
}

fn sibling(parent: &Path, name: &std::ffi::OsStr, what: &str) -> PathBuf {
    let mut file = OsString::from(".");
    file.push(name);
    file.push(".cheatgen-");
    file.push(what);
    parent.join(file)
}

fn not_ours(shown: &Path, warnings: &[Diagnostic]) -> Error {
    Error::OutputNotOurs {
        path: shown.into(),
        reason: match warnings.first() {
            Some(w) => w.message.clone(),
            None => "it is not empty and was not written by cheatgen".into(),
        },
    }
}

/// Reads the manifest beside `dir` (or, from earlier versions, inside it) and decides
/// whose the folder is. An empty or missing folder is ours whatever the manifest says.
fn classify(dir: &Path, beside: &Path, shown: &Path) -> (Ownership, Manifest, Vec<Diagnostic>) {
    let legacy = dir.join(LEGACY_MANIFEST);
    let source = [beside.to_path_buf(), legacy]
        .into_iter()
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()));
    let mut warnings = Vec::new();
    if let Some(path) = source {
        let mut manifest = Manifest::parse(&std::fs::read_to_string(&path).unwrap_or_default());
        if path != beside {
            // Earlier versions saved it after the files: after a crash its hashes could
            // describe older bytes, so they are not used as a shortcut.
            manifest.entries.values_mut().for_each(|h| *h = None);
        }
        match manifest.validate(dir) {
            Ok(()) => return (Ownership::Ours, manifest, warnings),
            Err(u) => warnings.push(Diagnostic::warning(
                &path.to_string_lossy(),
                Pos::FILE,
                "untrusted-manifest",
                format!(
                    "untrusted manifest: entry {:?} {}; {} is treated as a folder cheatgen did not write",
                    u.entry,
                    u.reason,
                    shown.display()
                ),
            )),
        }
    }
    let empty = std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
    let ownership = if empty {
        Ownership::Ours
    } else {
        Ownership::Foreign
    };
    (ownership, Manifest::default(), warnings)
}

#[cfg(test)]
mod tests;
