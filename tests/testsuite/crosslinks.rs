//! Cross-linking: every link form resolves (at root and under a subpath), broken forms
//! give exactly one diagnostic each, `check` (text and JSON), backlinks, tags, categories
//! and navigation.

use crate::common::{check_links, sel, texts, Site};
use serde_json::Value;

#[test]
fn every_link_form_resolves_at_root_and_under_subpath() {
    let site = Site::fixture("crosslinks");
    site.build_ok(&["--strict"]);
    assert_eq!(check_links(&site.public(), "/"), Vec::<String>::new());
    site.build_ok(&["--strict", "--base-url", "https://user.github.io/repo/"]);
    assert_eq!(check_links(&site.public(), "/repo/"), Vec::<String>::new());

    let rebase = site.page("git/rebase/index.html");
    let hrefs: Vec<_> = rebase
        .select(&sel(".card-body a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "/repo/git/basics/#commit",
            "/repo/git/basics/#undo-a-commit",
            "/repo/git/basics/",
            "/repo/git/basics/",
            "/repo/git/basics/#undo-a-commit",
        ]
    );
    assert_eq!(
        texts(&rebase, ".card-body a")[2],
        "the basics",
        "[[target|label]] keeps its label"
    );
    let basics = site.page("git/basics/index.html");
    let self_link: Vec<_> = basics
        .select(&sel(".card-body a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(self_link, ["#commit"]);
    let venv = site.page("python/venv/index.html");
    let hrefs: Vec<_> = venv
        .select(&sel(".card-body a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "/repo/git/rebase/",
            "/repo/git/basics/#undo-a-commit",
            "/repo/files/card.txt",
            "/repo/git/rebase/#abort"
        ]
    );
}

#[test]
fn each_broken_form_gives_one_diagnostic() {
    let site = Site::fixture("broken-links");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "warnings only: {stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    let expected = [
        ("content/links.md:3:1:", "missing.md"),
        ("content/links.md:4:1:", "#nope"),
        ("content/links.md:5:1:", "outside content/"),
        (
            "content/links.md:6:1:",
            "content/dup-a.md, content/sub/dup-b.md",
        ),
        ("content/links.md:7:1:", "[[Nobody]]"),
        ("content/links.md:8:1:", "No such card"),
        ("content/links.md:9:1:", "#also-missing"),
    ];
    assert_eq!(lines.len(), expected.len(), "{stderr}");
    for (line, (pos, text)) in lines.iter().zip(expected) {
        assert!(
            line.starts_with(pos) && line.contains(text),
            "{line} should be {pos} … {text}"
        );
    }
    let page = site.page("links/index.html");
    assert_eq!(page.select(&sel("a.broken-link")).count(), 7);
    assert!(
        page.select(&sel("a.broken-link[href]")).next().is_none(),
        "never a dead href"
    );
    assert!(texts(&page, "code").iter().any(|t| t == "[[in code]]"));
    let (code, _) = site.build(&["--strict"]);
    assert_eq!(code, 1);
}

#[test]
fn check_reports_without_writing_and_as_json() {
    let site = Site::fixture("broken-links");
    let out = site.cmd(&["check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!site.public().exists(), "check writes nothing");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 7, "{stdout}");

    let out = site.cmd(&["check", "--format", "json"]).output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), 7);
    let first = &items[0];
    assert_eq!(first["path"], "content/links.md");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["code"], "broken-link");
    let codes: Vec<&str> = items.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        [
            "broken-link",
            "broken-anchor",
            "outside-content",
            "ambiguous-link",
            "broken-link",
            "broken-anchor",
            "broken-anchor"
        ]
    );

    let out = site.cmd(&["check", "--strict"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn renaming_a_linked_card_breaks_the_anchor() {
    let site = Site::fixture("crosslinks");
    let out = site.cmd(&["check", "--strict"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let path = site.root().join("content/git/basics.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("### Undo a commit", "### Revert a commit");
    std::fs::write(&path, text).unwrap();
    let out = site.cmd(&["check", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["code"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "content/git/rebase.md:10:1 broken-anchor",
            "content/git/rebase.md:14:42 broken-anchor",
            "content/python/venv.md:13:1 broken-anchor",
        ]
    );
}

#[test]
fn backlinks_list_linking_cards() {
    let site = Site::fixture("crosslinks");
    site.build_ok(&[]);
    let basics = site.page("git/basics/index.html");
    assert_eq!(
        texts(&basics, "#cg-backlinks li"),
        [
            "Rebasing › Abort",
            "Rebasing › Interactive",
            "Virtual environments › Create"
        ]
    );
    let hrefs: Vec<_> = basics
        .select(&sel("#cg-backlinks a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        hrefs,
        [
            "/git/rebase/#abort",
            "/git/rebase/#interactive",
            "/python/venv/#create"
        ]
    );
    let inbound =
        |doc: &scraper::Html, id: &str| texts(doc, &format!("#{id} .inbound")).first().cloned();
    assert_eq!(
        inbound(&basics, "commit").as_deref(),
        Some("← 1"),
        "self links do not count"
    );
    assert_eq!(inbound(&basics, "undo-a-commit").as_deref(), Some("← 3"));
    let rebase = site.page("git/rebase/index.html");
    assert_eq!(
        texts(&rebase, "#cg-backlinks li"),
        [
            "Virtual environments › Activate",
            "Virtual environments › Create"
        ]
    );
    assert_eq!(inbound(&rebase, "abort").as_deref(), Some("← 1"));
    assert_eq!(inbound(&rebase, "interactive"), None);
    let venv = site.page("python/venv/index.html");
    assert!(
        venv.select(&sel("#cg-backlinks")).next().is_none(),
        "the home intro is not a card"
    );
}

#[test]
fn tags_categories_and_navigation() {
    let site = Site::fixture("crosslinks");
    site.build_ok(&[]);
    let tags = site.page("tags/index.html");
    assert_eq!(
        texts(&tags, ".tag-cloud a"),
        ["git", "python", "tooling", "vcs"]
    );
    let git = site.page("tags/git/index.html");
    assert_eq!(
        texts(&git, ".tag-sheets > li > a"),
        ["Git basics", "Rebasing"]
    );
    assert_eq!(
        texts(&git, ".card-links a"),
        ["Commit", "Undo a commit", "Interactive", "Abort"]
    );
    let vcs = site.page("tags/vcs/index.html");
    assert_eq!(texts(&vcs, ".tag-sheets > li > a"), ["Git basics"]);

    let tools = site.page("categories/tools/index.html");
    assert_eq!(texts(&tools, ".sheet-list a"), ["Git basics", "Rebasing"]);
    let python = site.page("categories/python/index.html");
    assert_eq!(texts(&python, ".sheet-list a"), ["Virtual environments"]);
    let home = site.page("index.html");
    assert_eq!(texts(&home, ".category h2"), ["Python", "Tools"]);
    assert_eq!(texts(&home, ".tag-cloud a").len(), 4);

    let basics = site.page("git/basics/index.html");
    assert_eq!(texts(&basics, "#cg-related .sheet-list a"), ["Rebasing"]);
    assert_eq!(texts(&basics, "a[rel=next]"), ["Rebasing →"]);
    assert!(basics.select(&sel("a[rel=prev]")).next().is_none());
    assert_eq!(texts(&basics, ".sheet-head .tags a"), ["git", "vcs"]);
    assert_eq!(
        texts(&basics, ".cg-toc a"),
        ["Everyday", "Commit", "Undo a commit"]
    );
    let venv = site.page("python/venv/index.html");
    assert!(venv.select(&sel("#cg-related")).next().is_none());
    assert_eq!(texts(&venv, ".cg-crumbs a"), ["Home", "Python"]);
}

#[test]
fn note_at_a_generated_url_is_reported() {
    let site = Site::fixture("crosslinks");
    site.write("content/tags/git.md", "# Mine\n");
    let (_, stderr) = site.build(&[]);
    assert!(
        stderr.contains("content/tags/git.md:1:1: warning: /tags/git/ is taken"),
        "{stderr}"
    );
}
