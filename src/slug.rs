//! Slugs for ids and URLs, and humanised titles from file names.

/// `"Getting started: Git!"` → `"getting-started-git"`. Keeps Unicode letters and digits,
/// lowercases, and folds every other run of characters into one `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(ch.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// `"pip-tricks"` → `"Pip tricks"`.
pub fn humanize(stem: &str) -> String {
    let words: Vec<&str> = stem
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

/// Hands out unique ids within one page: `id`, `id-2`, `id-3`, …
#[derive(Default)]
pub struct IdAllocator {
    used: std::collections::HashSet<String>,
}

impl IdAllocator {
    pub fn new(reserved: &[&str]) -> Self {
        IdAllocator {
            used: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn allocate(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() { "section" } else { wanted };
        if self.used.insert(base.to_string()) {
            return base.to_string();
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| self.used.insert(candidate.clone()))
            .expect("an unused id always exists")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Getting started: Git!"), "getting-started-git");
        assert_eq!(slugify("  `--no-cache-dir`  "), "no-cache-dir");
        assert_eq!(slugify("__qualname__"), "__qualname__");
        assert_eq!(slugify("Ünïcode Straße"), "ünïcode-straße");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn humanized() {
        assert_eq!(humanize("pip-tricks"), "Pip tricks");
        assert_eq!(humanize("git_basics"), "Git basics");
        assert_eq!(humanize("x"), "X");
    }

    #[test]
    fn unique_ids() {
        let mut ids = IdAllocator::new(&["top"]);
        assert_eq!(ids.allocate("usage"), "usage");
        assert_eq!(ids.allocate("usage"), "usage-2");
        assert_eq!(ids.allocate("usage"), "usage-3");
        assert_eq!(ids.allocate("top"), "top-2");
        assert_eq!(ids.allocate(""), "section");
    }
}
