//! Property test of the per-note stage (issue 10 acceptance): random and mutated Markdown,
//! front matter and file names through `render_note` never panic, and what comes out holds
//! no NUL, no internal marker characters, no live `<script>`/`<style>` tag, and every
//! card's HTML is balanced. A short run is part of `cargo test`; for a long run:
//! `PROPTEST_CASES=100000 cargo test --release --test testsuite fuzz_note::`.

use cheatgen::note::highlight::Highlighter;
use cheatgen::note::markdown::MarkdownOptions;
use cheatgen::note::render_note;
use cheatgen::note::source::NoteSource;
use proptest::prelude::*;
use std::sync::LazyLock;

static HL: LazyLock<Highlighter> = LazyLock::new(Highlighter::new);

/// Pieces real and hostile notes are made of.
const PIECES: &[&str] = &[
    "## ",
    "### ",
    "# ",
    "#### ",
    "\n",
    "\n\n",
    "text ",
    "`code` ",
    "*em* ",
    "**b** ",
    "- ",
    "1. ",
    "> ",
    "> [!NOTE]\n",
    "> [!tip]- T\n",
    "{: .-three-column}\n",
    "{: data-line=\"2,3-9\"}\n",
    "{.cols-2 .cg-top}\n",
    " {.x #y}",
    "| a | b |\n",
    "|---|---|\n",
    "| `x|y` |\n",
    "```js {2,4-6}\n",
    "```{.wrap}\n",
    "```\n",
    "~~~\n",
    "{% raw %}",
    "{% endraw %}",
    "{% include x %}",
    "{{ y }}",
    "<div class=\"cg-x\">",
    "</div>",
    "</div></div>",
    "<a href=\"https://e.org\">",
    "</a>",
    "<a href=\"javascript:alert(1)\">",
    "<yel>",
    "</yel>",
    "<locals>",
    "<script>alert(1)</script>",
    "<style>\nx{}\n</style>\n",
    "<details><summary>s</summary>",
    "</details>",
    "<!--",
    "-->",
    "[[s]](https://x.org)",
    "[[w]]",
    "[l](other.md#a)",
    "![i](x.png)",
    "[^1]",
    "[^1]: f\n",
    "\0",
    "\u{1}",
    "\u{2}",
    "\u{3}",
    "\r\n",
    "é",
    "🦀",
    "    ",
    "\t",
    "]]>",
    "<![CDATA[",
    "&amp;",
    "&#0;",
    "<",
    ">",
    "[",
    "]",
    "{",
    "}",
    "|",
    "\\",
    "---\n",
];

fn body() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(PIECES).prop_map(str::to_string),
            1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

fn front_matter() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(
        &[
            "title",
            "tags",
            "date",
            "updated",
            "slug",
            "draft",
            "weight",
            "intro",
            "categories",
            "redirect_to",
            "keywords",
            "x",
        ][..],
    );
    let values = prop_oneof![
        prop::sample::select(
            &[
                "a",
                "[a, b]",
                "\n  -\n  - b",
                "2024-02-30",
                "\"2024-02-02T10:00:00<x>\"",
                "[[[[",
                "{a: [b]}",
                "yes",
                "-3",
                "'{% raw %}'",
                "\"\\0\"",
                "javascript:alert(1)",
                "..",
            ][..]
        )
        .prop_map(str::to_string),
        any::<String>().prop_map(|s| s.chars().take(10).collect()),
    ];
    prop::option::of(prop::collection::vec((keys, values), 0..6)).prop_map(|fm| match fm {
        None => String::new(),
        Some(pairs) => {
            let lines: String = pairs.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
            format!("---\n{lines}---\n")
        }
    })
}

fn file_name() -> impl Strategy<Value = String> {
    prop::sample::select(
        &[
            "a.md",
            "dir/b.md",
            " ../x.md",
            "index.md",
            "d/_index.md",
            "Ünï Cödé/C++ Tips.md",
            "a/./b.md",
            "..md",
        ][..],
    )
    .prop_map(str::to_string)
}

/// Every fragment of HTML a note contributes to its page.
fn fragments(note: &cheatgen::note::RenderedNote) -> Vec<String> {
    let s = &note.sheet;
    // (The title is plain text, escaped by templates: checked for NULs separately.)
    let mut out = vec![s.intro_html.clone()];
    for g in &s.groups {
        out.push(g.intro_html.clone());
        out.extend(g.title_html.clone());
        for c in &g.cards {
            out.push(c.title_html.clone());
            out.push(c.body_html.clone());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn per_note_stage_never_panics_and_emits_clean_html(
        fm in front_matter(),
        body in body(),
        rel in file_name(),
    ) {
        let text = format!("{fm}{body}");
        let src = NoteSource {
            display_path: format!("content/{rel}"),
            rel_path: rel,
            hash: blake3::hash(text.as_bytes()),
            text,
        };
        let Ok(note) = render_note(&src, MarkdownOptions::default(), &HL) else {
            return Ok(());
        };
        prop_assert!(!note.sheet.title.contains('\0'));
        for html in fragments(&note) {
            prop_assert!(!html.contains(['\0', '\u{2}', '\u{3}']), "{html:?}");
            let doc = scraper::Html::parse_fragment(&html);
            for el in doc.root_element().descendants().filter_map(scraper::ElementRef::wrap) {
                let v = el.value();
                prop_assert!(!matches!(v.name(), "script" | "style" | "iframe"), "{html}");
                for (name, value) in v.attrs() {
                    prop_assert!(!name.starts_with("on"), "{html}");
                    let value = value.trim().to_ascii_lowercase();
                    prop_assert!(!value.starts_with("javascript:"), "{html}");
                }
                prop_assert!(!v.classes().any(|c| c.starts_with("cg-")), "{html}");
            }
            let open = html.matches("<div").count();
            let close = html.matches("</div>").count();
            prop_assert_eq!(open, close, "unbalanced: {}", html);
        }
        for d in &note.diagnostics {
            prop_assert!(!d.message.contains("Borrowed(") && d.line >= 1, "{}", d);
        }
    }
}

/// Seeds of past failures are replayed first on every run: proptest looks for them beside
/// the test crate's `main.rs`, in `tests/proptest-regressions/fuzz_note.txt`. Fails if that
/// file moves away from where proptest reads it.
#[test]
fn past_failures_are_found_and_replayed() {
    use proptest::test_runner::{FailurePersistence, FileFailurePersistence};
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/proptest-regressions/fuzz_note.txt");
    let stored = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .lines()
        .filter(|l| l.starts_with("cc "))
        .count();
    assert!(stored > 0, "{}: no seeds", file.display());
    let loaded = FileFailurePersistence::default().load_persisted_failures2(Some(file!()));
    assert_eq!(
        loaded.len(),
        stored,
        "proptest does not read {}",
        file.display()
    );
}
