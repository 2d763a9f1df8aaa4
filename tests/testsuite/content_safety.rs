//! Hostile and unlucky notes through the real binary (issue 10, items 8–11 and 13): each
//! bad note is reported at `path:line:col`, never takes the rest of the site down, and
//! never puts broken markup, raw NULs or ill-formed XML into the output.

use crate::common;
use crate::common::{body_text, sel, texts, Site};
use serde_json::Value;

fn good_note(site: &Site) {
    site.write("content/good.md", "---\ntitle: Good\n---\n## Fine\n\nok\n");
}

#[test]
fn deeply_nested_front_matter_is_rejected_and_the_rest_builds() {
    let site = Site::empty();
    good_note(&site);
    // 100k `[`: once 24 s of YAML parsing; now refused by the size limit before parsing.
    site.write(
        "content/huge.md",
        format!(
            "---\ntitle: x\ntags: {}\n---\n## A\n\nx\n",
            "[".repeat(100_000)
        ),
    );
    // Under the size limit but nested past the depth limit: refused where depth 65 opens.
    site.write(
        "content/deep.md",
        format!(
            "---\ntitle: x\ntags: {}{}\n---\n## A\n\nx\n",
            "[".repeat(1000),
            "]".repeat(1000)
        ),
    );
    // 64 levels are still fine.
    site.write(
        "content/ok-depth.md",
        format!(
            "---\ntitle: Ok depth\nextra: {}1{}\n---\n## A\n\nx\n",
            "[".repeat(64),
            "]".repeat(64)
        ),
    );
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/huge.md:2:1: error: front matter is 98 KiB, more than the 64 KiB limit; note skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "content/deep.md:3:71: error: front matter is nested more than 64 levels deep; note skipped"
        ),
        "{stderr}"
    );
    assert!(site.public().join("good/index.html").is_file());
    assert!(site.public().join("ok-depth/index.html").is_file());
    assert!(!site.public().join("huge/index.html").exists());
    assert!(!site.public().join("deep/index.html").exists());
}

#[test]
fn unclosed_quotes_or_brackets_in_strings_do_not_count_as_nesting() {
    let site = Site::empty();
    site.write(
        "content/a.md",
        format!(
            "---\ntitle: '{}'\ndescription: \"{}\"\n---\nx\n",
            "[".repeat(100),
            "{".repeat(100)
        ),
    );
    let stderr = site.build_ok(&["--strict"]);
    assert!(!stderr.contains("nested"), "{stderr}");
}

#[test]
fn atom_and_sitemap_are_well_formed_and_bad_dates_are_warnings() {
    let site = Site::empty();
    site.write(
        "content/inject.md",
        "---\ntitle: \"A <b>&amp; 'q' \\\"x\\\"\\u0001\"\nupdated: \"2024-02-02T10:00:00<x>\"\n---\n## A\n\nx\n",
    );
    site.write(
        "content/x-date.md",
        "---\ntitle: X date\ndate: \"x\"\n---\n## A\n\nx\n",
    );
    site.write(
        "content/bad-day.md",
        "---\ntitle: Bad day\ndate: 2024-02-30\n---\n## A\n\nx\n",
    );
    site.write(
        "content/dated.md",
        "---\ntitle: Dated & <ok>\ndescription: \"]]> & <summary>\"\nupdated: 2024-03-04 05:06\n---\n## A\n\nx\n",
    );
    let (code, stderr) = site.build(&["--base-url", "https://example.org/s/"]);
    assert_eq!(code, 0, "{stderr}");
    for want in [
        "content/inject.md:3:10: warning: front matter `updated` is not a date (\"2024-02-02T10:00:00<x>\")",
        "content/x-date.md:3:7: warning: front matter `date` is not a date (\"x\")",
        "content/bad-day.md:3:7: warning: front matter `date` is not a date (\"2024-02-30\")",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in\n{stderr}");
    }

    let atom = std::fs::read_to_string(site.public().join("atom.xml")).unwrap();
    let doc = roxmltree::Document::parse(&atom).unwrap_or_else(|e| panic!("{e}\n{atom}"));
    let entries: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 1, "only the validly dated sheet: {atom}");
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(child(entries[0], "title"), "Dated & <ok>");
    assert_eq!(child(entries[0], "summary"), "]]> & <summary>");
    assert_eq!(child(entries[0], "updated"), "2024-03-04T05:06:00Z");

    let sitemap = std::fs::read_to_string(site.public().join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).unwrap_or_else(|e| panic!("{e}\n{sitemap}"));
    let lastmods: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("lastmod"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(lastmods, ["2024-03-04"], "{sitemap}");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert!(locs.contains(&"https://example.org/s/inject/"), "{locs:?}");
}

fn query_json(site: &Site, q: &str) -> Vec<Value> {
    let out = site.cmd(&["query", "--json", q]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_default()
}

#[test]
fn heading_text_in_angle_brackets_is_kept_everywhere() {
    let site = Site::empty();
    site.write(
        "content/py.md",
        "---\ntitle: Py\n---\n## make_pointwise.<locals>.inner\n\nclosure\n\n## Vec<String> usage\n\nvec\n\n## Press <kbd>Ctrl</kbd>\n\nkeys\n",
    );
    site.build_ok(&[]);
    let page = site.page("py/index.html");
    let toc = texts(&page, "nav.cg-toc li a");
    assert_eq!(
        toc,
        [
            "make_pointwise.<locals>.inner",
            "Vec<String> usage",
            "Press Ctrl"
        ]
    );
    let ids: Vec<&str> = page.select(&sel(".card")).filter_map(card_id).collect();
    assert_eq!(
        ids,
        [
            "make_pointwise-locals-inner",
            "vec-string-usage",
            "press-ctrl"
        ]
    );
    let titles = texts(&page, ".card-title");
    assert!(
        titles[0].starts_with("make_pointwise.<locals>.inner"),
        "{titles:?}"
    );
    // Search: `query locals` finds the card, titled with the literal text.
    let hits = query_json(&site, "locals");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["card"], "make_pointwise.<locals>.inner");
    assert!(hits[0]["url"]
        .as_str()
        .unwrap()
        .ends_with("#make_pointwise-locals-inner"));
    let hits = query_json(&site, "String");
    assert_eq!(hits[0]["card"], "Vec<String> usage", "{hits:?}");
}

#[test]
fn messages_carry_no_rust_debug_text() {
    let site = Site::empty();
    site.write(
        "content/a.md",
        "## A\n\n[click](javascript:alert(1)) and [x](JaVaScRiPt:void(0))\n",
    );
    let (_, stderr) = site.build(&[]);
    assert!(
        stderr.contains(r#"content/a.md:3:1: warning: link to "javascript:alert(1)" dropped"#),
        "{stderr}"
    );
    assert!(!stderr.contains("Borrowed("), "{stderr}");
    assert!(!stderr.contains("Boxed("), "{stderr}");
}

#[test]
fn duplicate_yaml_key_is_reported_on_its_own_line() {
    let site = Site::empty();
    good_note(&site);
    site.write(
        "content/dup.md",
        "---\ntitle: One\ntags: [a]\n\ntitle: Two\n---\nx\n",
    );
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "content/dup.md:5:1: error: invalid YAML front matter: duplicate entry with key \"title\""
        ),
        "{stderr}"
    );
    assert!(site.public().join("good/index.html").is_file());
}

#[test]
fn nul_bytes_become_replacement_characters_with_a_warning() {
    let site = Site::empty();
    site.write(
        "content/nul.md",
        "---\ntitle: \"Ti\0tle\"\n---\n## Card\0 one\n\nbody a\0b and `co\0de`\n\n```\nx\0y\n```\n",
    );
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("content/nul.md:2:11: warning: 5 NUL bytes replaced with U+FFFD"),
        "{stderr}"
    );
    for entry in walkdir::WalkDir::new(site.public()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let mut bytes = std::fs::read(entry.path()).unwrap();
            if entry.path().extension().is_some_and(|e| e == "gz") {
                let mut plain = Vec::new();
                std::io::Read::read_to_end(
                    &mut flate2::read::GzDecoder::new(&bytes[..]),
                    &mut plain,
                )
                .unwrap();
                bytes = plain;
            }
            if entry.path().extension().is_some_and(|e| e == "woff2") {
                continue;
            }
            assert!(!bytes.contains(&0), "NUL in {}", entry.path().display());
        }
    }
    let page = site.page("nul/index.html");
    let text = body_text(&page);
    assert!(text.contains("a\u{fffd}b"), "{text}");
    assert_eq!(texts(&page, "h1")[0], "Ti\u{fffd}tle");
    let hits = query_json(&site, "body");
    assert_eq!(hits[0]["card"], "Card\u{fffd} one", "{hits:?}");
}

#[test]
fn query_limit_zero_is_a_usage_error() {
    let site = Site::empty();
    good_note(&site);
    let out = site
        .cmd(&["query", "--limit", "0", "fine"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--limit"), "{stderr}");
    let out = site.cmd(&["query", "-n", "1", "fine"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn raw_html_cannot_escape_its_card_or_swallow_what_follows() {
    let site = Site::empty();
    site.write(
        "content/esc.md",
        "---\ntitle: Esc\n---\n## First\n\n</div></div></div><div class=\"cg-top note\">x</div>\n\n## Second\n\nSee <a href=\"https://evil.example/\">the link\n\nNext paragraph.\n\n- <span class=\"cg-toc\">item\n- other\n\n## Third\n\n<details><summary>More</summary>\n\n*inside*\n\n</details>\n\nAfter <kbd>Ctrl</kbd>.\n",
    );
    site.build_ok(&["--strict"]);
    let page = site.page("esc/index.html");
    assert_eq!(page.select(&sel(".card .cg-top")).count(), 0);
    assert_eq!(
        page.select(&sel(".cg-top")).count(),
        1,
        "only the theme's header"
    );
    assert_eq!(
        page.select(&sel("nav.cg-toc")).count(),
        1,
        "only the theme's own table of contents"
    );
    // Three cards, each holding its own content, all inside the sheet's card grid.
    let cards: Vec<_> = page.select(&sel(".cards > .card")).collect();
    let ids: Vec<_> = cards.iter().copied().filter_map(card_id).collect();
    assert_eq!(ids, ["first", "second", "third"]);
    let body = |i: usize| -> String { cards[i].text().collect() };
    assert!(body(0).contains('x'), "{}", body(0));
    let first_divs: Vec<_> = cards[0].select(&sel(".card-body > div.note")).collect();
    assert_eq!(first_divs.len(), 1);
    // The unclosed anchor ends with its paragraph: one link, nothing after it is linked.
    let links: Vec<_> = page
        .select(&sel("a[href=\"https://evil.example/\"]"))
        .collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].text().collect::<String>(), "the link");
    let in_card = |i: usize, css: &str| -> Vec<String> {
        cards[i]
            .select(&sel(css))
            .map(|e| e.text().collect::<String>())
            .collect()
    };
    assert_eq!(in_card(1, "p"), ["See the link", "Next paragraph."]);
    assert_eq!(in_card(1, "li"), ["item", "other"]);
    // Block containers may wrap Markdown inside one card.
    assert_eq!(in_card(2, "details em"), ["inside"]);
    assert_eq!(in_card(2, "kbd"), ["Ctrl"]);
}

#[test]
fn bad_base_url_on_the_command_line_is_blamed_on_the_flag() {
    let site = Site::empty();
    good_note(&site);
    let (code, stderr) = site.build(&["--base-url", "ftp://x"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("--base-url: error: base_url"),
        "{stderr}"
    );
    assert!(!stderr.contains("cheatgen.toml"), "{stderr}");
}

/// A card's id: on its heading (the theme puts ids on headings so any tool can link to
/// them), or on the card itself when it has no heading.
fn card_id(card: scraper::ElementRef<'_>) -> Option<&str> {
    card.value().attr("id").or_else(|| {
        card.select(&sel(".card-title"))
            .next()
            .and_then(|h| h.value().attr("id"))
    })
}

/// Every new construct (attribute lists, callouts, invented tags, fence attributes,
/// Liquid, headerless tables, front matter intro) with script payloads, loaded in a real
/// Chromium: nothing runs, no element carries an event handler, and each card holds its
/// own content in the browser's DOM.
#[test]
fn dialect_payloads_never_run_in_a_browser() {
    let _serial = common::browser::serial();
    let site = Site::empty();
    site.write(
        "content/hostile.md",
        concat!(
            "---\n",
            "title: \"<img src=x onerror=window.__xss=1>\"\n",
            "intro: \"<script>window.__xss=2</script> <img src=x onerror=window.__xss=3>\"\n",
            "---\n",
            "## One {onclick=window.__xss=4 .ok}\n\n",
            "- ## nested {onmouseover=window.__xss=5}\n\n",
            "para\n{: onclick=\"window.__xss=6\" .x data-y=\"\\\"><img src=x onerror=window.__xss=7>\"}\n\n",
            "> [!NOTE] <img src=x onerror=window.__xss=8>\n> body\n\n",
            "<yel onclick=\"window.__xss=9\">t</yel> <pur>p</pur>\n\n",
            "```js {onload=window.__xss=10 .wrap}\ncode\n```\n\n",
            "## Two\n\n",
            "</div></div></div><div class=\"cg-top\"><img src=x onerror=window.__xss=11>\n\n",
            "[x](javascript:window.__xss=12) <a href=\"javascript:window.__xss=13\">y</a>\n\n",
            "{% raw %}<script>window.__xss=14</script>{% endraw %}\n\n",
            "| <img src=x onerror=window.__xss=15> | <a href=\"https://e.org\">open |\n\n",
            "## Three\n\nlast\n",
        ),
    );
    site.build_ok(&[]);
    let Some(browser) = common::browser::browser() else {
        return;
    };
    let tab = browser.new_tab().unwrap();
    let url = format!(
        "file://{}",
        site.public().join("hostile/index.html").display()
    );
    tab.navigate_to(&url)
        .unwrap()
        .wait_until_navigated()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let eval = |js: &str| common::browser::eval(&tab, js);
    assert_eq!(
        eval("window.__xss === undefined"),
        Value::Bool(true),
        "a payload ran: {:?}",
        eval("window.__xss")
    );
    assert_eq!(
        eval("Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).map(e => e.outerHTML.slice(0, 80))"),
        Value::Array(vec![])
    );
    assert_eq!(
        eval("Array.from(document.querySelectorAll('.cards > .card')).map(c => c.id || c.querySelector('.card-title').id)"),
        serde_json::json!(["one", "two", "three"])
    );
    assert_eq!(
        eval("document.querySelectorAll('.card .cg-top, .card-body .cg-top').length"),
        serde_json::json!(0)
    );
    assert_eq!(
        eval("document.getElementById('three').closest('.card').querySelector('.card-body').textContent.trim()"),
        serde_json::json!("last")
    );
    assert_eq!(
        eval("document.querySelectorAll('a[href^=\"javascript\"]').length"),
        serde_json::json!(0)
    );
    // The unclosed anchor in the table cell ends with its cell.
    assert_eq!(
        eval("document.querySelectorAll('a[href=\"https://e.org\"]').length"),
        serde_json::json!(1)
    );
    let _ = tab.close(true);
}
