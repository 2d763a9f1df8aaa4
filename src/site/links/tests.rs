//! Unit tests of link resolution.

use super::*;
use crate::diagnostics::Pos;
use crate::note::cards::{Anchor, Sheet};

fn sheet(title: &str, ids: &[(&str, &str)]) -> Sheet {
    Sheet {
        title: title.into(),
        intro_html: String::new(),
        groups: Vec::new(),
        card_count: 0,
        anchors: ids
            .iter()
            .map(|(id, t)| Anchor {
                id: id.to_string(),
                title: t.to_string(),
            })
            .collect(),
    }
}

struct Fixture {
    sheets: Vec<Sheet>,
    aliases: Vec<String>,
    assets: HashSet<String>,
}

fn fixture() -> Fixture {
    Fixture {
        sheets: vec![
            sheet("Alpha", &[("card", "Card")]),
            sheet(
                "Beta",
                &[("usage", "Usage"), ("undo-a-commit", "Undo a commit")],
            ),
            sheet("Dir", &[]),
            sheet("Beta", &[]),
        ],
        aliases: vec!["b-alias".into()],
        assets: HashSet::from(["img/x y.png".to_string()]),
    }
}

fn targets(f: &Fixture) -> LinkTargets<'_> {
    let paths = [
        ("a.md", "a/"),
        ("dir/b.md", "dir/b/"),
        ("dir/index.md", "dir/"),
        ("other/b2.md", "other/b2/"),
    ];
    let notes = paths
        .iter()
        .zip(&f.sheets)
        .enumerate()
        .map(|(i, ((rel, url), sheet))| LinkNote {
            rel_path: rel,
            display_path: rel,
            url_path: url,
            aliases: if i == 1 { &f.aliases } else { &[] },
            sheet,
        })
        .collect();
    LinkTargets::new(
        notes,
        HashSet::from(["dir".to_string()]),
        &f.assets,
        "/sub/",
    )
}

fn link(dest: &str, wiki: bool) -> LinkRef {
    LinkRef {
        dest: dest.into(),
        kind: LinkKind::Url,
        wiki,
        pos: Pos::new(1, 1),
    }
}

fn url(t: &LinkTargets, from: usize, dest: &str, wiki: bool) -> String {
    match t.resolve(from, &link(dest, wiki)) {
        Target::Url { url, .. } => url,
        Target::Broken { message, .. } => format!("BROKEN {message}"),
    }
}

fn code(t: &LinkTargets, from: usize, dest: &str, wiki: bool) -> &'static str {
    match t.resolve(from, &link(dest, wiki)) {
        Target::Url { .. } => "ok",
        Target::Broken { code, .. } => code,
    }
}

#[test]
fn resolves_path_forms() {
    let f = fixture();
    let t = targets(&f);
    assert_eq!(url(&t, 1, "../a.md", false), "/sub/a/");
    assert_eq!(url(&t, 0, "dir/b.md#usage", false), "/sub/dir/b/#usage");
    assert_eq!(url(&t, 0, "dir/b", false), "/sub/dir/b/");
    assert_eq!(url(&t, 1, "/a", false), "/sub/a/");
    assert_eq!(url(&t, 0, "dir/", false), "/sub/dir/");
    assert_eq!(url(&t, 0, "img/x%20y.png", false), "/sub/img/x%20y.png");
    assert_eq!(url(&t, 0, "#card", false), "#card");
    assert_eq!(code(&t, 0, "missing.md", false), "broken-link");
    assert_eq!(
        code(&t, 0, "../.vscode/launch.json", false),
        "outside-content"
    );
    assert_eq!(code(&t, 0, "dir/b.md#nope", false), "broken-anchor");
    assert_eq!(code(&t, 0, "#nope", false), "broken-anchor");
}

#[test]
fn resolves_wikilinks() {
    let f = fixture();
    let t = targets(&f);
    assert_eq!(url(&t, 1, "alpha", true), "/sub/a/");
    assert_eq!(url(&t, 1, "A", true), "/sub/a/");
    assert_eq!(
        url(&t, 0, "B-Alias#Undo a commit", true),
        "/sub/dir/b/#undo-a-commit"
    );
    assert_eq!(url(&t, 0, "dir/b#usage", true), "/sub/dir/b/#usage");
    assert_eq!(url(&t, 0, "#Card", true), "#card");
    assert_eq!(url(&t, 0, "b2", true), "/sub/other/b2/");
    assert_eq!(code(&t, 0, "Beta", true), "ambiguous-link");
    assert!(url(&t, 0, "Beta", true).contains("dir/b.md, other/b2.md"));
    assert_eq!(code(&t, 0, "Gamma", true), "broken-link");
    assert_eq!(code(&t, 0, "b-alias#Nothing", true), "broken-anchor");
}

#[test]
fn broken_anchor_suggests_close_id() {
    let f = fixture();
    let t = targets(&f);
    let msg = url(&t, 0, "dir/b.md#usge", false);
    assert!(msg.contains("did you mean #usage?"), "{msg}");
}

#[test]
fn records_links_between_notes() {
    let f = fixture();
    let t = targets(&f);
    let (mut diags, mut resolved) = (Vec::new(), Vec::new());
    let links = [link("dir/b.md#usage", false), link("nope.md", false)];
    let out = t.replacements(0, &links, &mut diags, &mut resolved);
    assert_eq!(out.len(), 2);
    assert_eq!(diags.len(), 1);
    assert_eq!(resolved[0].to, 1);
    assert_eq!(resolved[0].anchor.as_deref(), Some("usage"));
}

#[test]
fn substitutes_placeholders() {
    let html = "x \u{1}A0\u{1}t</a> <img src=\"\u{1}U1\u{1}\">";
    assert_eq!(
        substitute(html, &["<a href=\"/a/\">".into(), "/i.png".into()]),
        "x <a href=\"/a/\">t</a> <img src=\"/i.png\">"
    );
}
