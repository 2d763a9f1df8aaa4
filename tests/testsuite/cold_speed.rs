//! Issue 15 (cold builds): `--timings`, compact paginated listing pages, and output that
//! is byte-identical between two builds of a generated site of a few hundred notes.

use crate::common::{check_links, sel, snapshot, texts, Site};

/// `n` notes, all tagged `common`, every third also `rare`, each with four cards.
fn generated_site(n: usize) -> Site {
    let site = Site::empty();
    for i in 0..n {
        let tags = if i % 3 == 0 {
            "[common, rare]"
        } else {
            "[common]"
        };
        let cards: String = (0..4)
            .map(|c| {
                format!("# Card {c} of {i}\n\nText `code {c}`.\n\n```python\nx = {c}\n```\n\n")
            })
            .collect();
        site.write(
            &format!("content/sheet-{i:04}.md"),
            format!("---\ntitle: Sheet {i:04}\ntags: {tags}\n---\n\n{cards}"),
        );
    }
    site
}

#[test]
fn timings_flag_prints_every_stage() {
    let site = generated_site(3);
    let out = site
        .cmd(&["build", "--timings"])
        .env_remove("CHEATGEN_TIMINGS")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for stage in [
        "render notes",
        "site passes",
        "templates",
        "search index",
        "write",
    ] {
        assert!(
            stderr.contains(&format!("timing: {stage}: ")),
            "{stage} missing:\n{stderr}"
        );
    }
    let quiet = site
        .cmd(&["build"])
        .env_remove("CHEATGEN_TIMINGS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert!(!stderr.contains("timing:"), "{stderr}");
    // Piped stderr never gets progress-bar frames.
    assert!(!stderr.contains('\r'), "{stderr:?}");
    // The environment variable still works.
    let env = site
        .cmd(&["build", "--no-cache"])
        .env("CHEATGEN_TIMINGS", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&env.stderr).contains("timing: render notes: "));
}

#[test]
fn listings_are_compact_and_paginated() {
    let site = generated_site(250);
    site.build_ok(&[]);
    let public = site.public();

    // Tag page: sheets with card counts, card links collapsed; 50 a page, pages chained.
    let first = site.page("tags/common/index.html");
    let links: Vec<String> = first
        .select(&sel(".tag-sheets > li > a"))
        .filter_map(|a| a.value().attr("href").map(String::from))
        .collect();
    assert_eq!(links.len(), 50, "{links:?}");
    assert_eq!(links[0], "/sheet-0000/");
    assert_eq!(first.select(&sel("details.card-links")).count(), 50);
    assert_eq!(first.select(&sel("details[open]")).count(), 0, "collapsed");
    assert_eq!(first.select(&sel("details.card-links a")).count(), 200);
    assert!(texts(&first, ".stats")[0].contains("250 sheets · 1000 cards"));
    let next = first.select(&sel(".cg-pager a[rel=next]")).next().unwrap();
    assert_eq!(next.value().attr("href"), Some("/tags/common/page/2/"));
    let last = site.page("tags/common/page/5/index.html");
    assert_eq!(
        texts(&last, ".tag-sheets > li > a")
            .first()
            .map(String::as_str),
        Some("Sheet 0200")
    );
    assert_eq!(last.select(&sel(".tag-sheets > li")).count(), 50);
    let prev = last.select(&sel(".cg-pager a[rel=prev]")).next().unwrap();
    assert_eq!(prev.value().attr("href"), Some("/tags/common/page/4/"));
    assert!(last.select(&sel(".cg-pager a[rel=next]")).next().is_none());
    assert!(!public.join("tags/common/page/6").exists());
    let rare = site.page("tags/rare/page/2/index.html");
    assert_eq!(
        rare.select(&sel(".tag-sheets > li")).count(),
        34,
        "84 = 50 + 34"
    );
    assert!(texts(&rare, "title")[0].contains("(page 2)"));
    // The tag cloud still counts every sheet.
    let cloud = site.page("tags/index.html");
    assert_eq!(
        cloud
            .select(&sel(".tag-cloud a[data-count=\"250\"]"))
            .count(),
        1
    );

    // Home: a few sheets per category and a link to the rest.
    let home = site.page("index.html");
    assert_eq!(home.select(&sel(".category .sheet-list li")).count(), 12);
    let more = home.select(&sel(".category .more a")).next().unwrap();
    assert!(more.text().collect::<String>().contains("All 250 sheets"));
    let category_dir = more.value().attr("href").unwrap().trim_start_matches('/');
    let category = site.page(&format!("{category_dir}index.html"));
    assert_eq!(category.select(&sel(".sheet-list li")).count(), 50);
    assert!(public
        .join(format!("{category_dir}page/5/index.html"))
        .exists());
    assert!(!public.join(format!("{category_dir}page/6")).exists());

    for page in [
        "index.html",
        "tags/common/index.html",
        "tags/common/page/2/index.html",
    ] {
        let size = std::fs::metadata(public.join(page)).unwrap().len();
        assert!(size < 100_000, "{page}: {size} bytes");
    }
    let broken = check_links(&public, "/");
    assert!(broken.is_empty(), "{broken:?}");
}

#[test]
fn two_builds_are_byte_identical() {
    let site = generated_site(120);
    site.build_ok(&[]);
    let first = site.snapshot();
    site.build_ok(&["--output", "again"]);
    let second = snapshot(&site.root().join("again"));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(&second[path] == bytes, "{path} differs between builds");
    }
}
