//! The streaming staged sink (`ARCHITECTURE.md`, "Streaming output"): a build `put`s each
//! file as soon as it is rendered, so the whole site is never held in memory, and `commit`
//! makes the new site visible at once.
//!
//! Each `put` hashes the bytes and stages the file in `.public.cheatgen-staging-<pid>`
//! beside the output: hard-linked from the live site when the live manifest has the same
//! hash (and the file its size), else written (`staging::stage_file`). The new manifest is
//! built as files arrive. `commit` carries over a user's files, then swaps the staging tree
//! in exactly as a whole-site publish does (`staging.rs`); a sink dropped uncommitted (a
//! render or write error part-way) removes its staging tree and leaves the live site as it
//! was.
//!
//! "Nothing changed publishes nothing": over a live site of ours, the staging tree is only
//! created at the first file that differs from the live one. Until then a file equal to the
//! live one is only recorded; if none differs and the same set of files was put, `commit`
//! leaves the live tree untouched (same folder, same inodes) and creates nothing. At the
//! first difference the staging tree is created and the files recorded so far are
//! hard-linked into it.
//!
//! A mounted output (a container volume; see `staging::publish_in_place`) cannot be
//! swapped: there the files are collected and written in place at `commit`.
//!
//! Puts may run in parallel from many threads; two puts of the same path must not race
//! (the later one replaces the earlier, as a later insert into an `OutputPlan` would).

use super::staging::{carry_file, is_mount_point, stage_file, Faults, OldFile};
use super::WriteStats;
use super::{check_relative, Manifest, OutputFile, OutputPlan, OutputSession, Ownership};
use crate::error::Result;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Files put so far, and whether the staging tree exists yet.
#[derive(Default)]
struct State {
    /// Output path → (blake3 hex, whether bytes were written rather than linked/kept).
    entries: BTreeMap<String, (String, bool)>,
    /// Whether the staging tree exists; before it does, every put file equals the live one.
    staged: bool,
}

/// Where a build streams its files; see the module header.
pub struct StagedSink<'s> {
    session: &'s mut OutputSession,
    staging: PathBuf,
    /// The live site's folder, when there is one.
    old_dir: Option<PathBuf>,
    faults: Faults,
    state: Mutex<State>,
    /// A mounted output: files collected for an in-place write at commit.
    in_place: Option<Mutex<OutputPlan>>,
}

impl OutputSession {
    /// Starts a staged write of the whole new site.
    pub fn staged_sink(&mut self) -> Result<StagedSink<'_>> {
        let staging = self.sibling(&format!("staging-{}", std::process::id()));
        let old_dir = std::fs::symlink_metadata(&self.dir)
            .is_ok_and(|m| m.is_dir())
            .then(|| self.dir.clone());
        let in_place = is_mount_point(&self.dir, &self.parent).then(Mutex::default);
        // Only a live site of ours with known hashes can turn out unchanged: anything else
        // is staged from the first file.
        let may_be_unchanged = self.ownership == Ownership::Ours
            && old_dir.is_some()
            && self.manifest.entries.values().any(Option::is_some);
        let sink = StagedSink {
            session: self,
            staging,
            old_dir,
            faults: Faults::from_env(),
            state: Mutex::default(),
            in_place,
        };
        if sink.in_place.is_none() && !may_be_unchanged {
            sink.start_staging()?;
        }
        Ok(sink)
    }
}

impl StagedSink<'_> {
    /// Stages one file of the new site (see the module header). A later put of the same
    /// path replaces the earlier one.
    pub fn put(&self, rel: &str, file: &OutputFile) -> Result<()> {
        let session = &*self.session;
        if let Err(reason) = check_relative(rel) {
            return Err(session.write_error(
                session.dir.join(rel),
                std::io::Error::other(format!("invalid output path: {reason}")),
            ));
        }
        if let Some(plan) = &self.in_place {
            lock(plan).insert(rel.to_string(), file.clone());
            return Ok(());
        }
        let dst = self.staging.join(rel);
        let bytes = file.bytes().map_err(|e| match file {
            OutputFile::Copy(src) => session.write_error(src, e),
            _ => session.write_error(&dst, e),
        })?;
        let hash = blake3::hash(&bytes).to_hex().to_string();
        if !lock(&self.state).staged && session.is_live(rel, &hash, bytes.len()) {
            let mut state = lock(&self.state);
            if !state.staged {
                state.entries.insert(rel.to_string(), (hash, false));
                drop(state);
                self.faults.step();
                return Ok(());
            }
        }
        self.start_staging()?;
        if lock(&self.state).entries.contains_key(rel) {
            // Replaced: the earlier version leaves the staging tree first.
            match std::fs::remove_file(&dst) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(session.write_error(&dst, e))
                }
                _ => {}
            }
        }
        let old = self.old_dir.as_ref().map(|o| OldFile {
            path: o.join(rel),
            hash: session.manifest.hash(rel),
        });
        let written = stage_file(&bytes, &hash, old, &dst, &self.faults)
            .map_err(|(path, e)| session.write_error(path.unwrap_or(dst), e))?;
        lock(&self.state)
            .entries
            .insert(rel.to_string(), (hash, written));
        self.faults.step();
        Ok(())
    }

    /// Creates the staging tree (once) and hard-links into it the files recorded as equal
    /// to the live ones so far.
    fn start_staging(&self) -> Result<()> {
        let recorded: Vec<String> = {
            let mut state = lock(&self.state);
            if state.staged {
                return Ok(());
            }
            let session = &*self.session;
            if std::fs::symlink_metadata(&self.staging).is_ok() {
                std::fs::remove_dir_all(&self.staging)
                    .map_err(|e| session.write_error(&self.staging, e))?;
            }
            std::fs::create_dir(&self.staging)
                .map_err(|e| session.write_error(&self.staging, e))?;
            if let Some(meta) = self
                .old_dir
                .as_ref()
                .and_then(|o| std::fs::metadata(o).ok())
            {
                let _ = std::fs::set_permissions(&self.staging, meta.permissions());
            }
            state.staged = true;
            state.entries.keys().cloned().collect()
        };
        // Linked outside the lock (puts of other paths go on meanwhile); the files recorded
        // were just seen equal to the live ones.
        let Some(old) = &self.old_dir else {
            return Ok(());
        };
        recorded.par_iter().try_for_each(|rel| {
            let dst = self.staging.join(rel);
            carry_file(&old.join(rel), &dst, false).map_err(|e| self.session.write_error(&dst, e))
        })
    }

    /// Makes the new site live (see the module header) and returns what changed.
    pub fn commit(mut self) -> Result<WriteStats> {
        if let Some(plan) = self.in_place.take() {
            let plan = plan.into_inner().unwrap_or_else(|p| p.into_inner());
            return self.session.publish_in_place(&plan);
        }
        let unchanged = {
            let state = lock(&self.state);
            !state.staged && state.entries.len() == self.session.manifest.entries.len()
        };
        let mut stats = WriteStats::default();
        if unchanged {
            // Every file put equals the live one, and (as many as the manifest lists, each
            // with a hash) they are exactly the live site's files.
            stats.unchanged = lock(&self.state).entries.len();
            return Ok(stats);
        }
        self.start_staging()?;
        let entries = std::mem::take(&mut lock(&self.state).entries);
        let mut manifest = Manifest::default();
        for (rel, (hash, written)) in &entries {
            if *written {
                stats.written += 1;
                stats.changed.push(rel.clone());
            } else {
                stats.unchanged += 1;
            }
            manifest.entries.insert(rel.clone(), Some(hash.clone()));
        }
        if let Some(old) = &self.old_dir {
            let is_new = |rel: &str| entries.contains_key(rel);
            let removed = self
                .session
                .carry_over(old, &is_new, &self.staging, &self.faults)?;
            stats.removed = removed.len();
            stats.changed.extend(removed);
        }
        stats.changed.sort();
        let staging = self.staging.clone();
        // The staging tree is the session's now: a failed swap leaves it to `Drop`.
        self.session.swap_in(&staging, manifest, &self.faults)?;
        lock(&self.state).staged = false;
        Ok(stats)
    }
}

impl Drop for StagedSink<'_> {
    /// An uncommitted (or failed) write leaves nothing behind: the live site is untouched.
    fn drop(&mut self) {
        if lock(&self.state).staged {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// A poisoned lock only means another put panicked; the state is still consistent.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
