//! The pure per-note render: a note's text + path + options → `RenderedNote`.
//!
//! DESIGN §1: this must depend only on the note's bytes, its path and the config, so it can
//! run in parallel and be cached by content hash across rebuilds. Everything that needs
//! other notes (links, listings, navigation) happens later in the site passes.

pub(crate) mod cards;
pub(crate) mod codeblock;
pub(crate) mod frontmatter;
pub mod highlight;
pub mod markdown;
pub(crate) mod persist;
pub(crate) mod sanitize;
pub mod source;

use crate::diagnostics::{Diagnostic, Pos};
use crate::note::cards::{build_sheet, Sheet};
use crate::note::codeblock::CodeBlock;
use crate::note::highlight::Highlighter;
use crate::note::source::NoteSource;
use crate::output::site_path::{Segment, SegmentError};
use crate::slug::humanize;
use frontmatter::FrontMatter;
use markdown::{LinkRef, MarkdownOptions};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    /// An ordinary note: one sheet page.
    Sheet,
    /// `dir/index.md` or `dir/_index.md`: the intro of the folder's section page.
    Section,
    /// `index.md` at the top of `content/`: the intro of the home page.
    Home,
}

/// One note after the per-note stage. Serializable: the build cache keeps it on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RenderedNote {
    pub rel_path: String,
    pub display_path: String,
    #[serde(with = "persist::hash_bytes")]
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
    let (kind, dir_segments, stem) = classify(&src.rel_path);
    let dir_segments =
        dir_segments.map_err(|(name, reason)| bad_name(src, "folder", name, &reason))?;
    let slug = match (kind, fm.slug.as_deref()) {
        (NoteKind::Sheet, Some(slug)) => match Segment::from_slug(slug) {
            Ok(seg) => Some(seg),
            Err(reason) => {
                diagnostics.push(Diagnostic::error(
                    &src.display_path,
                    slug_pos(&text),
                    "bad-slug",
                    format!(
                        "front matter `slug: {slug:?}` cannot be a URL segment: {reason}; \
                         the note is published at its file name's URL instead"
                    ),
                ));
                None
            }
        },
        _ => None,
    };
    let page_segment = match (kind, slug) {
        (NoteKind::Sheet, Some(seg)) => Some(seg),
        (NoteKind::Sheet, None) => {
            Some(Segment::from_name(stem).map_err(|reason| bad_name(src, "file", stem, &reason))?)
        }
        _ => None,
    };
    let dir = join_segments(&dir_segments);
    let url_path = match &page_segment {
        Some(seg) => format!("{}{seg}/", dir_prefix(&dir)),
        None => dir_prefix(&dir),
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

/// A file or folder name that no URL can be made from: the note is skipped.
fn bad_name(src: &NoteSource, what: &str, name: &str, reason: &SegmentError) -> Diagnostic {
    Diagnostic::error(
        &src.display_path,
        Pos::new(1, 1),
        "bad-path",
        format!("{what} name {name:?} cannot be part of a URL: {reason}; note skipped (rename it)"),
    )
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

/// Folder segments of a note, or the first folder name that cannot be one.
type DirSegments<'a> = Result<Vec<Segment>, (&'a str, SegmentError)>;

/// `a/b.md` → (Sheet, ["a"], "b"); `a/index.md` → (Section, ["a"], "index"); `index.md` → Home.
fn classify(rel_path: &str) -> (NoteKind, DirSegments<'_>, &str) {
    let (dir, file) = rel_path.rsplit_once('/').unwrap_or(("", rel_path));
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let segments: DirSegments = dir
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|name| Segment::from_name(name).map_err(|e| (name, e)))
        .collect();
    let top = dir.split('/').all(|s| s.is_empty());
    let kind = match (stem, top) {
        ("index" | "_index", true) => NoteKind::Home,
        ("index" | "_index", false) => NoteKind::Section,
        _ => NoteKind::Sheet,
    };
    (kind, segments, stem)
}

fn join_segments(segments: &[Segment]) -> String {
    let parts: Vec<&str> = segments.iter().map(Segment::as_str).collect();
    parts.join("/")
}

/// `a/b` → `a/b/`, `` → ``.
fn dir_prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    }
}

/// Position of the value of `slug:` in the note's front matter (line 1 is the `---`).
fn slug_pos(text: &str) -> Pos {
    for (i, line) in text.lines().enumerate().skip(1) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            break;
        }
        let unquoted = line.trim_start_matches(['"', '\'']);
        let Some(rest) = unquoted.strip_prefix("slug") else {
            continue;
        };
        let Some(value) = rest.trim_start_matches(['"', '\'']).strip_prefix(':') else {
            continue;
        };
        let value_at = line.len() - value.trim_start().len();
        let column = line[..value_at].chars().count() + 1;
        return Pos::new(i as u32 + 1, column as u32);
    }
    Pos::new(1, 1)
}

/// A URL path segment from a file or folder name: lowercase, spaces to `-`, only
/// characters that need no escaping in a URL path, capped in length (links resolve folder
/// names with it, so it must match what `render_note` does). Empty when no segment can be
/// made.
pub fn path_segment(name: &str) -> String {
    Segment::from_name(name)
        .map(|s| s.as_str().to_string())
        .unwrap_or_default()
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
    fn slug_position_points_at_the_value() {
        assert_eq!(
            slug_pos("---\ntitle: x\nslug: \"..\"\n---\n"),
            Pos::new(3, 7)
        );
        assert_eq!(slug_pos("---\r\n'slug':   .\r\n---\r\n"), Pos::new(2, 11));
        assert_eq!(slug_pos("---\n---\nslug: x\n"), Pos::new(1, 1));
    }

    #[test]
    fn bad_slugs_fall_back_to_the_file_name() {
        for slug in ["..", ".", "a/../../b", "!!!"] {
            let n = note("a/b.md", &format!("---\nslug: '{slug}'\n---\nx"));
            assert_eq!(n.url_path, "a/b/", "{slug}");
            let d = &n.diagnostics[0];
            assert_eq!(
                (d.code, d.line, d.column, d.is_error()),
                ("bad-slug", 2, 7, true)
            );
        }
    }

    #[test]
    fn dot_names_skip_the_note() {
        let src = NoteSource {
            rel_path: " ../x.md".into(),
            display_path: "content/ ../x.md".into(),
            text: "x".into(),
            hash: blake3::hash(b"x"),
        };
        let d = render_note(&src, MarkdownOptions::default(), &Highlighter::new()).unwrap_err();
        assert_eq!((d.code, d.line), ("bad-path", 1));
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
