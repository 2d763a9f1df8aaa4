//! The pure per-note render: a note's text + path + options → `RenderedNote`.
//!
//! DESIGN §1: this must depend only on the note's bytes, its path and the config, so it can
//! run in parallel and be cached by content hash across rebuilds. Everything that needs
//! other notes (links, listings, navigation) happens later in the site passes.

use crate::cards::{build_sheet, Sheet};
use crate::codeblock::CodeBlock;
use crate::diagnostics::{Diagnostic, Pos};
use crate::frontmatter::{self, FrontMatter};
use crate::highlight::Highlighter;
use crate::markdown::{self, LinkRef, MarkdownOptions};
use crate::slug::humanize;
use crate::source::NoteSource;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// An ordinary note: one sheet page.
    Sheet,
    /// `dir/index.md` or `dir/_index.md`: the intro of the folder's section page.
    Section,
    /// `index.md` at the top of `content/`: the intro of the home page.
    Home,
}

#[derive(Debug, Clone)]
pub struct RenderedNote {
    pub rel_path: String,
    pub display_path: String,
    pub hash: blake3::Hash,
    pub front_matter: FrontMatter,
    pub kind: NoteKind,
    /// URL path below the site's base path, `a/b/` (empty for the home page).
    pub url_path: String,
    /// Folder of the note relative to `content/` (`a` for `a/b.md`), empty at the top.
    pub dir: String,
    pub sheet: Sheet,
    pub links: Vec<LinkRef>,
    pub code_blocks: Vec<CodeBlock>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Renders one note. Errors that make the note unusable (bad front matter) are returned as
/// the diagnostic; the caller skips the note and carries on.
pub fn render_note(
    src: &NoteSource,
    opts: MarkdownOptions,
    hl: &Highlighter,
) -> Result<RenderedNote, Diagnostic> {
    let mut diagnostics = Vec::new();
    let text = replace_nul(&src.text, &src.display_path, &mut diagnostics);
    let split = frontmatter::split(&text).map_err(|e| {
        Diagnostic::error(
            &src.display_path,
            e.pos,
            "front-matter",
            format!("{}; note skipped", e.message),
        )
    })?;
    diagnostics.extend(
        split.warnings.iter().map(|w| {
            Diagnostic::warning(&src.display_path, w.pos, "front-matter", w.message.clone())
        }),
    );
    let fm = split.front_matter;
    let (kind, dir, stem) = classify(&src.rel_path);
    let url_path = match (kind, &fm.slug) {
        (NoteKind::Sheet, Some(slug)) => join_url(&dir, &path_segment(slug)),
        (NoteKind::Sheet, None) => join_url(&dir, &path_segment(stem)),
        (NoteKind::Section, _) => join_url("", &dir),
        (NoteKind::Home, _) => String::new(),
    };
    let stem_title = match kind {
        NoteKind::Sheet => humanize(stem),
        NoteKind::Section => humanize(dir.rsplit('/').next().unwrap_or(&dir)),
        NoteKind::Home => String::new(),
    };
    let mut md = markdown::render(split.body, split.body_line, &src.display_path, opts, hl);
    let mut sheet = build_sheet(&md.segments, &md.headings, fm.title.as_deref(), &stem_title);
    if let Some(intro) = &fm.intro {
        // Front matter `intro:` is Markdown shown under the title, before the body's intro.
        let rendered = markdown::render(intro, 2, &src.display_path, opts, hl);
        let offset = md.links.len();
        let html: String = rendered
            .segments
            .iter()
            .filter_map(|s| match s {
                markdown::Segment::Html(h) => Some(markdown::shift_placeholders(h, offset)),
                markdown::Segment::Heading(_) => None,
            })
            .collect();
        sheet.intro_html = format!("{html}{}", sheet.intro_html);
        md.links.extend(rendered.links);
        md.diagnostics.extend(rendered.diagnostics);
    }
    diagnostics.extend(md.diagnostics);
    if kind == NoteKind::Sheet
        && fm
            .slug
            .as_deref()
            .is_some_and(|s| path_segment(s).is_empty())
    {
        diagnostics.push(Diagnostic::warning(
            &src.display_path,
            Pos::new(2, 1),
            "bad-slug",
            "front matter `slug` has no usable characters; using the file name",
        ));
    }
    let url_path = if url_path.trim_matches('/').is_empty() && kind == NoteKind::Sheet {
        join_url(&dir, &path_segment(stem))
    } else {
        url_path
    };
    Ok(RenderedNote {
        rel_path: src.rel_path.clone(),
        display_path: src.display_path.clone(),
        hash: src.hash,
        front_matter: fm,
        kind,
        url_path,
        dir: dir.clone(),
        sheet,
        links: md.links,
        code_blocks: md.code_blocks,
        diagnostics,
    })
}

/// NUL bytes never reach HTML or the index: like a browser's parser, replace each with
/// U+FFFD, and say where the first one was.
fn replace_nul<'t>(
    text: &'t str,
    path: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> std::borrow::Cow<'t, str> {
    let Some(first) = text.find('\0') else {
        return text.into();
    };
    let count = text.matches('\0').count();
    diagnostics.push(Diagnostic::warning(
        path,
        crate::diagnostics::LineIndex::new(text, 1).pos(first),
        "nul-byte",
        format!(
            "{count} NUL byte{} replaced with U+FFFD (�)",
            if count == 1 { "" } else { "s" }
        ),
    ));
    text.replace('\0', "\u{fffd}").into()
}

/// `a/b.md` → (Sheet, "a", "b"); `a/index.md` → (Section, "a", "index"); `index.md` → Home.
fn classify(rel_path: &str) -> (NoteKind, String, &str) {
    let (dir, file) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let dir_url: Vec<String> = dir
        .split('/')
        .filter(|s| !s.is_empty())
        .map(path_segment)
        .collect();
    let dir_url = dir_url.join("/");
    let kind = match (stem, dir_url.is_empty()) {
        ("index" | "_index", true) => NoteKind::Home,
        ("index" | "_index", false) => NoteKind::Section,
        _ => NoteKind::Sheet,
    };
    (kind, dir_url, stem)
}

fn join_url(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, true) => String::new(),
        (true, false) => format!("{name}/"),
        (false, true) => format!("{dir}/"),
        (false, false) => format!("{dir}/{name}/"),
    }
}

/// A URL path segment from a file or folder name: lowercase, spaces to `-`, only
/// characters that need no escaping in a URL path.
pub fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.trim().chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.' | '+' | '~') {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(rel: &str, text: &str) -> RenderedNote {
        let src = NoteSource {
            rel_path: rel.into(),
            display_path: format!("content/{rel}"),
            text: text.into(),
            hash: blake3::hash(text.as_bytes()),
        };
        render_note(&src, MarkdownOptions::default(), &Highlighter::new()).unwrap()
    }

    #[test]
    fn urls_follow_paths() {
        assert_eq!(note("a/b.md", "x").url_path, "a/b/");
        assert_eq!(note("a/index.md", "x").url_path, "a/");
        assert_eq!(note("a/_index.md", "x").kind, NoteKind::Section);
        assert_eq!(note("index.md", "x").url_path, "");
        assert_eq!(
            note("Git Stuff/C++ Tips.md", "x").url_path,
            "git-stuff/c++-tips/"
        );
        assert_eq!(
            note("a/b.md", "---\nslug: Other Name\n---\nx").url_path,
            "a/other-name/"
        );
    }

    #[test]
    fn titles() {
        assert_eq!(note("pip-tricks.md", "x").sheet.title, "Pip tricks");
        assert_eq!(note("git/index.md", "x").sheet.title, "Git");
    }

    #[test]
    fn bad_front_matter_is_an_error_with_position() {
        let src = NoteSource {
            rel_path: "a.md".into(),
            display_path: "content/a.md".into(),
            text: "---\ntitle: [\n---\n".into(),
            hash: blake3::hash(b""),
        };
        let d = render_note(&src, MarkdownOptions::default(), &Highlighter::new()).unwrap_err();
        assert_eq!(d.path, "content/a.md");
        assert!(d.line >= 2);
    }
}
