//! The output plan and its atomic, minimal write to the output directory.
//!
//! Every file is written to a temp file next to it and renamed into place, so a reader (or
//! a killed build) only ever sees a complete old or complete new file. Files whose bytes did
//! not change are not touched (serve relies on this), stale files are removed last, and a
//! manifest marks the directory as ours so we never clear a folder of someone else's files.

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = ".cheatgen-manifest";
pub const TMP_SUFFIX: &str = ".cheatgen-tmp";

#[derive(Debug, Clone)]
pub enum OutputFile {
    Bytes(Vec<u8>),
    /// Bytes shared with a build cache (rendered pages kept by `serve`).
    Shared(std::sync::Arc<Vec<u8>>),
    /// Copy of a source file (content assets), read at write time.
    Copy(PathBuf),
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

/// Refuses output directories that would destroy sources, or that hold foreign files.
pub fn check_output_dir(out: &Path, root: &Path, force: bool) -> Result<()> {
    let canon_root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    let canon_out = canonical_lenient(out);
    if canon_root.starts_with(&canon_out) {
        return Err(Error::OutputForbidden {
            path: out.into(),
            reason: "it contains the site itself".into(),
        });
    }
    for protected in [crate::source::CONTENT_DIR, "themes"] {
        if canon_out.starts_with(canon_root.join(protected)) {
            return Err(Error::OutputForbidden {
                path: out.into(),
                reason: format!("it is inside {protected}/"),
            });
        }
    }
    if force || !out.exists() || out.join(MANIFEST).is_file() {
        return Ok(());
    }
    let mut entries = std::fs::read_dir(out).map_err(|e| Error::io(out, e))?;
    if entries.next().is_some() {
        return Err(Error::OutputNotOurs {
            path: out.into(),
            reason: "it is not empty and was not written by cheatgen".into(),
        });
    }
    Ok(())
}

fn canonical_lenient(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => canonical_lenient(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        })
        .join(name),
        _ => p.to_path_buf(),
    }
}

/// Writes the plan into `out`: changed files only, then removes stale ones.
pub fn write(plan: &OutputPlan, out: &Path) -> Result<WriteStats> {
    write_except(plan, out, None)
}

/// `write`, but files of earlier builds under `keep` (e.g. `search/`) stay as they are
/// (neither removed nor dropped from the manifest): `serve` writes pages first and the
/// search index right after.
pub fn write_except(plan: &OutputPlan, out: &Path, keep: Option<&str>) -> Result<WriteStats> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let had_manifest = out.join(MANIFEST).is_file();
    let old = read_manifest(out);
    let results: Vec<Result<(String, String, bool)>> = plan
        .par_iter()
        .map(|(rel, file)| {
            let bytes = match file {
                OutputFile::Bytes(b) => std::borrow::Cow::Borrowed(b.as_slice()),
                OutputFile::Shared(b) => std::borrow::Cow::Borrowed(b.as_slice()),
                OutputFile::Copy(src) => {
                    std::borrow::Cow::Owned(std::fs::read(src).map_err(|e| Error::io(src, e))?)
                }
            };
            let hash = blake3::hash(&bytes).to_hex().to_string();
            let path = out.join(rel);
            let same = old.get(rel.as_str()) == Some(&hash)
                && std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64);
            if !same {
                write_atomic(&path, &bytes)?;
            }
            Ok((rel.clone(), hash, !same))
        })
        .collect();
    let mut stats = WriteStats::default();
    let mut manifest = String::new();
    for r in results {
        let (rel, hash, written) = r?;
        if written {
            stats.written += 1;
            stats.changed.push(rel.clone());
        } else {
            stats.unchanged += 1;
        }
        manifest.push_str(&format!("{hash}  {rel}\n"));
    }
    if let Some(prefix) = keep {
        let mut kept: Vec<(&String, &String)> = old
            .iter()
            .filter(|(rel, _)| rel.starts_with(prefix) && !plan.contains_key(*rel))
            .collect();
        kept.sort();
        for (rel, hash) in kept {
            manifest.push_str(&format!("{hash}  {rel}\n"));
        }
    }
    let keep_old = |rel: &String| keep.is_some_and(|k| rel.starts_with(k));
    let old_candidates: HashMap<String, String> = old
        .iter()
        .filter(|(rel, _)| !keep_old(rel))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed = remove_stale(out, plan, &old_candidates, had_manifest || keep.is_some())?;
    stats.removed = removed.len();
    stats.changed.extend(removed);
    stats.changed.sort();
    write_atomic(&out.join(MANIFEST), manifest.as_bytes())?;
    Ok(stats)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    // A file that does not exist yet has no previous version to protect: create it
    // directly (`create_new`, so a file appearing meanwhile is not clobbered), which
    // halves the file-system work of a first build. Replacements go through a rename.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        use std::io::Write as _;
        return f.write_all(bytes).map_err(|e| Error::io(path, e));
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(TMP_SUFFIX);
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

fn read_manifest(out: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(out.join(MANIFEST)) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|l| l.split_once("  "))
        .map(|(h, p)| (p.to_string(), h.to_string()))
        .collect()
}

/// Removes files of earlier builds that the plan no longer has. With a manifest only its
/// entries are candidates (fast, and never touches files cheatgen did not write); without
/// one (first build into a `--force`d folder) the whole folder is walked.
fn remove_stale(
    out: &Path,
    plan: &OutputPlan,
    old: &HashMap<String, String>,
    had_manifest: bool,
) -> Result<Vec<String>> {
    let candidates: Vec<String> = if had_manifest {
        old.keys()
            .filter(|k| !plan.contains_key(*k))
            .cloned()
            .collect()
    } else {
        walkdir::WalkDir::new(out)
            .min_depth(1)
            .into_iter()
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_type().is_dir())
            .filter_map(|e| {
                let rel = e.path().strip_prefix(out).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            })
            .filter(|rel| rel != MANIFEST && !plan.contains_key(rel))
            .collect()
    };
    let mut removed = Vec::new();
    for rel in candidates {
        let path = out.join(&rel);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(rel),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(path, e)),
        }
        // Empty folders left behind go too; fails harmlessly when one still has files.
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != out) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_changed_and_removes_stale() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut plan = OutputPlan::new();
        plan.insert("a/index.html".into(), OutputFile::Bytes(b"A".to_vec()));
        plan.insert("b.txt".into(), OutputFile::Bytes(b"B".to_vec()));
        assert_eq!(
            write(&plan, &out).unwrap(),
            WriteStats {
                written: 2,
                unchanged: 0,
                removed: 0,
                changed: vec!["a/index.html".into(), "b.txt".into()],
            }
        );
        plan.remove("a/index.html");
        plan.insert("b.txt".into(), OutputFile::Bytes(b"B".to_vec()));
        let s = write(&plan, &out).unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 0,
                unchanged: 1,
                removed: 1,
                changed: vec!["a/index.html".into()],
            }
        );
        assert!(!out.join("a").exists());
    }

    #[test]
    fn refuses_foreign_and_dangerous_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(root.join("other")).unwrap();
        std::fs::write(root.join("other/file.txt"), "x").unwrap();
        assert!(matches!(
            check_output_dir(&root.join("other"), root, false),
            Err(Error::OutputNotOurs { .. })
        ));
        assert!(check_output_dir(&root.join("other"), root, true).is_ok());
        assert!(matches!(
            check_output_dir(root, root, true),
            Err(Error::OutputForbidden { .. })
        ));
        assert!(matches!(
            check_output_dir(&root.join("content/out"), root, true),
            Err(Error::OutputForbidden { .. })
        ));
        assert!(check_output_dir(&root.join("public"), root, false).is_ok());
    }
}
