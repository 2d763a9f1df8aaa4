//! Unit tests of the Markdown stage.

use super::*;

fn md(text: &str) -> Rendered {
    render(
        text,
        1,
        "t.md",
        MarkdownOptions::default(),
        &Highlighter::new(),
    )
}

fn html(r: &Rendered) -> String {
    r.segments
        .iter()
        .map(|s| match s {
            Segment::Html(h) => h.clone(),
            Segment::Heading(i) => {
                format!("[H{}:{}]", r.headings[*i].level, r.headings[*i].text)
            }
        })
        .collect()
}

#[test]
fn splits_at_top_level_headings_only() {
    let r = md("intro\n\n# One\n\ntext\n\n- item\n\n  ## not top\n\n## Two `x`\n");
    let h = html(&r);
    assert!(h.starts_with("<p>intro</p>"), "{h}");
    assert!(h.contains("[H1:One]"));
    assert!(h.contains("[H2:Two x]"));
    assert!(h.contains("<h2>not top</h2>"), "{h}");
    assert_eq!(r.headings[1].html, "Two <code>x</code>");
}

#[test]
fn attribute_lines_never_show() {
    let r = md("## Group\n{: .-three-column}\n\n### Card\n\npara\n{: .-intro}\n\n```\nx\ny\n```\n{: data-line=\"2\"}\n");
    let h = html(&r);
    assert!(!h.contains("{:"), "{h}");
    assert!(h.contains("<p class=\"-intro\">para</p>"), "{h}");
    assert!(
        h.contains("<code>x\n<span class=\"hl-line\">y</span>\n</code>"),
        "{h}"
    );
    assert_eq!(r.headings[0].classes, vec!["-three-column"]);
}

#[test]
fn code_blocks_highlight_with_case_insensitive_language() {
    let r = md("```Python\ndef f(): pass\n```\n\n- item\n\n  ```Bash {1}\n  echo hi\n  ```\n");
    let h = html(&r);
    assert_eq!(r.code_blocks.len(), 2);
    assert_eq!(r.code_blocks[1].code, "echo hi\n");
    assert!(h.matches("<span class=").count() >= 2, "{h}");
    assert!(h.contains("data-lang=\"bash\""), "{h}");
}

#[test]
fn unknown_language_warns_with_position() {
    let r = md("text\n\n```pyhton\nx = 1\n```\n");
    let d = &r.diagnostics[0];
    assert_eq!((d.line, d.column), (3, 4));
    assert!(d.message.contains("did you mean python?"), "{}", d.message);
}

#[test]
fn raw_html_policy() {
    let r = md("<function make_pointwise.<locals>.inner at 0x7f00>\n\n<script>alert(1)</script>\n\nPress <kbd>Ctrl</kbd>\n");
    let h = html(&r);
    assert!(
        h.contains("&lt;function make_pointwise.&lt;locals&gt;.inner at 0x7f00&gt;"),
        "{h}"
    );
    assert!(!h.contains("<script>"), "{h}");
    assert!(h.contains("<kbd>Ctrl</kbd>"));
}

#[test]
fn internal_links_become_placeholders() {
    let r = md("[a](other.md#x) [b](https://x.org) ![i](img.png) [c](javascript:alert(1))");
    assert_eq!(r.links.len(), 2);
    assert_eq!(r.links[0].dest, "other.md#x");
    let h = html(&r);
    assert!(h.contains("\u{1}A0\u{1}a</a>"), "{h}");
    assert!(h.contains("href=\"https://x.org\""));
    assert!(!h.contains("javascript"), "{h}");
    assert_eq!(r.diagnostics.len(), 1);
}

#[test]
fn control_chars_cannot_forge_placeholders() {
    let r = md("a\u{1}A0\u{1} b\u{2}0\u{2}");
    assert!(r.headings.is_empty());
    assert!(!html(&r).contains('\u{1}'));
}

#[test]
fn wikilinks_become_placeholders_outside_code() {
    let r = md("See [[Git basics#Undo|undo]] and [[other]].\n\n`[[not a link]]`\n\n```\n[[nor this]]\n```\n");
    let dests: Vec<_> = r.links.iter().map(|l| (l.dest.as_str(), l.wiki)).collect();
    assert_eq!(dests, [("Git basics#Undo", true), ("other", true)]);
    assert_eq!((r.links[0].pos.line, r.links[0].pos.column), (1, 5));
    let h = html(&r);
    assert!(h.contains("\u{1}A0\u{1}undo</a>"), "{h}");
    assert!(
        h.contains("[[not a link]]") && h.contains("[[nor this]]"),
        "{h}"
    );
}

#[test]
fn raw_html_is_balanced_within_its_segment() {
    let r = md("## A\n\n</div></div></div><div class=\"cg-top x\">x</div>\n\n## B\n\nText <a href=\"https://e.org\">open\n\nNext para\n\n- <b>bold\n- item [l](other.md)\n");
    let h = html(&r);
    assert!(!h.contains("cg-top"), "{h}");
    assert!(h.contains("<div class=\"x\">x</div>"), "{h}");
    assert_eq!(
        h.matches("<div").count(),
        h.matches("</div>").count(),
        "{h}"
    );
    assert!(
        h.contains("<p>Text <a href=\"https://e.org\">open</a></p>\n<p>Next para</p>"),
        "{h}"
    );
    assert!(h.contains("<li><b>bold</b></li>"), "{h}");
    assert!(h.contains("\u{1}A0\u{1}l</a>"), "{h}");
}

#[test]
fn block_containers_may_span_markdown_within_a_card() {
    let r = md("## A\n\n<details><summary>More</summary>\n\n*inside*\n\n</details>\n\nafter\n");
    let h = html(&r);
    assert!(
        h.contains("<details><summary>More</summary>\n<p><em>inside</em></p>\n</details>"),
        "{h}"
    );
}

#[test]
fn attribute_lists_attach_to_tables_lists_and_next_blocks() {
    let r = md("## Keys {.cols-3}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n{: .-shortcuts}\n\n- x\n- y\n{.marker-none .cols-2}\n\n{: .-setup}\npara\n\n| k | v |\n| l | w |\n|---|---|\n| m | n |\n");
    let h = html(&r);
    assert_eq!(r.headings[0].classes, vec!["cols-3"]);
    assert!(h.contains("<table class=\"-shortcuts\"><thead>"), "{h}");
    assert!(h.contains("<ul class=\"marker-none cols-2\">"), "{h}");
    assert!(h.contains("<p class=\"-setup\">para</p>"), "{h}");
    assert!(!h.contains('{') && !h.contains('\u{3}'), "{h}");
    // Headerless table with a body separator: no thead, two tbody.
    let last = &h[h.rfind("<table").unwrap()..];
    assert!(!last.contains("<thead>"), "{last}");
    assert_eq!(last.matches("<tbody>").count(), 2, "{last}");
    assert!(!last.contains("---"), "{last}");
}

#[test]
fn invented_inline_tags_become_classed_spans() {
    let r = md("## <yel>R</yel>ecursively\n\n<yel>R</yel>ecursively <pur>list</pur>, <kbd>Ctrl</kbd>, <bdi>x</bdi>\n\nmake_pointwise.<locals>.inner and <yel>open\n");
    let h = html(&r);
    assert!(h.contains("<span class=\"yel\">R</span>ecursively <span class=\"pur\">list</span>, <kbd>Ctrl</kbd>, <bdi>x</bdi>"), "{h}");
    assert!(
        h.contains("make_pointwise.&lt;locals&gt;.inner and &lt;yel&gt;open"),
        "{h}"
    );
    assert_eq!(r.headings[0].text, "Recursively");
    assert_eq!(r.headings[0].html, "<span class=\"yel\">R</span>ecursively");
}

#[test]
fn style_blocks_are_dropped_with_a_warning() {
    let r = md("## A\n\n<style>\nbody { display: none }\n</style>\n\ntext\n");
    let h = html(&r);
    assert!(!h.contains("display") && h.contains("<p>text</p>"), "{h}");
    assert_eq!(
        (r.diagnostics[0].code, r.diagnostics[0].line),
        ("style-block", 3)
    );
}

#[test]
fn callouts_have_a_title_and_body() {
    let r = md("## A\n\n> [!NOTE]\n> Body *text*.\n\n> [!tip] Custom <b>title</b>\n> More.\n\n> [!warning]-\n> Folded.\n\n> quote\n");
    let h = html(&r);
    assert!(h.contains("<div class=\"callout callout-note\" data-callout=\"note\"><p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Note</p><div class=\"callout-body\">\n<p>Body <em>text</em>.</p>\n</div></div>"), "{h}");
    assert!(
        h.contains("Custom &lt;b&gt;title&lt;/b&gt;</p><div class=\"callout-body\">\n<p>More.</p>"),
        "{h}"
    );
    assert!(h.contains("<details class=\"callout callout-warning\" data-callout=\"warning\"><summary class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\"></span>Warning</summary>"), "{h}");
    assert!(
        h.contains("<blockquote>\n<p>quote</p>\n</blockquote>"),
        "{h}"
    );
    assert!(!h.contains("[!"), "{h}");
}

#[test]
fn callout_in_a_list_item_closes_inside_it() {
    // Found by tests/fuzz_note.rs: the callout's end was skipped with its title line.
    let h = html(&md("- > [!NOTE]\n- b\n"));
    assert_eq!(
        h.matches("<div").count(),
        h.matches("</div>").count(),
        "{h}"
    );
    assert!(h.contains("</div></div>\n</li>"), "{h}");
}

#[test]
fn nested_heading_attributes_are_filtered() {
    // Found by tests/fuzz_note.rs: pulldown-cmark renders `{key=value}` heading attributes.
    let r = md("- ## x {onclick=alert(1) .ok .cg-top #cg-x}\n\n## y {#cg-top}\n");
    let h = html(&r);
    assert!(h.contains("<h2 class=\"ok\">x</h2>"), "{h}");
    assert_eq!(r.headings[0].explicit_id, None);
}

#[test]
fn callout_title_alone_then_a_paragraph() {
    // Found by tests/fuzz_note.rs (100k cases): an arithmetic overflow panic.
    let h = html(&md("> [!NOTE]\n>\n> para\n"));
    assert!(
        h.contains("<div class=\"callout-body\">\n<p>para</p>\n</div></div>"),
        "{h}"
    );
}

#[test]
fn app_links_survive_balancing() {
    let h = html(&md("[vault](obsidian://open?vault=x) and <kbd>K</kbd>\n"));
    assert!(h.contains("href=\"obsidian://open?vault=x\""), "{h}");
}
