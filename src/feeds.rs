//! Machine-readable site files for hosting: `sitemap.xml`, `robots.txt`, the Atom feed of
//! recently updated sheets (`atom.xml`) and GitHub Pages' `CNAME`. Sitemap and feed need
//! absolute URLs, so they are written only when `base_url` is absolute.

use crate::config::{Config, SiteUrl};
use crate::site::{SheetPage, SiteModel};

/// How many sheets the feed lists.
const FEED_ENTRIES: usize = 30;
pub const FEED_FILE: &str = "atom.xml";

/// Every generated file: (output path, bytes).
pub fn files(model: &SiteModel, url: &SiteUrl, config: &Config) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if url.absolute.is_some() {
        out.push(("sitemap.xml".into(), sitemap(model, url).into_bytes()));
        if let Some(feed) = feed(model, url, config) {
            out.push((FEED_FILE.into(), feed.into_bytes()));
        }
    }
    out.push(("robots.txt".into(), robots(url).into_bytes()));
    let cname = config.cname.trim();
    if !cname.is_empty() {
        out.push(("CNAME".into(), format!("{cname}\n").into_bytes()));
    }
    out
}

/// Does the site get a feed (some sheet has a `date` or `updated`, and URLs are absolute)?
pub fn has_feed(model: &SiteModel, url: &SiteUrl) -> bool {
    url.absolute.is_some() && model.sheets.iter().any(|s| stamp(s).is_some())
}

fn sitemap(model: &SiteModel, url: &SiteUrl) -> String {
    let mut urls: Vec<(&str, Option<String>)> = vec![(url.base_path.as_str(), None)];
    urls.extend(model.sections.iter().map(|s| (s.url.as_str(), None)));
    urls.extend(
        model
            .sheets
            .iter()
            .map(|s| (s.url.as_str(), stamp(s).map(|d| d[..10].to_string()))),
    );
    urls.sort();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (u, lastmod) in urls {
        if let Some(abs) = url.absolute_url(u) {
            xml.push_str("  <url><loc>");
            xml.push_str(&xml_text(&abs));
            xml.push_str("</loc>");
            if let Some(d) = lastmod {
                xml.push_str("<lastmod>");
                xml.push_str(&xml_text(&d));
                xml.push_str("</lastmod>");
            }
            xml.push_str("</url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    xml
}

/// `s` as XML character data or attribute value: markup characters escaped, and characters
/// XML 1.0 does not allow at all (C0 controls but tab and newlines, U+FFFE/U+FFFF) replaced
/// by U+FFFD so one odd title cannot make the whole file ill-formed.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn robots(url: &SiteUrl) -> String {
    let mut s = String::from("User-agent: *\nAllow: /\n");
    if let Some(abs) = url.absolute_url(&format!("{}sitemap.xml", url.base_path)) {
        s.push_str(&format!("Sitemap: {abs}\n"));
    }
    s
}

/// RFC 3339 timestamp of a sheet's `updated`, else `date` (`2026-01-02` → midnight UTC).
/// Front matter already dropped dates that do not parse (with a warning).
fn stamp(s: &SheetPage) -> Option<String> {
    let raw = s.updated.as_deref().or(s.date.as_deref())?;
    crate::frontmatter::parse_date(raw)
}

fn feed(model: &SiteModel, url: &SiteUrl, config: &Config) -> Option<String> {
    let mut dated: Vec<(String, &SheetPage)> = model
        .sheets
        .iter()
        .filter_map(|s| Some((stamp(s)?, s)))
        .collect();
    if dated.is_empty() {
        return None;
    }
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.url.cmp(&b.1.url)));
    dated.truncate(FEED_ENTRIES);
    let home = url.absolute.clone()?;
    let self_url = url.absolute_url(&format!("{}{FEED_FILE}", url.base_path))?;
    let author = if config.author.trim().is_empty() {
        &config.title
    } else {
        &config.author
    };
    let text = xml_text;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!("  <title>{}</title>\n", text(&config.title)));
    if !config.description.is_empty() {
        xml.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            text(&config.description)
        ));
    }
    xml.push_str(&format!(
        "  <link href=\"{}\" rel=\"self\"/>\n  <link href=\"{}\"/>\n",
        text(&self_url),
        text(&home)
    ));
    xml.push_str(&format!(
        "  <id>{}</id>\n  <updated>{}</updated>\n",
        text(&home),
        text(&dated[0].0)
    ));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        text(if author.is_empty() {
            "cheatgen"
        } else {
            author
        })
    ));
    for (when, s) in dated {
        let link = url.absolute_url(&s.url)?;
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <title>{}</title>\n", text(&s.title)));
        xml.push_str(&format!(
            "    <link href=\"{}\"/>\n    <id>{}</id>\n",
            text(&link),
            text(&link)
        ));
        xml.push_str(&format!("    <updated>{}</updated>\n", text(&when)));
        let summary = if s.description.is_empty() {
            format!("{} cards", s.sheet.card_count)
        } else {
            s.description.clone()
        };
        xml.push_str(&format!("    <summary>{}</summary>\n", text(&summary)));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    Some(xml)
}
