//! The encoded index files kept by `SearchIndex`: path → bytes, which paths changed since
//! the caller last asked, and the index id, kept incrementally as an XOR of per-file
//! hashes (so it never needs a pass over every file, and it does not depend on the order
//! files were written in).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Index files by path relative to the output directory (`search/…`).
pub type FileMap = BTreeMap<String, Arc<Vec<u8>>>;

/// Paths written (new or different bytes) and removed since the last `take_changes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexChanges {
    pub written: Vec<String>,
    pub removed: Vec<String>,
}

impl IndexChanges {
    pub fn is_empty(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }

    pub fn len(&self) -> usize {
        self.written.len() + self.removed.len()
    }
}

#[derive(Debug, Default)]
pub struct FileSet {
    files: FileMap,
    hashes: HashMap<String, u128>,
    /// XOR of the hashes of every file but `meta.json` (which carries the id).
    acc: u128,
    written: BTreeSet<String>,
    removed: BTreeSet<String>,
    /// Paths to delete at the end of an update unless written again in it.
    stale: BTreeSet<String>,
}

pub const META_PATH: &str = "search/meta.json";

fn file_hash(path: &str, bytes: &[u8]) -> u128 {
    let mut h = blake3::Hasher::new();
    h.update(path.as_bytes());
    h.update(&[0]);
    h.update(bytes);
    let mut b = [0u8; 16];
    b.copy_from_slice(&h.finalize().as_bytes()[..16]);
    u128::from_le_bytes(b)
}

impl FileSet {
    pub fn files(&self) -> &FileMap {
        &self.files
    }

    /// Sets `path`'s bytes; identical bytes are not a change.
    pub fn put(&mut self, path: String, bytes: Vec<u8>) {
        self.stale.remove(&path);
        if self.files.get(&path).is_some_and(|old| **old == bytes) {
            return;
        }
        let hash = file_hash(&path, &bytes);
        if path != META_PATH {
            self.acc ^= hash;
            if let Some(old) = self.hashes.insert(path.clone(), hash) {
                self.acc ^= old;
            }
        }
        self.files.insert(path.clone(), Arc::new(bytes));
        self.removed.remove(&path);
        self.written.insert(path);
    }

    /// `path` goes at the end of this update (`sweep`) unless it is written again first.
    pub fn mark_stale(&mut self, path: String) {
        if self.files.contains_key(&path) {
            self.stale.insert(path);
        }
    }

    /// Deletes the paths still stale.
    pub fn sweep(&mut self) {
        for path in std::mem::take(&mut self.stale) {
            if self.files.remove(&path).is_some() {
                if let Some(old) = self.hashes.remove(&path) {
                    self.acc ^= old;
                }
                self.written.remove(&path);
                self.removed.insert(path);
            }
        }
    }

    /// Replaces every file: paths absent from `files` are removed.
    pub fn replace_all(&mut self, files: Vec<(String, Vec<u8>)>) {
        let mut old: BTreeSet<String> = self.files.keys().cloned().collect();
        for (path, bytes) in files {
            old.remove(&path);
            self.put(path, bytes);
        }
        for path in old {
            self.mark_stale(path);
        }
        self.sweep();
    }

    /// The index id: a short hash of every file's hash (and the doc count).
    pub fn id(&self, docs: usize) -> String {
        let mut h = blake3::Hasher::new();
        h.update(&self.acc.to_le_bytes());
        h.update(&(docs as u64).to_le_bytes());
        h.finalize().to_hex()[..12].to_string()
    }

    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.files
            .into_iter()
            .map(|(p, b)| (p, Arc::try_unwrap(b).unwrap_or_else(|b| b.as_ref().clone())))
            .collect()
    }

    pub fn take_changes(&mut self) -> IndexChanges {
        IndexChanges {
            written: std::mem::take(&mut self.written).into_iter().collect(),
            removed: std::mem::take(&mut self.removed).into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_and_id_follow_the_bytes_not_the_history() {
        let mut a = FileSet::default();
        a.put("search/x".into(), b"1".to_vec());
        a.put("search/y".into(), b"2".to_vec());
        a.take_changes();
        let id = a.id(3);
        // Same bytes again: no change. Stale then rewritten: no change.
        a.put("search/x".into(), b"1".to_vec());
        a.mark_stale("search/y".into());
        a.put("search/y".into(), b"2".to_vec());
        a.sweep();
        assert!(a.take_changes().is_empty());
        a.put("search/x".into(), b"9".to_vec());
        a.mark_stale("search/y".into());
        a.sweep();
        let changes = a.take_changes();
        assert_eq!(changes.written, ["search/x"]);
        assert_eq!(changes.removed, ["search/y"]);
        assert_ne!(a.id(3), id);
        // Back to the first state in another order: the same id.
        let mut b = FileSet::default();
        b.put("search/y".into(), b"2".to_vec());
        b.put("search/x".into(), b"1".to_vec());
        assert_eq!(b.id(3), id);
        assert_ne!(b.id(4), id);
    }
}
