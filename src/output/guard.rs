//! Output-directory guards: which folders may never be an output directory, decided on
//! canonical paths (symlinks resolved) so `content -> ~/vault` or `-o ./x/../..` cannot
//! slip past a textual comparison. These refusals hold even with `--force`.

use crate::error::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// Resolves `out` (following symlinks as far as it exists, then lexically) and refuses
/// output directories that would destroy sources or a home: `/`, the home directory or a
/// parent of it, the site root or a parent of it, anything inside or containing the
/// (resolved) `content/` or `themes/` folders, and an existing non-directory.
/// Returns the resolved output directory.
pub fn resolve_output(out: &Path, root: &Path) -> Result<PathBuf> {
    let forbidden = |reason: String| Error::OutputForbidden {
        path: out.into(),
        reason,
    };
    let resolved = canonical_lenient(out);
    if let Ok(meta) = std::fs::metadata(&resolved) {
        if !meta.is_dir() {
            return Err(forbidden("it is a file, not a directory".into()));
        }
    }
    if resolved.parent().is_none() {
        return Err(forbidden("it is the file-system root".into()));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        let home = canonical_lenient(Path::new(&home));
        if home.starts_with(&resolved) {
            return Err(forbidden(if home == resolved {
                "it is your home directory".into()
            } else {
                "it contains your home directory".into()
            }));
        }
    }
    let canon_root = std::fs::canonicalize(root).map_err(|e| Error::io(root, e))?;
    if canon_root.starts_with(&resolved) {
        return Err(forbidden("it contains the site itself".into()));
    }
    for protected in [crate::config::CONTENT_DIR, "themes"] {
        // Resolved, so a `content/` symlink to a vault elsewhere is protected where it is.
        let dir = canonical_lenient(&canon_root.join(protected));
        if resolved.starts_with(&dir) {
            return Err(forbidden(format!("it is inside {protected}/")));
        }
        if dir.starts_with(&resolved) {
            return Err(forbidden(format!("it contains {protected}/")));
        }
    }
    Ok(resolved)
}

/// `canonicalize` for a path that may not exist yet: the longest existing prefix is
/// canonicalised (symlinks resolved), the rest is normalised lexically (it has no
/// symlinks, since it does not exist).
pub fn canonical_lenient(p: &Path) -> PathBuf {
    let absolute = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(existing) {
            let mut out = c;
            for part in rest.iter().rev() {
                push_normalised(&mut out, Path::new(part));
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            // `..` as the last component: keep it for the lexical pass.
            (Some(parent), None) => {
                rest.push("..".into());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = PathBuf::new();
    push_normalised(&mut out, &absolute);
    out
}

fn push_normalised(out: &mut PathBuf, part: &Path) {
    for c in part.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(out: &Path, root: &Path) -> bool {
        matches!(
            resolve_output(out, root),
            Err(Error::OutputForbidden { .. })
        )
    }

    #[test]
    fn refuses_sources_root_and_parents() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join("file.txt"), "x").unwrap();
        assert!(refused(&root, &root));
        assert!(refused(dir.path(), &root));
        assert!(refused(&root.join("content"), &root));
        assert!(refused(&root.join("content/out"), &root));
        assert!(refused(&root.join("themes/x"), &root));
        assert!(refused(&root.join("public/../.."), &root));
        assert!(refused(&root.join("file.txt"), &root));
        assert!(refused(Path::new("/"), &root));
        assert!(!refused(&root.join("public"), &root));
        assert!(!refused(&root.join("x/../public"), &root));
        assert_eq!(
            resolve_output(&root.join("x/../public"), &root).unwrap(),
            std::fs::canonicalize(&root).unwrap().join("public")
        );
    }

    #[cfg(unix)]
    #[test]
    fn resolves_a_symlinked_content_folder() {
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault");
        let root = dir.path().join("site");
        std::fs::create_dir_all(&vault).unwrap();
        std::fs::create_dir_all(&root).unwrap();
        std::os::unix::fs::symlink(&vault, root.join("content")).unwrap();
        assert!(refused(&vault, &root));
        assert!(refused(&vault.join("out"), &root));
        assert!(refused(dir.path(), &root));
        assert!(refused(&root.join("content"), &root));
    }

    #[test]
    fn lenient_canonical_normalises_missing_tails() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(canonical_lenient(&base.join("a/b/../c")), base.join("a/c"));
        assert_eq!(
            canonical_lenient(&base.join("a/../..")),
            base.parent().unwrap()
        );
    }
}
