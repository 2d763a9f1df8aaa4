//! Site pass: resolves the internal-link placeholders left by `markdown` into URLs.
//!
//! Forms: `other.md`, `../dir/other.md#card`, extension-less `other`, root-relative
//! `/other`, folder links (`dir/` → its section page), and files under `content/` that are
//! not notes (copied assets). Anything else is a `broken-link` warning at the link's
//! `path:line:col`, and the page keeps the link text marked as broken instead of a dead href.

use crate::diagnostics::Diagnostic;
use crate::highlight::{escape, escape_into};
use crate::markdown::{LinkKind, LinkRef, PLACEHOLDER};
use crate::note::RenderedNote;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use std::collections::{HashMap, HashSet};

/// Characters escaped in generated URL paths.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%');

/// Everything a link can point at, keyed by path relative to `content/`.
pub struct LinkTargets<'a> {
    /// Note file path → URL path (`git/basics.md` → `git/basics/`).
    pub notes: HashMap<&'a str, &'a str>,
    /// Folder paths (relative to `content/`, URL form) that have a section page.
    pub sections: HashSet<String>,
    /// Asset file paths.
    pub assets: &'a HashSet<String>,
    pub base_path: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    Url(String),
    Broken(String),
}

impl LinkTargets<'_> {
    /// Resolves `dest` written in the note at `note_rel` (e.g. `a/b.md`).
    pub fn resolve(&self, note_rel: &str, dest: &str) -> Target {
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or("");
        let with_fragment = |url: String| match fragment {
            Some(f) if !f.is_empty() => format!("{url}#{f}"),
            _ => url,
        };
        if path_part.is_empty() {
            // `#card` on the same page.
            return Target::Url(format!("#{}", fragment.unwrap_or("")));
        }
        let decoded = percent_decode_str(path_part).decode_utf8_lossy();
        let base_dir = if decoded.starts_with('/') {
            ""
        } else {
            note_rel.rsplit_once('/').map_or("", |(d, _)| d)
        };
        let Some(path) = normalise(base_dir, &decoded) else {
            return Target::Broken(format!("link {dest:?} points outside content/"));
        };
        match self.lookup(&path) {
            Some(url) => Target::Url(with_fragment(url)),
            None => Target::Broken(format!(
                "broken link {dest:?}: no note or file at content/{path}"
            )),
        }
    }

    fn lookup(&self, path: &str) -> Option<String> {
        let page = |url_path: &str| format!("{}{}", self.base_path, url_path);
        let trimmed = path.trim_end_matches('/');
        if trimmed.is_empty() {
            return Some(self.base_path.to_string());
        }
        if let Some(url) = self.notes.get(trimmed) {
            return Some(page(url));
        }
        if !path.ends_with('/') {
            for ext in [".md", ".markdown"] {
                if let Some(url) = self.notes.get(format!("{trimmed}{ext}").as_str()) {
                    return Some(page(url));
                }
            }
            if self.assets.contains(trimmed) {
                return Some(format!(
                    "{}{}",
                    self.base_path,
                    utf8_percent_encode(trimmed, PATH)
                ));
            }
        }
        for index in ["index.md", "_index.md"] {
            if let Some(url) = self.notes.get(format!("{trimmed}/{index}").as_str()) {
                return Some(page(url));
            }
        }
        let as_url: Vec<String> = trimmed.split('/').map(crate::note::path_segment).collect();
        let as_url = as_url.join("/");
        self.sections
            .contains(&as_url)
            .then(|| page(&format!("{as_url}/")))
    }

    /// Resolves every link of a note: the text each placeholder is replaced with, plus
    /// diagnostics for the broken ones.
    pub fn replacements(&self, note: &RenderedNote, diags: &mut Vec<Diagnostic>) -> Vec<String> {
        note.links
            .iter()
            .map(|link| {
                let target = self.resolve(&note.rel_path, &link.dest);
                if let Target::Broken(msg) = &target {
                    diags.push(Diagnostic::warning(
                        &note.display_path,
                        link.pos,
                        "broken-link",
                        msg.clone(),
                    ));
                }
                render_link(link, &target)
            })
            .collect()
    }
}

fn render_link(link: &LinkRef, target: &Target) -> String {
    match (&link.kind, target) {
        (LinkKind::Anchor { title }, Target::Url(url)) => {
            let mut s = String::from("<a href=\"");
            escape_into(&mut s, url);
            s.push('"');
            if !title.is_empty() {
                s.push_str(" title=\"");
                escape_into(&mut s, title);
                s.push('"');
            }
            s.push('>');
            s
        }
        (LinkKind::Anchor { .. }, Target::Broken(_)) => {
            format!(
                "<a class=\"broken-link\" title=\"broken link: {}\">",
                escape(&link.dest)
            )
        }
        (LinkKind::Url, Target::Url(url)) => escape(url),
        (LinkKind::Url, Target::Broken(_)) => escape(&link.dest),
    }
}

/// Joins `dest` onto `base_dir` and folds `.` and `..`; `None` if it climbs out of the root.
fn normalise(base_dir: &str, dest: &str) -> Option<String> {
    let mut parts: Vec<&str> = base_dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in dest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut path = parts.join("/");
    if dest.ends_with('/') && !path.is_empty() {
        path.push('/');
    }
    Some(path)
}

/// Replaces `\u{1}A3\u{1}` / `\u{1}U3\u{1}` placeholders with `replacements[3]`.
pub fn substitute(html: &str, replacements: &[String]) -> String {
    if !html.contains(PLACEHOLDER) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = rest.find(PLACEHOLDER) {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find(PLACEHOLDER) else {
            rest = after;
            break;
        };
        let idx: Option<usize> = after.get(1..end).and_then(|n| n.parse().ok());
        if let Some(r) = idx.and_then(|i| replacements.get(i)) {
            out.push_str(r);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(assets: &HashSet<String>) -> LinkTargets<'_> {
        let notes = HashMap::from([
            ("a.md", "a/"),
            ("dir/b.md", "dir/b/"),
            ("dir/index.md", "dir/"),
        ]);
        LinkTargets {
            notes,
            sections: HashSet::from(["dir".to_string()]),
            assets,
            base_path: "/sub/",
        }
    }

    #[test]
    fn resolves_forms() {
        let assets = HashSet::from(["img/x y.png".to_string()]);
        let t = targets(&assets);
        assert_eq!(
            t.resolve("dir/b.md", "../a.md"),
            Target::Url("/sub/a/".into())
        );
        assert_eq!(
            t.resolve("a.md", "dir/b.md#card"),
            Target::Url("/sub/dir/b/#card".into())
        );
        assert_eq!(
            t.resolve("a.md", "dir/b"),
            Target::Url("/sub/dir/b/".into())
        );
        assert_eq!(t.resolve("dir/b.md", "/a"), Target::Url("/sub/a/".into()));
        assert_eq!(t.resolve("a.md", "dir/"), Target::Url("/sub/dir/".into()));
        assert_eq!(
            t.resolve("a.md", "img/x%20y.png"),
            Target::Url("/sub/img/x%20y.png".into())
        );
        assert_eq!(t.resolve("a.md", "#top"), Target::Url("#top".into()));
        assert!(matches!(t.resolve("a.md", "missing.md"), Target::Broken(_)));
        assert!(
            matches!(t.resolve("a.md", "../.vscode/launch.json"), Target::Broken(m) if m.contains("outside"))
        );
    }

    #[test]
    fn substitutes_placeholders() {
        let html = "x \u{1}A0\u{1}t</a> <img src=\"\u{1}U1\u{1}\">";
        assert_eq!(
            substitute(html, &["<a href=\"/a/\">".into(), "/i.png".into()]),
            "x <a href=\"/a/\">t</a> <img src=\"/i.png\">"
        );
    }
}
