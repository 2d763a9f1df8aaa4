//! Unit tests of front matter parsing.

use super::*;

#[test]
fn no_front_matter() {
    let s = split("# Title\n").unwrap();
    assert_eq!(s.body, "# Title\n");
    assert_eq!(s.body_line, 1);
}

#[test]
fn full_front_matter() {
    let text = "---\ntitle: Git\ntags: a, b\nkeywords: [x, 2]\nweight: 3\nicon: git\n---\nBody\n";
    let s = split(text).unwrap();
    let fm = s.front_matter;
    assert_eq!(fm.title.as_deref(), Some("Git"));
    assert_eq!(fm.tags, vec!["a", "b"]);
    assert_eq!(fm.keywords, vec!["x", "2"]);
    assert_eq!(fm.weight, Some(3));
    assert_eq!(fm.extra["icon"], serde_json::json!("git"));
    assert_eq!(s.body, "Body\n");
    assert_eq!(s.body_line, 8);
}

#[test]
fn crlf_front_matter() {
    let s = split("---\r\ntitle: A\r\n---\r\nBody").unwrap();
    assert_eq!(s.front_matter.title.as_deref(), Some("A"));
    assert_eq!(s.body, "Body");
}

#[test]
fn bad_yaml_has_file_line() {
    let e = split("---\ntitle: ok\ntags: [a, b\n---\n").unwrap_err();
    assert!(e.pos.line >= 3, "{e:?}");
    assert!(e.message.contains("invalid YAML"));
}

#[test]
fn wrong_type_is_a_warning_naming_key_line() {
    let s = split("---\ntitle: ok\ndraft: maybe\ntags:\n  - a\n  -\n---\n").unwrap();
    let w = &s.warnings[0];
    assert_eq!(w.pos, Pos::new(3, 1));
    assert!(w.message.contains("`draft`") && w.message.ends_with("field ignored"));
    assert_eq!(s.front_matter.title.as_deref(), Some("ok"));
    assert_eq!(s.front_matter.tags, ["a"]);
}

#[test]
fn jekyll_keys() {
    let s = split("---\ncategories: [React, JS]\nintro: |\n  Hi *there*\n---\n").unwrap();
    assert_eq!(s.front_matter.category.as_deref(), Some("React"));
    assert_eq!(s.front_matter.categories, ["JS"]);
    assert_eq!(s.front_matter.intro.as_deref(), Some("Hi *there*"));
}

#[test]
fn not_a_mapping() {
    let e = split("---\n- a\n- b\n---\n").unwrap_err();
    assert!(e.message.contains("mapping"));
}

#[test]
fn unterminated() {
    let e = split("---\ntitle: x\n\n# Body\n").unwrap_err();
    assert_eq!(e.pos, Pos::new(1, 1));
    assert!(e.message.contains("closing"));
}
