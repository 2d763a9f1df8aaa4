//! Change classification for `serve`: what kind of input each changed path is. A batch of
//! paths from the watcher becomes one `ChangeSet`: the config, the theme, or these paths
//! under `content/` (each then probed: note added, changed or removed, asset, or "rescan").
//! A rename arrives as its two paths, so it is a removal plus an addition.

use crate::config::CONFIG_FILE;
use crate::note::source::CONTENT_DIR;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// `cheatgen.toml` changed: everything is reloaded.
    pub config: bool,
    /// A file under `themes/` changed: templates and static files are reloaded.
    pub theme: bool,
    /// Paths under `content/`, relative to it (`/`-separated).
    pub content: BTreeSet<String>,
    /// `content/` itself changed (created, removed, replaced): walk it again.
    pub rescan: bool,
}

impl ChangeSet {
    pub fn is_empty(&self) -> bool {
        !self.config && !self.theme && self.content.is_empty() && !self.rescan
    }
}

/// Sorts `paths` (absolute, as the watcher reports them, or relative to `root`).
pub fn classify(root: &Path, paths: &[PathBuf]) -> ChangeSet {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut set = ChangeSet::default();
    for path in paths {
        let rel = path
            .strip_prefix(&canonical)
            .or_else(|_| path.strip_prefix(root))
            .unwrap_or(path);
        let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
        match parts.next().as_deref() {
            Some(CONFIG_FILE) if rel.components().count() == 1 => set.config = true,
            Some("themes") => set.theme = true,
            Some(CONTENT_DIR) => {
                let rest: Vec<String> = parts.map(|p| p.into_owned()).collect();
                if rest.is_empty() {
                    set.rescan = true;
                } else {
                    set.content.insert(rest.join("/"));
                }
            }
            _ => {}
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_paths_by_kind() {
        let root = Path::new("/nonexistent-site");
        let set = classify(
            root,
            &[
                root.join("cheatgen.toml"),
                root.join("themes/mine/templates/sheet.html"),
                root.join("content/git/basics.md"),
                root.join("content/img/a.png"),
                root.join("README.md"),
            ],
        );
        assert!(set.config && set.theme && !set.rescan);
        assert_eq!(
            set.content.iter().map(String::as_str).collect::<Vec<_>>(),
            ["git/basics.md", "img/a.png"]
        );
        assert!(classify(root, &[root.join("content")]).rescan);
        assert!(classify(root, &[root.join("other/cheatgen.toml")]).is_empty());
    }
}
