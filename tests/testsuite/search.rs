//! Card-level search: the index built on a fixture site, searched with `cheatgen query`
//! (the shared Rust ranking): code tokens, typos, prefixes, soft multi-term AND.

use crate::common;
use crate::common::Site;
use serde_json::Value;

fn query(site: &Site, q: &str) -> Vec<Value> {
    let out = site
        .cmd(&["query", "--json", "-n", "5", q])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{q}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    v.as_array().unwrap().clone()
}

fn urls(site: &Site, q: &str) -> Vec<String> {
    query(site, q)
        .iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect()
}

fn first(site: &Site, q: &str) -> String {
    urls(site, q)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no hit for {q:?}"))
}

#[test]
fn code_tokens_find_their_card_first() {
    let site = Site::fixture("search");
    site.build_ok(&[]);
    let cases = [
        ("functools.wraps", "/python/decorators/#preserve-metadata"),
        ("__qualname__", "/python/decorators/#preserve-metadata"),
        ("--no-cache-dir", "/python/pip/#install-without-cache"),
        ("no-cache", "/python/pip/#install-without-cache"),
        ("git rebase -i", "/git/#interactive-rebase"),
        ("0x7f", "/python/decorators/#closures"),
        ("{{path/to/file}}", "/tldr/#copy-a-file"),
        ("HEAD~3", "/git/#interactive-rebase"),
    ];
    for (q, want) in cases {
        assert_eq!(first(&site, q), want, "query {q:?}");
    }
}

#[test]
fn typos_and_prefixes() {
    let site = Site::fixture("search");
    site.build_ok(&[]);
    assert_eq!(
        first(&site, "fucntools"),
        "/python/decorators/#preserve-metadata",
        "transposition"
    );
    assert_eq!(
        first(&site, "qualnme"),
        "/python/decorators/#preserve-metadata",
        "deletion"
    );
    assert_eq!(first(&site, "stahs"), "/git/#stash");
    assert_eq!(
        first(&site, "funct"),
        "/python/decorators/#preserve-metadata",
        "prefix while typing"
    );
    assert!(
        urls(&site, "gti").is_empty(),
        "no typo tolerance under 4 chars"
    );
}

#[test]
fn ranking_prefers_titles_then_code_then_prose() {
    let site = Site::fixture("search");
    site.build_ok(&[]);
    // "stash": card title (Git › Stash) beats everything.
    assert_eq!(first(&site, "stash"), "/git/#stash");
    // "decorators": sheet title matches beat a prose mention on another sheet.
    let hits = urls(&site, "decorators");
    assert!(
        hits.iter()
            .take(3)
            .all(|u| u.starts_with("/python/decorators/")),
        "{hits:?}"
    );
    assert_eq!(hits.last().map(String::as_str), Some("/git/#stash"));
    // Exact beats prefix: "pip" exact in the pip sheet's title over "pipe…" words.
    assert!(first(&site, "pip").starts_with("/python/pip/"));
}

#[test]
fn multi_term_and_with_partial_fallback() {
    let site = Site::fixture("search");
    site.build_ok(&[]);
    // Soft AND: the card with both words first, cards with one of them below it.
    let both = urls(&site, "rebase main");
    assert_eq!(both[0], "/git/#rebase-onto-main");
    assert!(both[1..].iter().all(|u| u.starts_with("/git/")), "{both:?}");
    // No card has both words: the best partial matches come back instead of nothing.
    let partial = urls(&site, "rebase zebra");
    assert!(
        !partial.is_empty() && partial.iter().all(|u| u.starts_with("/git/")),
        "{partial:?}"
    );
    let hits = query(&site, "pip install --no-cache-dir");
    assert_eq!(hits[0]["url"], "/python/pip/#install-without-cache");
    assert_eq!(
        hits[0]["code_lines"][0],
        "pip install --no-cache-dir -r requirements.txt"
    );
}

#[test]
fn query_works_before_a_build_and_text_output_shows_code() {
    let site = Site::fixture("search");
    let out = site.cmd(&["query", "functools.wraps"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!site.public().exists(), "query does not write the site");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Python decorators › Preserve metadata"));
    assert_eq!(
        lines.next(),
        Some("  /python/decorators/#preserve-metadata")
    );
    assert!(text.contains("│     @functools.wraps(fn)"), "{text}");
    let out = site.cmd(&["query", "zzzzqqq"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn index_is_sharded_deterministic_and_under_the_base_path() {
    let site = Site::fixture("search");
    site.build_ok(&["--base-url", "https://user.github.io/repo/"]);
    let snap = site.snapshot();
    let meta: Value = serde_json::from_slice(&snap["search/meta.json"]).unwrap();
    assert_eq!(meta["version"], 4);
    assert!(snap.keys().any(|k| k.starts_with("search/t/")));
    assert!(snap.keys().any(|k| k.starts_with("search/d/")));
    assert!(snap.keys().any(|k| k.starts_with("search/k/")));
    let hits = urls(&site, "functools.wraps");
    assert_eq!(hits[0], "/repo/python/decorators/#preserve-metadata");
    site.build_ok(&["--base-url", "https://user.github.io/repo/"]);
    assert_eq!(snap, site.snapshot());
    // Every result URL points at a real page and card.
    for u in urls(&site, "pip") {
        let (path, frag) = u.strip_prefix("/repo/").unwrap().split_once('#').unwrap();
        let page = site.page(&format!("{path}index.html"));
        assert!(
            page.select(&common::sel(&format!("[id=\"{frag}\"]")))
                .next()
                .is_some(),
            "{u}"
        );
    }
}

#[test]
fn damaged_index_is_a_clear_error() {
    let site = Site::fixture("search");
    site.build_ok(&[]);
    std::fs::write(site.public().join("search/meta.json"), "{not json").unwrap();
    let out = site.cmd(&["query", "pip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("search/meta.json") && err.contains("damaged"),
        "{err}"
    );
}

/// `cheatgen query --json` on a site of the given notes.
fn site_with(notes: &[(&str, &str)]) -> Site {
    let site = Site::empty();
    for (path, text) in notes {
        site.write(&format!("content/{path}"), text);
    }
    site
}

#[test]
fn a_prefix_outranks_a_typo() {
    // Issue 13: `pipef` ranked the "Pipes" card (a typo away) above `pipefail` (a prefix).
    let site = site_with(&[(
        "shell.md",
        "# Pipes\n\nConnect commands with `|`.\n\n# Strict mode\n\n```bash\nset -o pipefail\n```\n",
    )]);
    assert_eq!(first(&site, "pipef"), "/shell/#strict-mode");
}

#[test]
fn stop_words_are_never_required() {
    // Issue 13: "and" had to match, so the vim card without it lost.
    let site = site_with(&[
        ("vim.md", "# Find & Replace\n\n```\n:%s/old/new/g\n```\n\n# Save and quit\n\n`:wq` saves and quits.\n"),
        ("brew.md", "# Search and info\n\n```\nbrew search wget\n```\n"),
    ]);
    assert_eq!(first(&site, "vim search and replace"), "/vim/#find-replace");
}

#[test]
fn excerpts_keep_inline_code_and_previews_show_the_rarest_line() {
    let site = site_with(&[(
        "git.md",
        "# Debugging\n\nUse `git bisect` to find a bad commit.\n\n```bash\ngit status\ngit log\ngit diff\ngit show\ngit stash\ngit fetch\ngit bisect start\n```\n\n# Other\n\n`:wq` saves and closes.\n",
    )]);
    let hits = query(&site, "git bisect");
    assert_eq!(hits[0]["url"], "/git/#debugging");
    // The one line with the rare word is shown, not just the first lines with "git".
    let lines: Vec<&str> = hits[0]["code_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(lines.contains(&"git bisect start"), "{lines:?}");
    assert_eq!(lines.len(), 5, "{lines:?}");
    let hits = query(&site, ":wq");
    assert_eq!(hits[0]["url"], "/git/#other");
    assert_eq!(hits[0]["excerpt"], ":wq saves and closes.");
}

#[test]
fn a_pasted_paragraph_is_a_query_like_any_other() {
    let site = Site::fixture("search");
    site.build_ok(&[]);
    let long = "rebase ".repeat(40) + &"x".repeat(60) + " $? :wq && E[x]tract";
    let out = site.cmd(&["query", "--json", &long]).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "no crash");
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        hits[0]["url"].as_str().unwrap().starts_with("/git/"),
        "{hits}"
    );
}

/// A note of `cards` cards, with words shared across notes and words of its own.
fn generated_note(i: usize, cards: usize) -> String {
    const WORDS: [&str; 12] = [
        "rebase", "commit", "branch", "deploy", "config", "cache", "install", "remove", "status",
        "network", "volume", "export",
    ];
    let mut text = format!("---\ntitle: Tool {i}\ntags: [t{}]\n---\n", i % 7);
    for c in 0..cards {
        let w = |k: usize| WORDS[(i * 5 + c * 3 + k) % WORDS.len()];
        text.push_str(&format!(
            "\n## {} {} {c}\n\nUse it to {} the {} of tool{i} card{c}.\n\n```sh\ntool{i} --{} {}\n```\n",
            w(0),
            w(1),
            w(2),
            w(3),
            w(4),
            w(5)
        ));
    }
    text
}

#[test]
fn editing_one_note_rewrites_few_index_files() {
    // Issue 11: doc ids were global positions, so a card added to one note shifted every
    // later doc shard and posting (at 1k notes, 4,513 of 5,312 index files changed).
    let site = Site::empty();
    for i in 0..300 {
        site.write(&format!("content/tool-{i:03}.md"), generated_note(i, 6));
    }
    site.build_ok(&[]);
    let index = |snap: &std::collections::BTreeMap<String, Vec<u8>>| {
        snap.iter()
            .filter(|(k, _)| k.starts_with("search/"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = index(&site.snapshot());
    assert!(before.len() > 1_000, "{} index files", before.len());
    // An early note gains a card with a new word, and one of its cards changes.
    let edited = generated_note(20, 7).replace("card3.", "card3 zebrafish.");
    site.write("content/tool-020.md", edited);
    site.build_ok(&[]);
    let after = index(&site.snapshot());
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        changed.len() <= 30,
        "{} of {} index files changed: {changed:?}",
        changed.len(),
        before.len()
    );
    // The new word and the new card are found; other notes' cards still are.
    assert_eq!(first(&site, "zebrafish"), "/tool-020/#commit-branch-3");
    assert!(first(&site, "tool150").starts_with("/tool-150/"));
}
