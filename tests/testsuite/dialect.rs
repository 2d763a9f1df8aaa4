//! Real cheat-sheet dialects (issue 12): a devhints/Jekyll-style sheet and a
//! VitePress/markdown-it-attrs-style sheet built by the real binary, the HTML parsed.

use crate::common;
use crate::common::dialect::dialect_leaks;
use crate::common::{sel, texts, Site};
use scraper::{ElementRef, Html};

fn built() -> (Site, String) {
    let site = Site::fixture("dialect");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    (site, stderr)
}

/// The card or group that `id` names. Ids sit on card and group headings (so any tool can
/// link to them); a card or group without a heading carries its id itself.
fn block<'a>(page: &'a Html, id: &str) -> ElementRef<'a> {
    let target = page
        .select(&sel(&format!("[id=\"{id}\"]")))
        .next()
        .unwrap_or_else(|| panic!("no element with id {id}"));
    target
        .ancestors()
        .filter_map(ElementRef::wrap)
        .find(|e| {
            let class = e.value().attr("class").unwrap_or("");
            class.split(' ').any(|c| c == "card" || c == "group")
        })
        .unwrap_or(target)
}

/// Texts of the elements matching `css` inside the card or group `id`.
fn texts_in(page: &Html, id: &str, css: &str) -> Vec<String> {
    block(page, id)
        .select(&sel(css))
        .map(|e| e.text().collect())
        .collect()
}

fn has_classes(e: ElementRef<'_>, want: &[&str]) -> bool {
    let class = e.value().attr("class").unwrap_or("");
    want.iter().all(|w| class.split(' ').any(|c| c == *w))
}

fn classes(page: &Html, selector: &str) -> Vec<String> {
    page.select(&sel(selector))
        .map(|e| e.value().attr("class").unwrap_or("").to_string())
        .collect()
}

#[test]
fn no_page_shows_dialect_markup() {
    let (site, _) = built();
    let mut leaks = Vec::new();
    for entry in walkdir::WalkDir::new(site.public()) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let doc = Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
            for leak in dialect_leaks(&doc) {
                leaks.push(format!("{}: {leak}", entry.path().display()));
            }
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");
}

#[test]
fn the_leak_check_catches_each_kind_of_leak() {
    // The helper must be able to fail: each of these is one leak.
    for html in [
        "<p>{: .-three-column}</p>",
        "<p>text {.cols-2}</p>",
        "<p>{% raw %}</p>",
        "<p>| a | b |</p>",
        "<p>&lt;yel&gt;R&lt;/yel&gt;ecursively</p>",
    ] {
        let doc = Html::parse_document(&format!("<body>{html}<pre>{{: ok in code}}</pre></body>"));
        assert!(!dialect_leaks(&doc).is_empty(), "{html}");
    }
    let fine = Html::parse_document(
        "<body><p>&lt;locals&gt; and {{ name }}</p><code>{% raw %}</code></body>",
    );
    assert!(dialect_leaks(&fine).is_empty());
}

#[test]
fn devhints_sheet_structure() {
    let (site, stderr) = built();
    let page = site.page("react/index.html");
    // Item 1: the `###` cards before the first `##` are cards, in the table of contents.
    let toc = texts(&page, "nav.cg-toc li a");
    assert_eq!(&toc[..2], ["Components", "Properties"], "{toc:?}");
    let first_group_cards = texts(
        &page,
        ".sheet .group:first-of-type > .cards > .card > .card-title",
    );
    assert!(
        first_group_cards[0].starts_with("Components"),
        "{first_group_cards:?}"
    );
    // Item 2: attribute lists attached, never printed.
    assert_eq!(classes(&page, "table.-shortcuts").len(), 1);
    assert_eq!(classes(&page, "ul.-six-column").len(), 1);
    assert_eq!(classes(&page, "div.code.-setup").len(), 1);
    let group = block(&page, "getting-started");
    assert!(has_classes(group, &["group"]));
    assert_eq!(group.value().attr("data-columns"), Some("3"));
    // Item 8: `{: data-line="1,4-5"}` marks three lines of the first block.
    let first_code = block(&page, "components")
        .select(&sel("pre"))
        .next()
        .unwrap();
    let marked: Vec<String> = first_code
        .select(&sel(".hl-line"))
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(marked.len(), 3, "{marked:?}");
    assert!(marked[0].starts_with("import React"), "{marked:?}");
    // Items 4 and 5: a headerless table has no header; a separated one has two bodies.
    let ex = block(&page, "example-1")
        .select(&sel("table"))
        .next()
        .unwrap();
    assert_eq!(ex.select(&sel("thead")).count(), 0);
    assert_eq!(ex.select(&sel("tbody tr")).count(), 2);
    let life = block(&page, "lifecycle")
        .select(&sel("table"))
        .next()
        .unwrap();
    assert_eq!(life.select(&sel("tbody")).count(), 2);
    assert_eq!(life.select(&sel("tbody tr")).count(), 2);
    // Item 9: GitHub/kramdown numbering.
    assert!(page.select(&sel("#example")).next().is_some());
    assert!(page.select(&sel("#example-1")).next().is_some());
    assert!(page.select(&sel("#example-2")).next().is_none());
    // Item 6: Liquid tags gone, `{{ }}` kept in code, include reported.
    let code: String = texts_in(&page, "components", "code").concat();
    assert!(code.contains("{this.props.name}"), "{code}");
    assert!(
        stderr.contains("content/react.md:69:1: warning: Liquid tag `{% include common/moreinfo.html %}` is not supported; removed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/include-only.md:4:1: warning: Liquid tag"),
        "{stderr}"
    );
    // Item 14: `[[1]](url)` is a link with text `[1]`, not a broken wikilink.
    let cite = page
        .select(&sel("a[href=\"https://reactjs.org/docs/\"]"))
        .next()
        .unwrap();
    assert_eq!(cite.text().collect::<String>(), "[1]");
    assert!(!stderr.contains("\"1\""), "{stderr}");
    // Item 10: the empty section is a heading, not an empty card.
    let empty = block(&page, "empty-section");
    assert!(has_classes(empty, &["group"]));
    assert_eq!(empty.select(&sel(".card")).count(), 0);
    assert_eq!(
        page.select(&sel(".card-body"))
            .filter(|b| b.text().all(|t| t.trim().is_empty()))
            .count(),
        0
    );
    // Item 7: `intro:` shown under the title, as Markdown.
    let intro = texts(&page, ".sheet-intro a, .intro a");
    assert_eq!(intro, ["React"], "{intro:?}");
}

#[test]
fn markdown_it_attrs_sheet_structure() {
    let (site, stderr) = built();
    let page = site.page("vue/index.html");
    assert!(has_classes(block(&page, "basics"), &["group", "cols-3"]));
    assert!(has_classes(block(&page, "keys"), &["card", "row-span-2"]));
    assert_eq!(classes(&page, "table.shortcuts").len(), 1);
    assert_eq!(classes(&page, "ul.cols-2.marker-none").len(), 1);
    assert_eq!(classes(&page, "p.lead").len(), 1);
    // Fence info attributes: classes on the code box, never an unknown language.
    assert_eq!(classes(&page, "div.code.wrap").len(), 2);
    assert!(!stderr.contains("unknown fence language"), "{stderr}");
    let marked = texts_in(&page, "code", ".hl-line");
    assert_eq!(
        marked,
        ["const b = 2", "const d = 4", "const e = 5", "const f = 6"]
    );
    // Forgiving front matter: the empty tag item is dropped, the sheet is built.
    // Item 13: invented paired tags are classed spans; unpaired ones stay text.
    assert_eq!(texts_in(&page, "tags", "span.yel"), ["R"]);
    assert_eq!(texts_in(&page, "tags", "span.pur"), ["list"]);
    assert!(texts_in(&page, "tags", "p")[0].contains("make_pointwise.<locals>.inner"));
    // Item 11: `<style>` is not printed (and not applied), with a warning.
    assert!(!block(&page, "tags")
        .text()
        .collect::<String>()
        .contains("display"));
    assert_eq!(page.select(&sel(".card-body style")).count(), 0);
    let vue_warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("content/vue.md"))
        .collect();
    assert_eq!(vue_warnings.len(), 1, "{stderr}");
    assert!(
        vue_warnings[0].starts_with("content/vue.md:49:1: warning: <style> block dropped"),
        "{stderr}"
    );
    assert!(
        site.public().join("tags/featured/index.html").is_file()
            || texts(&site.page("index.html"), "a")
                .iter()
                .any(|t| t == "Vue")
    );
}

#[test]
fn search_entries_hold_leading_cards_and_no_markup() {
    let (site, _) = built();
    let out = site
        .cmd(&["query", "--json", "-n", "20", "Properties"])
        .output()
        .unwrap();
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        hits.iter()
            .any(|h| h["card"] == "Properties"
                && h["url"].as_str().unwrap().ends_with("#properties")),
        "{hits:?}"
    );
    // Front matter `keywords:` are searchable.
    let out = site
        .cmd(&["query", "--json", "React.Component"])
        .output()
        .unwrap();
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        hits.iter().all(|h| h["sheet"] == "React") && !hits.is_empty(),
        "{hits:?}"
    );
    for q in ["shortcuts", "column", "endraw", "moreinfo"] {
        let out = site.cmd(&["query", "--json", q]).output().unwrap();
        let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
        assert!(hits.is_empty(), "{q}: {hits:?}");
    }
}

#[test]
fn callouts_render_with_type_title_and_folding() {
    let (site, _) = built();
    let page = site.page("obsidian/index.html");
    let kinds: Vec<&str> = page
        .select(&sel(".callout"))
        .filter_map(|c| c.value().attr("data-callout"))
        .collect();
    assert_eq!(kinds, ["note", "tip", "faq", "warning"]);
    // A custom title's Markdown is rendered, not shown as asterisks.
    assert_eq!(texts(&page, ".callout-title em"), ["fast"]);
    assert_eq!(
        texts(&page, ".callout-title"),
        ["Note", "Use the fast path", "Why folded?", "Warning"]
    );
    assert_eq!(
        texts(&page, ".callout-body"),
        [
            "GitHub-style note.",
            "Obsidian title.",
            "Because it is long.",
            "Open by default."
        ]
    );
    assert_eq!(page.select(&sel("details.callout")).count(), 2);
    assert_eq!(page.select(&sel("details.callout[open]")).count(), 1);
    assert_eq!(page.select(&sel(".callout .callout-icon")).count(), 4);
    assert_eq!(texts(&page, "blockquote"), ["Just a quote."]);
    assert!(!common::body_text(&page).contains("[!"));
    // kramdown's `* TOC` + `{:toc}`: dropped (the sheet has its own table of contents).
    assert!(!texts(&page, ".sheet li").iter().any(|t| t == "TOC"));
}

#[test]
fn redirect_stubs_are_redirect_pages_outside_listings_search_and_sitemap() {
    let site = Site::fixture("dialect");
    site.build_ok(&["--base-url", "https://example.org/docs/"]);
    let page = site.page("react-old/index.html");
    let meta = page
        .select(&sel("meta[http-equiv=refresh]"))
        .next()
        .unwrap();
    assert_eq!(meta.value().attr("content"), Some("0; url=/docs/react/"));
    let canonical = page.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(canonical.value().attr("href"), Some("/docs/react/"));
    assert_eq!(texts(&page, "a"), ["/docs/react/"]);
    let home = std::fs::read_to_string(site.public().join("index.html")).unwrap();
    assert!(
        !home.contains("React (old)") && !home.contains("react-old"),
        "listed on the home page"
    );
    assert!(home.contains("/docs/react/"));
    let sitemap = std::fs::read_to_string(site.public().join("sitemap.xml")).unwrap();
    assert!(
        !sitemap.contains("react-old") && sitemap.contains("/docs/react/"),
        "{sitemap}"
    );
    let out = site.cmd(&["query", "--json", "old"]).output().unwrap();
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert!(
        hits.iter()
            .all(|h| !h["url"].as_str().unwrap_or("").contains("react-old")),
        "{hits:?}"
    );
    assert!(common::check_links(&site.public(), "/docs/").is_empty());
}

#[test]
fn featured_sheets_weight_and_updated_date() {
    let (site, _) = built();
    let home = site.page("index.html");
    // `tags: [Featured]`, ordered by `weight:` (React has -10, Vue none).
    assert_eq!(texts(&home, "#cg-featured li a"), ["React", "Vue"]);
    let page = site.page("react/index.html");
    assert_eq!(texts(&page, ".sheet-updated"), ["Updated 2018-10-04"]);
    let time = page.select(&sel(".sheet-updated time")).next().unwrap();
    assert_eq!(time.value().attr("datetime"), Some("2018-10-04"));
    assert!(site
        .page("vue/index.html")
        .select(&sel(".sheet-updated"))
        .next()
        .is_none());
}
