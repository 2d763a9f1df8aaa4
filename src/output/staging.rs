//! Whole-site atomic publish: build the new site in `.public.cheatgen-staging-<pid>` beside
//! the output directory (file by file, through `sink::StagedSink`), then swap it in with
//! one atomic rename.
//!
//! Files whose bytes did not change are hard-linked from the current site (copied where
//! links fail), so a rebuild costs little more than an in-place write. Files in the output
//! that cheatgen did not write (not in the manifest) are carried over the same way. The
//! swap is `renameat2(RENAME_EXCHANGE)` on Linux; elsewhere (or on a file system without
//! it) the old folder is renamed aside to `.public.cheatgen-old-<pid>` and the new one
//! renamed in, and a crash between the two renames is repaired by the next run.
//!
//! The manifest beside the folder is rewritten before the swap as the union of the old and
//! new file lists without hashes, and after it as the new list with hashes: whichever tree
//! a crash leaves in place, the manifest covers every file cheatgen wrote in it, and a hash
//! (the shortcut that lets an unchanged file be linked without reading it) is only ever
//! that of the live tree.
//!
//! Test-only fault hooks (read from the environment, for `tests/output_safety.rs`):
//! `CHEATGEN_TEST_ABORT_AFTER=N` aborts the process after N steps of the write phase (each
//! file put into the sink is a step, then: manifest written, swapped, manifest trimmed, old tree
//! removed); `CHEATGEN_TEST_WRITE_ERROR_AFTER=N` makes every file write after the first N
//! fail with "No space left on device".

use super::{Manifest, OutputPlan, OutputSession, Ownership, WriteStats};
use super::{LEGACY_MANIFEST, TMP_SUFFIX};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

impl OutputSession {
    /// Publishes `plan` as the whole new content of the output directory, atomically: every
    /// file goes through one `StagedSink` (`sink.rs`), which a streaming build drives page by
    /// page instead.
    pub fn publish(&mut self, plan: &OutputPlan) -> Result<WriteStats> {
        let sink = self.staged_sink()?;
        plan.par_iter()
            .try_for_each(|(rel, file)| sink.put(rel, file))?;
        sink.commit()
    }

    /// The mount-point publish: a mounted output (a container volume) can be neither
    /// renamed nor replaced, and its parent is another file system, so `plan` is written in
    /// place instead (changed files only, temp file + rename each).
    pub(super) fn publish_in_place(&mut self, plan: &OutputPlan) -> Result<WriteStats> {
        if let Some(stats) = self.unchanged_site(plan) {
            return Ok(stats);
        }
        eprintln!(
            "{}: warning: the output folder is a mount point; written in place, not swapped atomically",
            self.shown.display()
        );
        let stats = self.write_incremental(plan, None)?;
        // An earlier version's manifest inside would be published: it goes.
        let legacy = self.dir.join(LEGACY_MANIFEST);
        if std::fs::symlink_metadata(&legacy).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&legacy).map_err(|e| self.write_error(&legacy, e))?;
        }
        Ok(stats)
    }

    /// When the live site already is exactly the plan — the manifest (ours, with hashes)
    /// lists the same files with the same hashes, and each is a regular file of the right
    /// size — there is nothing to publish. Any doubt (no hash, other files listed, a size
    /// differs) falls through to the write.
    fn unchanged_site(&self, plan: &OutputPlan) -> Option<WriteStats> {
        // Cheap checks first, so a build that adds, drops or renames a file never hashes.
        if self.ownership != Ownership::Ours
            || self.manifest.entries.len() != plan.len()
            || plan.keys().any(|rel| self.manifest.hash(rel).is_none())
        {
            return None;
        }
        let all_same = plan.par_iter().all(|(rel, file)| {
            let Ok(bytes) = file.bytes() else {
                return false;
            };
            let hash = blake3::hash(&bytes).to_hex();
            self.is_live(rel, hash.as_str(), bytes.len())
        });
        all_same.then(|| WriteStats {
            unchanged: plan.len(),
            ..WriteStats::default()
        })
    }

    /// Does the live site hold exactly these bytes at `rel` — the trusted manifest's hash
    /// for it is `hash` and the file is a regular file of `len` bytes?
    pub(super) fn is_live(&self, rel: &str, hash: &str, len: usize) -> bool {
        self.ownership == Ownership::Ours
            && self.manifest.hash(rel) == Some(hash)
            && std::fs::symlink_metadata(self.dir.join(rel))
                .is_ok_and(|m| m.is_file() && m.len() == len as u64)
    }

    /// Links files of the old tree that are not cheatgen's into `staging` (a folder that is
    /// cheatgen's keeps the files a user put there); returns the old files that go.
    pub(super) fn carry_over(
        &self,
        old: &Path,
        is_new: &dyn Fn(&str) -> bool,
        staging: &Path,
        faults: &Faults,
    ) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        // Folders with nothing in them are a user's (cheatgen leaves none): kept.
        let mut empty_dirs = std::collections::BTreeSet::new();
        for entry in walkdir::WalkDir::new(old).min_depth(1) {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(old).to_path_buf();
                Error::io(path, e.into())
            })?;
            let Ok(rel) = entry.path().strip_prefix(old) else {
                continue;
            };
            let rel_str = rel.to_string_lossy().replace('\\', "/");
            if let Some(parent) = rel.parent() {
                empty_dirs.remove(parent);
            }
            let kind = entry.file_type();
            if kind.is_dir() {
                empty_dirs.insert(rel.to_path_buf());
                continue;
            }
            if is_new(&rel_str) {
                continue;
            }
            let ours = self.ownership == Ownership::Foreign
                || self.manifest.contains(&rel_str)
                || rel_str == LEGACY_MANIFEST
                || rel_str.ends_with(TMP_SUFFIX);
            if ours {
                removed.push(rel_str);
                continue;
            }
            let dst = staging.join(rel);
            match carry_file(entry.path(), &dst, kind.is_symlink()) {
                Ok(()) => faults.step(),
                // A page of the new site is at that path (or under it): the site wins, as
                // it would when writing in place.
                Err(e) if is_path_conflict(&e) => removed.push(rel_str),
                Err(e) => return Err(self.write_error(&dst, e)),
            }
        }
        if self.ownership == Ownership::Ours {
            for rel in empty_dirs {
                let dst = staging.join(rel);
                match std::fs::create_dir_all(&dst) {
                    Err(e) if !is_path_conflict(&e) => return Err(self.write_error(&dst, e)),
                    _ => {}
                }
            }
        }
        Ok(removed)
    }

    /// Swaps the staged site in and removes the old one.
    pub(super) fn swap_in(
        &mut self,
        staging: &Path,
        manifest: Manifest,
        faults: &Faults,
    ) -> Result<()> {
        // Until the swap is done either tree may be live: list both, and no hashes (a
        // hash is only a shortcut for "this file holds these bytes", true of one tree).
        let mut union = Manifest::default();
        let old_entries = match self.ownership {
            Ownership::Ours => Some(self.manifest.entries.keys()),
            Ownership::Foreign => None,
        };
        for rel in manifest
            .entries
            .keys()
            .chain(old_entries.into_iter().flatten())
        {
            union.entries.insert(rel.clone(), None);
        }
        let manifest_path = self.sibling("manifest");
        self.save_manifest(&union)
            .map_err(|e| self.write_error(&manifest_path, e))?;
        faults.step();
        let aside = self.sibling(&format!("old-{}", std::process::id()));
        let old_tree =
            swap(staging, &self.dir, &aside).map_err(|e| self.write_error(&self.dir, e))?;
        faults.step();
        // The new site is live; what follows only tidies up.
        self.ownership = Ownership::Ours;
        self.manifest = manifest;
        if let Err(e) = self.save_manifest(&self.manifest) {
            eprintln!("{}: warning: {e}", manifest_path.display());
        }
        faults.step();
        if let Some(old) = old_tree {
            if let Err(e) = remove_tree(&old) {
                eprintln!(
                    "{}: warning: could not remove the previous site: {e}",
                    old.display()
                );
            }
        }
        faults.step();
        Ok(())
    }
}

/// The current site's file at the same output path.
pub(super) struct OldFile<'a> {
    pub path: PathBuf,
    /// Its hash from a trusted manifest, when known.
    pub hash: Option<&'a str>,
}

/// Puts one file into the staging tree: a hard link to the old file when its bytes are the
/// same (known from the manifest's hash and the size, else by comparing the bytes), else a
/// fresh write. Returns whether bytes were written.
pub(super) fn stage_file(
    bytes: &[u8],
    hash: &str,
    old: Option<OldFile>,
    dst: &Path,
    faults: &Faults,
) -> std::result::Result<bool, (Option<PathBuf>, std::io::Error)> {
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent).map_err(|e| (Some(parent.to_path_buf()), e))?;
    }
    if let Some(old) = old {
        let same = if old.hash == Some(hash) {
            std::fs::symlink_metadata(&old.path)
                .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        } else {
            same_bytes(&old.path, bytes)
        };
        if same && std::fs::hard_link(&old.path, dst).is_ok() {
            return Ok(false);
        }
    }
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(dst)?;
        faults.before_write(&mut f, bytes)?;
        f.write_all(bytes)
    };
    write().map_err(|e| (None, e))?;
    Ok(true)
}

/// Is `path` a regular file (not a symlink) holding exactly `bytes`?
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == bytes)
}

fn is_path_conflict(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::AlreadyExists || e.kind() == std::io::ErrorKind::NotADirectory
}

pub(super) fn carry_file(src: &Path, dst: &Path, symlink: bool) -> std::io::Result<()> {
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if symlink {
        let target = std::fs::read_link(src)?;
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, dst);
        // Elsewhere a symlink needs privileges to create: it is not carried over.
        #[cfg(not(unix))]
        {
            let _ = target;
            return Ok(());
        }
    }
    if std::fs::hard_link(src, dst).is_err() {
        std::fs::copy(src, dst)?;
    }
    Ok(())
}

/// Is `dir` on another file system than its parent?
pub(super) fn is_mount_point(dir: &Path, parent: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        match (std::fs::symlink_metadata(dir), std::fs::metadata(parent)) {
            (Ok(d), Ok(p)) => d.is_dir() && d.dev() != p.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, parent);
        false
    }
}

/// Puts `staging` in place of `dir`; returns where the old tree now is (to remove).
fn swap(staging: &Path, dir: &Path, aside: &Path) -> std::io::Result<Option<PathBuf>> {
    if std::fs::symlink_metadata(dir).is_err() {
        std::fs::rename(staging, dir)?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        use rustix::io::Errno;
        match renameat_with(CWD, staging, CWD, dir, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(Some(staging.to_path_buf())),
            // A file system without RENAME_EXCHANGE: fall back to two renames.
            Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP].contains(&e) => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::rename(dir, aside)?;
    if let Err(e) = std::fs::rename(staging, dir) {
        let _ = std::fs::rename(aside, dir);
        return Err(e);
    }
    Ok(Some(aside.to_path_buf()))
}

/// Removes a replaced site (never following symlinks). Its top-level entries are removed
/// by several threads: unlinking mostly waits on the file system's journal, not the CPU,
/// so a few removals in flight at once take a fraction of the time of one after another.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    const WORKERS: usize = 8;
    let entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS.min(entries.len()) {
            scope.spawn(|| {
                while let Some(path) = entries.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let is_dir = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir());
                    // Errors surface below, when the folder itself cannot be removed.
                    let _ = if is_dir {
                        std::fs::remove_dir_all(path)
                    } else {
                        std::fs::remove_file(path)
                    };
                }
            });
        }
    });
    std::fs::remove_dir_all(dir)
}

/// Removes what killed builds left beside the output directory: staging and old trees
/// and manifest temp files, recognised by our own naming pattern only (never anything
/// else). A crash between the two renames of the fallback swap left no output directory
/// but an old tree: that tree is put back first.
pub(super) fn clean_stale(parent: &Path, name: &OsStr, dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let prefix = format!(".{}.cheatgen-", name.to_string_lossy());
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let numbered = |tag: &str| {
            rest.strip_prefix(tag)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() && numbered("old-") && std::fs::symlink_metadata(dir).is_err() {
            std::fs::rename(&path, dir).map_err(|e| Error::io(&path, e))?;
        } else if meta.is_dir() && (numbered("staging-") || numbered("old-")) {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        } else if meta.is_file() && numbered("manifest.tmp-") {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// The test-only fault hooks described in the module header.
pub(super) struct Faults {
    abort_after: Option<usize>,
    fail_writes_after: Option<usize>,
    steps: AtomicUsize,
    writes: AtomicUsize,
}

impl Faults {
    pub(super) fn from_env() -> Faults {
        let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
        Faults {
            abort_after: number("CHEATGEN_TEST_ABORT_AFTER"),
            fail_writes_after: number("CHEATGEN_TEST_WRITE_ERROR_AFTER"),
            steps: AtomicUsize::new(0),
            writes: AtomicUsize::new(0),
        }
    }

    pub(super) fn step(&self) {
        if let Some(n) = self.abort_after {
            if self.steps.fetch_add(1, Ordering::SeqCst) + 1 >= n {
                std::process::abort();
            }
        }
    }

    /// Fails like a full disk once the allowed writes are used up, leaving the file
    /// truncated as a real ENOSPC would.
    fn before_write(&self, f: &mut std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(n) = self.fail_writes_after {
            if self.writes.fetch_add(1, Ordering::SeqCst) >= n {
                let _ = f.write_all(&bytes[..bytes.len() / 2]);
                return Err(std::io::Error::from_raw_os_error(28));
            }
        }
        Ok(())
    }
}
