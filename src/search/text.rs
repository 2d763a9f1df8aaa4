//! Rendered card HTML → the plain text a search entry needs: prose, inline code and code
//! blocks, kept apart because they rank differently. Works on our own renderer's output
//! (well-formed, entity-escaped), so a small scanner is enough.

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CardText {
    pub prose: String,
    /// Inline `<code>` spans, space-separated.
    pub inline_code: String,
    /// Each code block's text with its language label.
    pub blocks: Vec<(String, String)>,
    /// Prose with its inline code in place, for excerpts (`:wq` Save and close file).
    pub display: String,
}

/// Extracts text from card body HTML.
pub fn extract(html: &str) -> CardText {
    let mut out = CardText::default();
    let mut rest = html;
    // Where the text currently goes.
    enum Sink {
        Prose,
        Inline,
        Block,
        Skip,
    }
    let mut sink = Sink::Prose;
    let mut block = String::new();
    let mut lang = String::new();
    let mut depth_pre = 0;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').map_or(after.len(), |i| i + 1);
            let tag = &after[..end.saturating_sub(1)];
            rest = &after[end.min(after.len())..];
            let bare = tag.trim_start_matches('/');
            let name_len = bare.bytes().take_while(u8::is_ascii_alphanumeric).count();
            let name = &bare[..name_len];
            let closing = tag.starts_with('/');
            match (name, closing) {
                ("pre", false) => {
                    depth_pre += 1;
                    sink = Sink::Block;
                }
                ("pre", true) => {
                    depth_pre -= 1;
                    if depth_pre == 0 {
                        out.blocks
                            .push((std::mem::take(&mut lang), std::mem::take(&mut block)));
                        sink = Sink::Prose;
                    }
                }
                ("code", false) if depth_pre == 0 => {
                    sink = Sink::Inline;
                    out.display.push(' ');
                }
                ("code", true) if depth_pre == 0 => {
                    out.inline_code.push(' ');
                    out.display.push(' ');
                    sink = Sink::Prose;
                }
                ("span", false) if tag.contains("class=\"code-lang\"") => sink = Sink::Skip,
                ("button", false) => sink = Sink::Skip,
                ("span", true) | ("button", true) if matches!(sink, Sink::Skip) => {
                    sink = Sink::Prose;
                }
                ("div", false) if tag.contains("class=\"code\"") => {
                    if let Some(l) = attr(tag, "data-lang") {
                        lang = l.to_string();
                    }
                }
                // Block-level boundaries separate words.
                (
                    "p" | "li" | "br" | "td" | "th" | "tr" | "h3" | "h4" | "h5" | "h6" | "div"
                    | "blockquote",
                    _,
                ) if matches!(sink, Sink::Prose) && !out.prose.ends_with(' ') => {
                    out.prose.push(' ');
                    out.display.push(' ');
                }
                _ => {}
            }
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..next];
        rest = &rest[next..];
        let target = match sink {
            Sink::Prose => &mut out.prose,
            Sink::Inline => &mut out.inline_code,
            Sink::Block => &mut block,
            Sink::Skip => continue,
        };
        let text = crate::note::sanitize::decode_entities(text);
        target.push_str(&text);
        if matches!(sink, Sink::Prose | Sink::Inline) {
            out.display.push_str(&text);
        }
    }
    let squeeze = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    out.prose = squeeze(&out.prose);
    out.inline_code = squeeze(&out.inline_code);
    out.display = squeeze(&out.display);
    out
}

fn attr<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_prose_inline_and_blocks() {
        let html = "<p>Use <code>functools.wraps</code> &amp; more.</p>\n<div class=\"code\" data-lang=\"python\"><div class=\"code-bar\"><span class=\"code-lang\">python</span><button type=\"button\" class=\"copy\" hidden>Copy</button></div><pre class=\"hl\"><code><span class=\"k\">import</span> x\nprint(&quot;&lt;a&gt;&quot;)\n</code></pre></div>\n<ul><li>one</li><li>two</li></ul>";
        let t = extract(html);
        assert_eq!(t.prose, "Use & more. one two");
        assert_eq!(t.inline_code, "functools.wraps");
        assert_eq!(t.display, "Use functools.wraps & more. one two");
        assert_eq!(
            t.blocks,
            [(
                "python".to_string(),
                "import x\nprint(\"<a>\")\n".to_string()
            )]
        );
    }
}
