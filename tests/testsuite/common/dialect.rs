//! The "no dialect leaks" check (issue 12): text a reader sees on a page, outside
//! `pre`/`code`, never shows attribute lists, Liquid tags, the tag text of a paired
//! element, or a line starting with `|` (a table that did not become one).

use scraper::{ElementRef, Html, Node};

/// Every leak on the page, as a short description with the offending text.
pub fn dialect_leaks(doc: &Html) -> Vec<String> {
    let mut text = Vec::new();
    visible_text(doc.root_element(), &mut text);
    let mut leaks = Vec::new();
    for t in &text {
        for marker in ["{:", "{.", "{%", "%}"] {
            if t.contains(marker) {
                leaks.push(format!("{marker:?} in {t:?}"));
            }
        }
        for line in t.lines() {
            if line.trim_start().starts_with('|') {
                leaks.push(format!("table row as text: {line:?}"));
            }
        }
    }
    // `<name>` … `</name>` both shown as text: a paired element printed literally.
    let all = text.join("\n");
    for (i, _) in all.match_indices("</") {
        let name: String = all[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if !name.is_empty()
            && all[i + 2 + name.len()..].starts_with('>')
            && all[..i].contains(&format!("<{name}>"))
        {
            leaks.push(format!("paired tag text <{name}>…</{name}>"));
        }
    }
    leaks
}

fn visible_text(el: ElementRef, out: &mut Vec<String>) {
    if matches!(
        el.value().name(),
        "pre" | "code" | "script" | "style" | "template" | "head" | "noscript"
    ) {
        return;
    }
    for child in el.children() {
        match child.value() {
            Node::Text(t) if !t.trim().is_empty() => out.push(t.to_string()),
            Node::Element(_) => {
                if let Some(e) = ElementRef::wrap(child) {
                    visible_text(e, out);
                }
            }
            _ => {}
        }
    }
}
