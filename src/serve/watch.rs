//! File watching for `serve`: notify + a debouncer, turned into "something relevant
//! changed" batches. Watches `content/` and `themes/` recursively and the site root
//! itself (for `cheatgen.toml`, and for `content/` or `themes/` appearing later), and
//! drops editor noise: swap, backup and temp files, hidden files, the output folder.

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long the debouncer waits for a burst (an editor's save, a `git checkout`) to end.
pub const DEBOUNCE: Duration = Duration::from_millis(10);

/// A batch of relevant changed paths.
#[derive(Debug, Default)]
pub struct Changes {
    pub paths: Vec<PathBuf>,
}

impl Changes {
    /// Only stylesheets under `themes/` changed: the browser can swap CSS in place.
    pub fn css_only(&self) -> bool {
        !self.paths.is_empty()
            && self
                .paths
                .iter()
                .all(|p| p.extension().is_some_and(|e| e == "css"))
    }
}

pub struct Watcher {
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: Vec<PathBuf>,
}

impl Watcher {
    /// Starts watching `content/` and `themes/` if they exist and are not watched yet (they
    /// may be created while serving).
    pub fn ensure_watched(&mut self) {
        for dir in [crate::note::source::CONTENT_DIR, "themes"] {
            let d = self.root.join(dir);
            if d.is_dir()
                && !self.watched.contains(&d)
                && self.debouncer.watch(&d, RecursiveMode::Recursive).is_ok()
            {
                self.watched.push(d);
            }
        }
    }
}

/// Starts watching; relevant batches arrive on the returned channel.
pub fn watch(root: &Path, output: &Path) -> notify::Result<(Watcher, mpsc::Receiver<Changes>)> {
    let (tx, rx) = mpsc::channel();
    let root_c = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let output_c = std::fs::canonicalize(output).unwrap_or_else(|_| output.to_path_buf());
    let filter_root = root_c.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let mut changes = Changes::default();
        for event in events {
            if event.kind.is_access() {
                continue;
            }
            for p in &event.paths {
                if relevant(&filter_root, &output_c, p) && !changes.paths.contains(p) {
                    changes.paths.push(p.clone());
                }
            }
        }
        if !changes.paths.is_empty() {
            let _ = tx.send(changes);
        }
    })?;
    debouncer.watch(&root_c, RecursiveMode::NonRecursive)?;
    let mut watcher = Watcher {
        debouncer,
        root: root_c,
        watched: Vec::new(),
    };
    watcher.ensure_watched();
    Ok((watcher, rx))
}

/// Is a change to `path` one a rebuild should see?
pub fn relevant(root: &Path, output: &Path, path: &Path) -> bool {
    if path.starts_with(output) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.iter().map(|s| s.to_string_lossy());
    let Some(first) = parts.next() else {
        return false;
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    if is_editor_noise(&name) {
        return false;
    }
    match first.as_ref() {
        "cheatgen.toml" => rel.iter().count() == 1,
        "content" | "themes" => !rel
            .iter()
            .skip(1)
            .any(|s| s.to_string_lossy().starts_with('.')),
        _ => false,
    }
}

/// Swap, backup and temp files editors write next to the real one.
pub fn is_editor_noise(name: &str) -> bool {
    name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with('~')
        || name == "4913"
        || [
            ".swp",
            ".swo",
            ".swx",
            ".tmp",
            ".bak",
            ".crdownload",
            ".part",
        ]
        .iter()
        .any(|ext| name.ends_with(ext))
        || name.ends_with(crate::output::TMP_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_noise_and_output() {
        let root = Path::new("/site");
        let out = Path::new("/site/public");
        assert!(relevant(root, out, Path::new("/site/content/a.md")));
        assert!(relevant(root, out, Path::new("/site/content/img/x.png")));
        assert!(relevant(root, out, Path::new("/site/cheatgen.toml")));
        assert!(relevant(
            root,
            out,
            Path::new("/site/themes/default/static/style.css")
        ));
        assert!(!relevant(root, out, Path::new("/site/public/a/index.html")));
        assert!(!relevant(root, out, Path::new("/site/content/.a.md.swp")));
        assert!(!relevant(root, out, Path::new("/site/content/a.md~")));
        assert!(!relevant(root, out, Path::new("/site/content/4913")));
        assert!(!relevant(root, out, Path::new("/site/content/.git/HEAD")));
        assert!(!relevant(root, out, Path::new("/site/README.md")));
        let css = Changes {
            paths: vec!["/site/themes/default/static/style.css".into()],
        };
        assert!(css.css_only());
    }
}
