//! The manifest: which files of an output directory cheatgen wrote (and their hashes).
//!
//! It lives beside the output directory (`.public.cheatgen-manifest`), never inside it, so it
//! is neither served nor deployed. A manifest is only trusted when every entry is a
//! normalised relative path that stays inside the output directory with no symlinked parent
//! folder; anything else means a forged or corrupt manifest, and the folder is treated as
//! foreign. A site built by an earlier version keeps its manifest inside
//! (`public/.cheatgen-manifest`): it is read (and validated) the same way, and dropped on
//! the next build.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Where earlier versions kept the manifest: inside the output directory.
pub const LEGACY_MANIFEST: &str = ".cheatgen-manifest";
const HEADER: &str = "# cheatgen manifest 2";
/// Hash of an entry whose bytes are not known (a file of the tree being replaced).
const UNKNOWN_HASH: &str = "-";

/// Output path (relative, `/`-separated) → blake3 hex hash, or `None` when not known.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub entries: BTreeMap<String, Option<String>>,
}

/// Appends "not known" lines for `paths` to the manifest file at `path`, which must
/// exist and end with a line break (as `render` makes it): the cheap way to say, before
/// files are replaced in place, that a crash may leave either version of them.
pub fn append_unknown(path: &Path, paths: &[&str]) -> std::io::Result<()> {
    use std::io::Write;
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a file"));
    }
    let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
    file.write_all(Manifest::unknown_lines(paths).as_bytes())
}

/// Why a manifest is not trusted (shown in the warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub entry: String,
    pub reason: &'static str,
}

impl Manifest {
    pub fn parse(text: &str) -> Manifest {
        let entries = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once("  "))
            .map(|(h, p)| {
                let hash = (h != UNKNOWN_HASH).then(|| h.to_string());
                (p.to_string(), hash)
            })
            .collect();
        Manifest { entries }
    }

    /// Lines to append to a saved manifest that mark `paths` as not known: read back,
    /// a later line for a path wins over an earlier one.
    pub fn unknown_lines(paths: &[&str]) -> String {
        let mut text = String::new();
        for rel in paths {
            text.push_str(UNKNOWN_HASH);
            text.push_str("  ");
            text.push_str(rel);
            text.push('\n');
        }
        text
    }

    pub fn render(&self) -> String {
        let mut text = String::with_capacity(self.entries.len() * 96);
        text.push_str(HEADER);
        text.push('\n');
        for (rel, hash) in &self.entries {
            text.push_str(hash.as_deref().unwrap_or(UNKNOWN_HASH));
            text.push_str("  ");
            text.push_str(rel);
            text.push('\n');
        }
        text
    }

    pub fn hash(&self, rel: &str) -> Option<&str> {
        self.entries.get(rel).and_then(|h| h.as_deref())
    }

    pub fn contains(&self, rel: &str) -> bool {
        self.entries.contains_key(rel)
    }

    /// Checks every entry against `out` (the resolved output directory): the first entry
    /// that is not a clean relative path, or that passes through a symlink or leaves `out`
    /// once resolved, makes the whole manifest untrusted.
    pub fn validate(&self, out: &Path) -> Result<(), Untrusted> {
        let mut checked: HashSet<&str> = HashSet::new();
        for rel in self.entries.keys() {
            if let Err(reason) = check_relative(rel) {
                return Err(Untrusted {
                    entry: rel.clone(),
                    reason,
                });
            }
            // Every parent folder that exists must be a real folder inside `out`.
            let mut end = 0;
            while let Some(i) = rel[end..].find('/') {
                end += i;
                let dir = &rel[..end];
                end += 1;
                if !checked.insert(dir) {
                    continue;
                }
                let path = out.join(dir);
                let Ok(meta) = std::fs::symlink_metadata(&path) else {
                    break;
                };
                // `out` is resolved and no segment is `..`: with no symlink on the way, the
                // resolved path is the path itself, inside `out`.
                if meta.file_type().is_symlink() || !meta.is_dir() {
                    return Err(Untrusted {
                        entry: rel.clone(),
                        reason: "a parent folder is a symlink (or not a folder)",
                    });
                }
            }
        }
        Ok(())
    }
}

/// Is `rel` a normalised relative output path (`a/b.html`): no empty, `.` or `..`
/// segment, not absolute, no backslash or NUL?
pub fn check_relative(rel: &str) -> Result<(), &'static str> {
    if rel.is_empty() {
        return Err("it is empty");
    }
    if rel.starts_with('/') || rel.contains(':') && cfg!(windows) {
        return Err("it is an absolute path");
    }
    if rel.contains('\\') || rel.contains('\0') {
        return Err("it contains a backslash or NUL");
    }
    if rel
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err("it leaves the output directory or is not normalised");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(entries: &[&str]) -> Manifest {
        Manifest {
            entries: entries
                .iter()
                .map(|e| (e.to_string(), Some("h".into())))
                .collect(),
        }
    }

    #[test]
    fn round_trips_and_reads_the_legacy_format() {
        let mut m = manifest(&["a/index.html", "b.txt"]);
        m.entries.insert("old.html".into(), None);
        assert_eq!(Manifest::parse(&m.render()), m);
        let legacy = Manifest::parse("abc  index.html\ndef  a b/c.html\n");
        assert_eq!(legacy.hash("a b/c.html"), Some("def"));
    }

    #[test]
    fn appended_unknown_lines_win_over_earlier_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".public.cheatgen-manifest");
        std::fs::write(&path, manifest(&["a.html", "b.html", "c.html"]).render()).unwrap();
        append_unknown(&path, &["b.html", "new.html"]).unwrap();
        let read = Manifest::parse(&std::fs::read_to_string(&path).unwrap());
        assert_eq!(read.hash("a.html"), Some("h"));
        assert_eq!(read.hash("b.html"), None, "about to change: not known");
        assert!(read.contains("b.html") && read.contains("new.html"));
        assert_eq!(read.entries.len(), 4);
        // No manifest file: the caller saves a whole one instead.
        assert!(append_unknown(&dir.path().join("missing"), &["x"]).is_err());
    }

    #[test]
    fn rejects_entries_that_leave_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(out.join("a")).unwrap();
        assert!(manifest(&["a/index.html", "b/c/d.html"])
            .validate(&out)
            .is_ok());
        for bad in [
            "../../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "./a",
            "a/.",
            "",
            "a\\..\\x",
        ] {
            let err = manifest(&["index.html", bad]).validate(&out).unwrap_err();
            assert_eq!(err.entry, bad);
        }
    }

    #[cfg(unix)]
    #[test]
    fn rejects_entries_under_a_symlinked_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), out.join("link")).unwrap();
        let err = manifest(&["link/x.txt"]).validate(&out).unwrap_err();
        assert!(err.reason.starts_with("a parent folder is a symlink"));
        // A symlink to a folder inside the output is still a symlink.
        std::fs::create_dir_all(out.join("real")).unwrap();
        std::os::unix::fs::symlink(out.join("real"), out.join("inner")).unwrap();
        assert!(manifest(&["inner/x.txt"]).validate(&out).is_err());
    }
}
