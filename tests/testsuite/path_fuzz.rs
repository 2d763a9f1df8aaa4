//! Property/fuzz harness (issue 10, acceptance): random and mutated Markdown, front matter
//! and file names through the pure per-note render (`note::render_note`), the site passes
//! (`site::assemble`) and the output-path builder (`site_path`). Properties: nothing
//! panics, and every output path made is a valid `SitePath` that, joined to an output
//! directory and normalised, stays strictly inside it.
//!
//! `cargo test` runs 256 cases per property; `bench/fuzz.sh` runs 100,000
//! (`PROPTEST_CASES` sets the count).

use cheatgen::note::highlight::Highlighter;
use cheatgen::note::markdown::MarkdownOptions;
use cheatgen::note::source::NoteSource;
use cheatgen::note::{path_segment, render_note, RenderedNote};
use cheatgen::output::site_path::{contained, Segment, SitePath, MAX_SEGMENT_BYTES};
use cheatgen::site::assemble;
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

/// Building a highlighter loads syntect's syntaxes: once for all cases.
static HL: LazyLock<Highlighter> = LazyLock::new(Highlighter::new);

const OUT: &str = "/site/out/public";

/// Names that have escaped or broken output paths before, plus random ones.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just(" ..".to_string()),
        Just(".. ".to_string()),
        Just("...".to_string()),
        Just("a/../../b".to_string()),
        Just("..\\..\\x".to_string()),
        Just("index".to_string()),
        Just("tags".to_string()),
        Just("\u{0}".to_string()),
        "[a-zA-Z0-9 ._~+/\\\\-]{0,12}",
        "\\PC{0,16}",
        any::<String>(),
        (0..200usize).prop_map(|n| "Ⱥ".repeat(n)),
        (90..320usize).prop_map(|n| "x".repeat(n)),
    ]
}

/// A path relative to `content/`: a few folders and a note file.
fn rel_path() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(name(), 0..4),
        prop_oneof![
            name(),
            Just("index".to_string()),
            Just("_index".to_string())
        ],
        prop_oneof![Just(".md"), Just(".markdown")],
    )
        .prop_map(|(dirs, file, ext)| {
            let mut parts: Vec<String> = dirs.into_iter().filter(|d| !d.is_empty()).collect();
            parts.push(format!("{file}{ext}"));
            parts.join("/")
        })
}

/// YAML front matter: well-formed with hostile values, or mutated raw text.
fn front_matter() -> impl Strategy<Value = String> {
    let quoted = |s: String| serde_json::to_string(&s).unwrap();
    prop_oneof![
        (
            prop::option::of(name()),
            prop::option::of(name()),
            prop::collection::vec(name(), 0..4),
            prop::option::of(name()),
            any::<bool>(),
        )
            .prop_map(move |(slug, title, tags, category, draft)| {
                let mut fm = String::from("---\n");
                if let Some(s) = slug {
                    fm.push_str(&format!("slug: {}\n", quoted(s)));
                }
                if let Some(t) = title {
                    fm.push_str(&format!("title: {}\n", quoted(t)));
                }
                let tags: Vec<String> = tags.into_iter().map(quoted).collect();
                fm.push_str(&format!("tags: [{}]\n", tags.join(", ")));
                if let Some(c) = category {
                    fm.push_str(&format!("category: {}\n", quoted(c)));
                }
                fm.push_str(&format!("draft: {draft}\n---\n"));
                fm
            }),
        "\\PC{0,40}".prop_map(|raw| format!("---\n{raw}\n---\n")),
        "(---\n)?(slug|tags|title|category): ?[\\[\\]{}\"'.,/\\\\a-z: ]{0,20}\n(---\n)?",
        Just(String::new()),
    ]
}

/// Markdown built from the constructs the renderer treats specially, plus random text.
fn body() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("# ".to_string()),
        Just("## ".to_string()),
        Just("### ".to_string()),
        Just("\n".to_string()),
        Just("```rust\nfn x() {}\n".to_string()),
        Just("```".to_string()),
        Just("[[".to_string()),
        Just("]]".to_string()),
        Just("[x](../../etc/passwd)".to_string()),
        Just("![i](../pic.png)".to_string()),
        Just("<div class=\"cg-top\">".to_string()),
        Just("</div>".to_string()),
        Just("{: #id .-three-column}".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        Just("- ".to_string()),
        Just("[^1]".to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(token, 0..30).prop_map(|t| t.concat())
}

fn note() -> impl Strategy<Value = (String, String)> {
    (rel_path(), front_matter(), body()).prop_map(|(rel, fm, body)| (rel, format!("{fm}{body}")))
}

/// Asserts `rel` is a valid output path that stays inside the output directory.
fn assert_inside(rel: &str) {
    let out = Path::new(OUT);
    let path = SitePath::parse(rel).unwrap_or_else(|e| panic!("invalid output path: {e}"));
    assert!(path.under(out).is_some(), "{rel:?} escapes");
    assert!(contained(out, &out.join(rel)), "{rel:?} escapes");
}

fn render(rel: &str, text: &str) -> Option<RenderedNote> {
    let src = NoteSource {
        rel_path: rel.to_string(),
        display_path: format!("content/{rel}"),
        text: text.to_string(),
        hash: blake3::hash(text.as_bytes()),
    };
    render_note(&src, MarkdownOptions::default(), &HL).ok()
}

proptest! {
    #[test]
    fn segments_and_site_paths_never_escape(raw in name()) {
        for seg in [Segment::from_name(&raw), Segment::from_slug(&raw), Segment::from_label(&raw)]
            .into_iter()
            .flatten()
        {
            prop_assert!(seg.as_str().len() <= MAX_SEGMENT_BYTES);
            assert_inside(seg.as_str());
            assert_inside(&format!("{seg}/index.html"));
        }
        if let Ok(p) = SitePath::parse(&raw) {
            assert_inside(p.as_str());
        }
        let seg = path_segment(&raw);
        if !seg.is_empty() {
            assert_inside(&seg);
        }
    }

    #[test]
    fn notes_never_panic_nor_leave_the_output(notes in prop::collection::vec(note(), 1..4)) {
        let mut rendered: Vec<RenderedNote> = notes
            .iter()
            .filter_map(|(rel, text)| render(rel, text))
            .collect();
        rendered.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        rendered.dedup_by(|a, b| a.rel_path == b.rel_path);
        for n in &rendered {
            assert_inside(SitePath::index_page(&n.url_path).unwrap().as_str());
        }
        let refs: Vec<&RenderedNote> = rendered.iter().collect();
        let assets: HashSet<String> = HashSet::new();
        let model = assemble(&refs, &assets, "/", true);
        let paths = model
            .sheets
            .iter()
            .map(|s| &s.output_path)
            .chain(model.sections.iter().map(|s| &s.output_path))
            .chain(model.tags.iter().map(|t| &t.output_path))
            .chain(model.home.categories.iter().map(|c| &c.output_path));
        for p in paths {
            assert_inside(p.as_str());
            prop_assert!(p.as_str().split('/').all(|s| s.len() <= MAX_SEGMENT_BYTES + 8));
        }
    }
}
