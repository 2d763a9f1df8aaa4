//! In-place rewrites for `serve`: only files whose bytes changed are written (temp file +
//! rename, so a browser never reads half a page), then stale files are removed, all under
//! the session's lock. Faster than a whole-site publish for one edited note; the first
//! build of `serve` publishes atomically like `build`.
//!
//! Before files are written, the manifest is saved listing them without a hash, so a
//! `serve` killed mid-write never leaves a file of ours that the next build would take for a
//! user's, nor a hash that does not match the bytes on disk. Nothing is written or removed
//! through a symlinked folder.

use super::{check_relative, OutputFile, OutputPlan, OutputSession, WriteStats, TMP_SUFFIX};
use crate::error::Result;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

impl OutputSession {
    /// Writes the changed files of `plan` and removes files of earlier builds it no longer
    /// has. With `only`, just those paths are looked at (the engine knows which changed):
    /// written when in `plan` and different from the manifest, removed when not in `plan`.
    pub fn write_incremental(
        &mut self,
        plan: &OutputPlan,
        only: Option<&BTreeSet<String>>,
    ) -> Result<WriteStats> {
        let selected: Vec<(&String, &OutputFile)> = match only {
            None => plan.iter().collect(),
            Some(paths) => paths.iter().filter_map(|p| plan.get_key_value(p)).collect(),
        };
        for (rel, _) in &selected {
            if let Err(reason) = check_relative(rel) {
                return Err(self.write_error(
                    self.dir.join(rel),
                    std::io::Error::other(format!("invalid output path: {reason}")),
                ));
            }
        }
        std::fs::create_dir_all(&self.dir).map_err(|e| self.write_error(&self.dir, e))?;
        let old = &self.manifest;
        let dir = &self.dir;
        let hashed: Vec<Result<(&String, String, bool)>> = selected
            .par_iter()
            .map(|&(rel, file)| {
                let path = dir.join(rel);
                let bytes = file.bytes().map_err(|e| self.write_error(&path, e))?;
                let hash = blake3::hash(&bytes).to_hex().to_string();
                let same = old.hash(rel) == Some(hash.as_str())
                    && std::fs::symlink_metadata(&path)
                        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
                Ok((rel, hash, same))
            })
            .collect();
        let hashed = hashed.into_iter().collect::<Result<Vec<_>>>()?;
        let stale: Vec<String> = match only {
            None => Box::new(old.entries.keys()) as Box<dyn Iterator<Item = &String>>,
            Some(paths) => Box::new(paths.iter()),
        }
        .filter(|rel| !plan.contains_key(*rel) && old.contains(rel))
        .cloned()
        .collect();
        if hashed.iter().any(|(_, _, same)| !same) {
            // Files about to change lose their hash (a crash may leave either version),
            // new ones are listed before they exist. In place: the manifest is large
            // (every file of the site) and an edit touches a few entries.
            let pending: Vec<&str> = hashed
                .iter()
                .filter(|(_, _, same)| !same)
                .map(|(rel, _, _)| rel.as_str())
                .collect();
            for rel in &pending {
                self.manifest.entries.insert((*rel).to_string(), None);
            }
            // Appending "unknown" lines (a later line wins when the manifest is read) is a
            // few bytes, where saving the whole manifest is megabytes at 10k notes; the
            // whole manifest is saved (temp + rename) once the files are written.
            let appended = super::manifest::append_unknown(&self.sibling("manifest"), &pending);
            if appended.is_err() {
                self.save_manifest(&self.manifest)
                    .map_err(|e| self.write_error(self.sibling("manifest"), e))?;
            }
        }
        let dir = &self.dir;
        let results: Vec<Result<(String, String, bool)>> = hashed
            .into_par_iter()
            .map(|(rel, hash, same)| {
                if !same {
                    let file = &plan[rel];
                    let path = dir.join(rel);
                    let bytes = file.bytes().map_err(|e| self.write_error(&path, e))?;
                    replace_file(dir, rel, &bytes).map_err(|e| self.write_error(&path, e))?;
                }
                Ok((rel.clone(), hash, !same))
            })
            .collect();
        let (mut stats, written) = super::tally(results)?;
        match only {
            None => self.manifest = written,
            Some(_) => self.manifest.entries.extend(written.entries),
        }
        for rel in stale {
            self.manifest.entries.remove(&rel);
            let dir = &self.dir;
            if remove_file(dir, &rel).map_err(|e| self.write_error(dir.join(&rel), e))? {
                stats.removed += 1;
                stats.changed.push(rel);
            }
        }
        stats.changed.sort();
        self.save_manifest(&self.manifest)
            .map_err(|e| self.write_error(self.sibling("manifest"), e))?;
        Ok(stats)
    }
}

/// Is every existing parent folder of `rel` below `dir` a real folder (no symlink)?
fn parents_are_real(dir: &Path, rel: &str) -> bool {
    let mut path = dir.to_path_buf();
    let mut segments = rel.split('/').peekable();
    while let Some(seg) = segments.next() {
        if segments.peek().is_none() {
            break;
        }
        path.push(seg);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() || !m.is_dir() => return false,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    true
}

fn through_symlink(rel: &str) -> std::io::Error {
    std::io::Error::other(format!(
        "not written: a parent folder of {rel} is a symlink"
    ))
}

/// Replaces `dir/rel` with `bytes` through a temp file and a rename.
fn replace_file(dir: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    if !parents_are_real(dir, rel) {
        return Err(through_symlink(rel));
    }
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TMP_SUFFIX);
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Removes `dir/rel` (a symlink itself, never its target) and the folders it leaves
/// empty, up to `dir`. Returns whether a file was there.
fn remove_file(dir: &Path, rel: &str) -> std::io::Result<bool> {
    if !parents_are_real(dir, rel) {
        return Ok(false);
    }
    let path = dir.join(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    // Fails harmlessly when a folder still has files.
    let mut folder = path.parent();
    while let Some(d) = folder.filter(|d| *d != dir && d.starts_with(dir)) {
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        folder = d.parent();
    }
    Ok(true)
}
