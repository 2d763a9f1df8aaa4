//! Walks `content/` (walkdir): finds notes (`*.md`) and assets (everything else), skips
//! hidden entries and `ignore` globs, reads notes as UTF-8 and hashes them.
//!
//! Problems with single files (not UTF-8, unreadable, symlink loops) become diagnostics so
//! one bad file never stops the build.
//!
//! Symlinks are followed only while they stay inside `content/` (after resolving): one that
//! leads out of it is skipped with a warning unless `[build] follow_external_symlinks` is
//! set, and one that leads into (or around) the output directory is never followed, so a
//! build can neither publish arbitrary files nor feed on its own output.

use crate::diagnostics::{Diagnostic, Pos};
use crate::error::{Error, Result};
use crate::output::site_path::SitePath;
use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

pub use crate::config::CONTENT_DIR;

/// A Markdown note as read from disk.
#[derive(Debug, Clone)]
pub struct NoteSource {
    /// Path relative to `content/`, with `/` separators: `git/basics.md`.
    pub rel_path: String,
    /// Path shown in diagnostics: `content/git/basics.md` (relative to the working dir
    /// when the root was given relatively).
    pub display_path: String,
    pub text: String,
    pub hash: blake3::Hash,
}

/// A non-Markdown file under `content/`, copied to the same relative output path.
#[derive(Debug, Clone)]
pub struct AssetSource {
    pub rel_path: String,
    pub abs_path: PathBuf,
}

#[derive(Debug, Default)]
pub struct SourceTree {
    pub notes: Vec<NoteSource>,
    pub assets: Vec<AssetSource>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Builds the matcher for `[build] ignore` globs.
pub fn ignore_set(root: &Path, globs: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| Error::Usage {
            path: root.join(crate::config::CONFIG_FILE),
            message: format!("invalid glob {g:?} in [build] ignore: {e}"),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| Error::Usage {
        path: root.join(crate::config::CONFIG_FILE),
        message: format!("invalid [build] ignore globs: {e}"),
    })
}

pub fn display_path(root: &Path, rel: &str) -> String {
    let joined = root.join(CONTENT_DIR).join(rel);
    let s = joined.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Is this a path (relative to `content/`) of a note?
pub fn is_note(rel_path: &str) -> bool {
    rel_path.ends_with(".md") || rel_path.ends_with(".markdown")
}

/// Which symlinks under `content/` the walk follows.
#[derive(Debug, Clone)]
pub struct SymlinkPolicy {
    /// Follow links whose target is outside `content/` (`[build] follow_external_symlinks`).
    pub follow_external: bool,
    /// The output directory: never walked into, whatever the links say.
    pub output_dir: PathBuf,
}

/// Resolved `content/` and output directory, to judge where a symlink leads.
struct LinkJudge<'a> {
    policy: &'a SymlinkPolicy,
    content: PathBuf,
    output: PathBuf,
}

impl LinkJudge<'_> {
    /// `Some(warning)` when the symlink at `path` must not be followed. A dangling link is
    /// judged by where it points (the output directory may not exist yet); one dangling
    /// inside `content/` is left to walkdir, which reports it as unreadable.
    fn refuse(&self, root: &Path, content: &Path, path: &Path) -> Option<Diagnostic> {
        let target = std::fs::canonicalize(path).ok().or_else(|| {
            let link = std::fs::read_link(path).ok()?;
            Some(canonical_lenient(&path.parent()?.join(link)))
        })?;
        let rel = path
            .strip_prefix(content)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let shown = display_path(root, &rel);
        if target.starts_with(&self.output) || self.output.starts_with(&target) {
            return Some(Diagnostic::warning(
                &shown,
                Pos::FILE,
                "symlink-into-output",
                format!(
                    "symlink to {} leads into the output directory; not followed",
                    target.display()
                ),
            ));
        }
        if !self.policy.follow_external && !target.starts_with(&self.content) {
            return Some(Diagnostic::warning(
                &shown,
                Pos::FILE,
                "external-symlink",
                format!(
                    "symlink to {} leads outside content/; skipped (set `[build] \
                     follow_external_symlinks = true` to publish it)",
                    target.display()
                ),
            ));
        }
        None
    }
}

/// `canonicalize` for a path that may not exist yet: its nearest existing ancestor,
/// resolved, with the rest appended.
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

/// Walks `<root>/content` and reads every note.
pub fn scan(root: &Path, ignore: &GlobSet, links: &SymlinkPolicy) -> Result<SourceTree> {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        return Err(Error::Usage {
            path: content,
            message:
                "no content directory here (run `cheatgen init` to create a site, or pass --root)"
                    .into(),
        });
    }
    let judge = LinkJudge {
        policy: links,
        content: std::fs::canonicalize(&content).map_err(|e| Error::io(&content, e))?,
        output: canonical_lenient(&links.output_dir),
    };
    let mut tree = SourceTree::default();
    let mut note_paths = Vec::new();
    let mut refused_links = Vec::new();
    let walker = WalkDir::new(&content)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if is_hidden(e.file_name()) {
                return false;
            }
            if e.path_is_symlink() {
                if let Some(d) = judge.refuse(root, &content, e.path()) {
                    refused_links.push(d);
                    return false;
                }
            }
            true
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // A dangling link never reaches `filter_entry`: judge it here.
                let refused = e
                    .path()
                    .filter(|p| p.is_symlink())
                    .and_then(|p| judge.refuse(root, &content, p));
                tree.diagnostics
                    .push(refused.unwrap_or_else(|| walk_error(root, &content, &e)));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&content) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if ignore.is_match(&rel) {
            continue;
        }
        if !is_note(&rel) {
            // Notes get their URL from `note`; an asset keeps its path, which must be one.
            if let Err(e) = SitePath::parse(&rel) {
                tree.diagnostics.push(Diagnostic::warning(
                    &display_path(root, &rel),
                    Pos::FILE,
                    "bad-path",
                    format!("not copied: {e}"),
                ));
                continue;
            }
        }
        if is_note(&rel) {
            note_paths.push((rel, entry.into_path()));
        } else {
            tree.assets.push(AssetSource {
                rel_path: rel,
                abs_path: entry.into_path(),
            });
        }
    }

    tree.diagnostics.extend(refused_links);

    let results: Vec<std::result::Result<NoteSource, Diagnostic>> = note_paths
        .into_par_iter()
        .map(|(rel, abs)| read_note(root, rel, &abs))
        .collect();
    for r in results {
        match r {
            Ok(note) => tree.notes.push(note),
            Err(d) => tree.diagnostics.push(d),
        }
    }
    Ok(tree)
}

/// What one path under `content/` is now, judged without walking the tree.
#[derive(Debug)]
pub enum Probe {
    Note(std::result::Result<NoteSource, Diagnostic>),
    Asset(AssetSource),
    /// Not there, hidden or ignored: not part of the site.
    Absent,
    /// A folder, a symlink on the way, or a name the walk would report: only a whole
    /// `scan` judges it the same way a build does.
    Rescan,
}

/// Probes one changed path (relative to `content/`) the way `scan` would see it.
pub fn probe(root: &Path, rel: &str, ignore: &GlobSet) -> Probe {
    if rel.split('/').any(|s| s.starts_with('.')) || ignore.is_match(rel) {
        return Probe::Absent;
    }
    let content = root.join(CONTENT_DIR);
    if !std::fs::symlink_metadata(&content).is_ok_and(|m| m.is_dir()) {
        return Probe::Rescan;
    }
    let mut path = content;
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Probe::Absent,
            Err(_) => return Probe::Rescan,
            Ok(m) if m.file_type().is_symlink() => return Probe::Rescan,
            Ok(m) if i + 1 < parts.len() => {
                if !m.is_dir() {
                    return Probe::Absent;
                }
            }
            Ok(m) if !m.is_file() => return Probe::Rescan,
            Ok(_) => {}
        }
    }
    if is_note(rel) {
        Probe::Note(read_note(root, rel.to_string(), &path))
    } else if SitePath::parse(rel).is_ok() {
        Probe::Asset(AssetSource {
            rel_path: rel.to_string(),
            abs_path: path,
        })
    } else {
        Probe::Rescan
    }
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

fn walk_error(root: &Path, content: &Path, e: &walkdir::Error) -> Diagnostic {
    let rel = e
        .path()
        .and_then(|p| p.strip_prefix(content).ok())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let shown = display_path(root, &rel);
    if let Some(ancestor) = e.loop_ancestor() {
        Diagnostic::error(
            &shown,
            Pos::FILE,
            "symlink-loop",
            format!(
                "symlink loop (points back to {}), not followed",
                ancestor.display()
            ),
        )
    } else {
        Diagnostic::error(&shown, Pos::FILE, "unreadable", format!("cannot read: {e}"))
    }
}

/// Reads one note; a non-UTF-8 file is an error at the first bad byte's position.
pub fn read_note(
    root: &Path,
    rel_path: String,
    abs: &Path,
) -> std::result::Result<NoteSource, Diagnostic> {
    let display = display_path(root, &rel_path);
    let bytes = std::fs::read(abs).map_err(|e| {
        Diagnostic::error(
            &display,
            Pos::FILE,
            "unreadable",
            format!("cannot read: {e}"),
        )
    })?;
    let hash = blake3::hash(&bytes);
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let pos = crate::diagnostics::LineIndex::new(&prefix, 1).pos(valid);
        Diagnostic::error(
            &display,
            pos,
            "not-utf8",
            "file is not valid UTF-8 (save it as UTF-8); note skipped",
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(NoteSource {
        rel_path,
        display_path: display,
        text,
        hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_reports_position() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("content/bad.md");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"ok\nab\xff\n").unwrap();
        let d = read_note(dir.path(), "bad.md".into(), &p).unwrap_err();
        assert_eq!((d.line, d.column), (2, 3));
        assert_eq!(d.code, "not-utf8");
    }
}
