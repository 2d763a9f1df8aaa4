//! Site pass: resolves the internal-link placeholders left by `markdown` into URLs.
//!
//! Forms: `other.md`, `../dir/other.md#card`, extension-less `other`, root-relative
//! `/other`, folder links (`dir/` → its section page), files under `content/` that are
//! not notes (copied assets), and `[[wikilinks]]` by title, file stem, path or alias with
//! `#Card title` and `|label`. Fragments are checked against the target's real ids.
//! Anything else is a warning at the link's `path:line:col` (`broken-link`,
//! `broken-anchor`, `outside-content`, `ambiguous-link`), and the page keeps the link text
//! marked as broken instead of a dead href. Runs in the site pass so per-note renders
//! stay pure and cacheable.

use crate::diagnostics::Diagnostic;
use crate::note::cards::Sheet;
use crate::note::highlight::{escape, escape_into};
use crate::note::markdown::{LinkKind, LinkRef, PLACEHOLDER};
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

/// What the link pass needs to know about one note.
pub struct LinkNote<'a> {
    pub rel_path: &'a str,
    pub display_path: &'a str,
    /// URL path below the base path (`git/basics/`).
    pub url_path: &'a str,
    pub aliases: &'a [String],
    pub sheet: &'a Sheet,
}

/// Everything a link can point at, keyed by path relative to `content/`.
pub struct LinkTargets<'a> {
    notes: Vec<LinkNote<'a>>,
    by_path: HashMap<&'a str, usize>,
    /// Lower-cased title, file stem, path without extension and aliases → notes.
    by_name: HashMap<String, Vec<usize>>,
    /// Folder paths (relative to `content/`, URL form) that have a section page.
    sections: HashSet<String>,
    assets: &'a HashSet<String>,
    base_path: &'a str,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A working URL; `note` and `anchor` say which note (and card id) it reaches.
    Url {
        url: String,
        note: Option<usize>,
        anchor: Option<String>,
    },
    Broken {
        code: &'static str,
        message: String,
    },
}

/// A link between two notes that resolved, for backlinks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLink {
    pub from: usize,
    pub line: u32,
    pub to: usize,
    pub anchor: Option<String>,
}

fn broken(code: &'static str, message: String) -> Target {
    Target::Broken { code, message }
}

impl<'a> LinkTargets<'a> {
    pub fn new(
        notes: Vec<LinkNote<'a>>,
        sections: HashSet<String>,
        assets: &'a HashSet<String>,
        base_path: &'a str,
    ) -> Self {
        let mut by_path = HashMap::with_capacity(notes.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::with_capacity(notes.len() * 3);
        for (i, n) in notes.iter().enumerate() {
            by_path.insert(n.rel_path, i);
            let no_ext = n.rel_path.rsplit_once('.').map_or(n.rel_path, |(p, _)| p);
            let stem = no_ext.rsplit('/').next().unwrap_or(no_ext);
            let names = [n.sheet.title.as_str(), stem, no_ext]
                .into_iter()
                .chain(n.aliases.iter().map(String::as_str));
            for name in names {
                let list = by_name.entry(name.trim().to_lowercase()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        LinkTargets {
            notes,
            by_path,
            by_name,
            sections,
            assets,
            base_path,
        }
    }

    /// Resolves one link written in note `from`.
    pub fn resolve(&self, from: usize, link: &LinkRef) -> Target {
        if link.wiki {
            self.resolve_wiki(from, &link.dest)
        } else {
            self.resolve_path(from, &link.dest)
        }
    }

    fn resolve_path(&self, from: usize, dest: &str) -> Target {
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or("");
        let fragment = fragment
            .map(|f| percent_decode_str(f).decode_utf8_lossy().into_owned())
            .filter(|f| !f.is_empty());
        if path_part.is_empty() {
            // `#card` on the same page.
            return self.with_anchor(dest, String::new(), Some(from), fragment, false);
        }
        let decoded = percent_decode_str(path_part).decode_utf8_lossy();
        let base_dir = if decoded.starts_with('/') {
            ""
        } else {
            let rel = self.notes[from].rel_path;
            rel.rsplit_once('/').map_or("", |(d, _)| d)
        };
        let Some(path) = normalise(base_dir, &decoded) else {
            return broken(
                "outside-content",
                format!("link {dest:?} points outside content/"),
            );
        };
        match self.lookup(&path) {
            Some((url, None)) if self.assets.contains(path.as_str()) => Target::Url {
                url: match &fragment {
                    Some(f) => format!("{url}#{f}"),
                    None => url,
                },
                note: None,
                anchor: None,
            },
            Some((url, note)) => self.with_anchor(dest, url, note, fragment, false),
            None => broken(
                "broken-link",
                format!("broken link {dest:?}: no note or file at content/{path}"),
            ),
        }
    }

    fn resolve_wiki(&self, from: usize, dest: &str) -> Target {
        let (name, fragment) = match dest.split_once('#') {
            Some((n, f)) => (n.trim(), Some(f.trim().to_string())),
            None => (dest.trim(), None),
        };
        let fragment = fragment.filter(|f| !f.is_empty());
        if name.is_empty() {
            return self.with_anchor(dest, String::new(), Some(from), fragment, true);
        }
        let key = name.to_lowercase();
        let key = key.strip_suffix(".md").unwrap_or(&key);
        let candidates = self.by_name.get(key.trim_start_matches('/'));
        match candidates.map(Vec::as_slice) {
            Some([one]) => {
                let url = self.page_url(self.notes[*one].url_path);
                self.with_anchor(dest, url, Some(*one), fragment, true)
            }
            Some(many) if !many.is_empty() => {
                let mut names: Vec<&str> =
                    many.iter().map(|&i| self.notes[i].display_path).collect();
                names.sort_unstable();
                broken(
                    "ambiguous-link",
                    format!(
                        "ambiguous wikilink [[{dest}]]: matches {}",
                        names.join(", ")
                    ),
                )
            }
            _ => broken(
                "broken-link",
                format!("broken wikilink [[{dest}]]: no note with that title, file name or alias"),
            ),
        }
    }

    /// Checks `fragment` against the target note's ids; `by_title` also accepts a heading
    /// title (wikilinks name cards by title).
    fn with_anchor(
        &self,
        dest: &str,
        url: String,
        note: Option<usize>,
        fragment: Option<String>,
        by_title: bool,
    ) -> Target {
        let Some(fragment) = fragment else {
            return Target::Url {
                url,
                note,
                anchor: None,
            };
        };
        let sheet = note.map(|i| self.notes[i].sheet);
        let found = sheet.and_then(|s| {
            if by_title {
                s.find_anchor(&fragment)
            } else {
                s.anchors
                    .iter()
                    .find(|a| a.id == fragment)
                    .map(|a| a.id.as_str())
            }
        });
        match found {
            Some(id) => Target::Url {
                url: format!("{url}#{}", utf8_percent_encode(id, PATH)),
                note,
                anchor: Some(id.to_string()),
            },
            None => {
                let page = note.map_or("that page", |i| self.notes[i].display_path);
                let hint = sheet
                    .and_then(|s| closest(&fragment, s.anchors.iter().map(|a| a.id.as_str())))
                    .map(|id| format!(" (did you mean #{id}?)"))
                    .unwrap_or_default();
                broken(
                    "broken-anchor",
                    format!("broken anchor in link {dest:?}: {page} has no card or heading #{fragment}{hint}"),
                )
            }
        }
    }

    fn page_url(&self, url_path: &str) -> String {
        format!("{}{}", self.base_path, url_path)
    }

    /// The URL of a content path, and the note it is when it is one.
    fn lookup(&self, path: &str) -> Option<(String, Option<usize>)> {
        let trimmed = path.trim_end_matches('/');
        let note = |i: &usize| Some((self.page_url(self.notes[*i].url_path), Some(*i)));
        if trimmed.is_empty() {
            return match self.by_path.get("index.md") {
                Some(i) => note(i),
                None => Some((self.base_path.to_string(), None)),
            };
        }
        if let Some(i) = self.by_path.get(trimmed) {
            return note(i);
        }
        if !path.ends_with('/') {
            for ext in [".md", ".markdown"] {
                if let Some(i) = self.by_path.get(format!("{trimmed}{ext}").as_str()) {
                    return note(i);
                }
            }
            if self.assets.contains(trimmed) {
                return Some((
                    format!("{}{}", self.base_path, utf8_percent_encode(trimmed, PATH)),
                    None,
                ));
            }
        }
        for index in ["index.md", "_index.md"] {
            if let Some(i) = self.by_path.get(format!("{trimmed}/{index}").as_str()) {
                return note(i);
            }
        }
        let as_url: Vec<String> = trimmed.split('/').map(crate::note::path_segment).collect();
        let as_url = as_url.join("/");
        self.sections
            .contains(&as_url)
            .then(|| (self.page_url(&format!("{as_url}/")), None))
    }

    /// Resolves every link of note `from`: the text each placeholder is replaced with.
    /// Broken links become diagnostics; links that reach another note are recorded.
    pub fn replacements(
        &self,
        from: usize,
        links: &[LinkRef],
        diags: &mut Vec<Diagnostic>,
        resolved: &mut Vec<ResolvedLink>,
    ) -> Vec<String> {
        links
            .iter()
            .map(|link| {
                let target = self.resolve(from, link);
                match &target {
                    Target::Broken { code, message } => diags.push(Diagnostic::warning(
                        self.notes[from].display_path,
                        link.pos,
                        code,
                        message.clone(),
                    )),
                    Target::Url {
                        note: Some(to),
                        anchor,
                        ..
                    } => resolved.push(ResolvedLink {
                        from,
                        line: link.pos.line,
                        to: *to,
                        anchor: anchor.clone(),
                    }),
                    Target::Url { .. } => {}
                }
                render_link(link, &target)
            })
            .collect()
    }
}

/// The candidate closest to `wanted` by edit distance, if it is close enough to be a typo.
pub fn closest<'c>(wanted: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .map(|c| (strsim::damerau_levenshtein(wanted, c), c))
        .filter(|(d, c)| *d > 0 && *d <= (wanted.len().max(c.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

fn render_link(link: &LinkRef, target: &Target) -> String {
    match (&link.kind, target) {
        (LinkKind::Anchor { title }, Target::Url { url, .. }) => {
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
        (LinkKind::Anchor { .. }, Target::Broken { .. }) => {
            format!(
                "<a class=\"broken-link\" title=\"broken link: {}\">",
                escape(&link.dest)
            )
        }
        (LinkKind::Url, Target::Url { url, .. }) => escape(url),
        (LinkKind::Url, Target::Broken { .. }) => escape(&link.dest),
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
mod tests;
