//! Machine-readable site files for hosting: `sitemap.xml`, `robots.txt`, the Atom feed of
//! recently updated sheets (`atom.xml`) and GitHub Pages' `CNAME`. Sitemap and feed need
//! absolute URLs, so they are written only when `base_url` is absolute. Over 50,000 URLs
//! the sitemap becomes a sitemap index with numbered parts, as the protocol requires.

use crate::config::{Config, SiteUrl};
use crate::site::{SheetPage, SiteModel};

/// How many sheets the feed lists.
const FEED_ENTRIES: usize = 30;
pub const FEED_FILE: &str = "atom.xml";

/// Every generated file: (output path, bytes).
pub fn files(model: &SiteModel, url: &SiteUrl, config: &Config) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if url.absolute.is_some() {
        out.extend(sitemaps(model, url));
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

/// Most URLs one sitemap file may hold (sitemaps.org protocol); more go into numbered
/// files `sitemap-1.xml`, `sitemap-2.xml`, … listed by a sitemap index at `sitemap.xml`.
const SITEMAP_MAX_URLS: usize = 50_000;

/// The sitemap files: `sitemap.xml` alone, or a sitemap index plus its parts.
fn sitemaps(model: &SiteModel, url: &SiteUrl) -> Vec<(String, Vec<u8>)> {
    let mut urls: Vec<(&str, Option<String>)> = vec![(url.base_path.as_str(), None)];
    urls.extend(model.sections.iter().map(|s| (s.url.as_str(), None)));
    urls.extend(
        model
            .sheets
            .iter()
            .map(|s| (s.url.as_str(), stamp(s).map(|d| d[..10].to_string()))),
    );
    urls.sort();
    let entries: Vec<String> = urls
        .into_iter()
        .filter_map(|(u, lastmod)| {
            let abs = url.absolute_url(u)?;
            let mut e = format!("<url><loc>{}</loc>", xml_text(&abs));
            if let Some(d) = lastmod {
                e.push_str(&format!("<lastmod>{}</lastmod>", xml_text(&d)));
            }
            e.push_str("</url>\n");
            Some(e)
        })
        .collect();
    split_sitemap(&entries, SITEMAP_MAX_URLS, |name| {
        url.absolute_url(&format!("{}{name}", url.base_path))
    })
}

/// `sitemap.xml` with every entry when they fit in `max`, else a sitemap index at
/// `sitemap.xml` and `sitemap-N.xml` parts of at most `max` entries each.
fn split_sitemap(
    entries: &[String],
    max: usize,
    absolute: impl Fn(&str) -> Option<String>,
) -> Vec<(String, Vec<u8>)> {
    const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    const NS: &str = "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
    let urlset = |part: &[String]| {
        let mut xml = format!("{HEAD}<urlset {NS}>\n");
        part.iter().for_each(|e| xml.push_str(e));
        xml.push_str("</urlset>\n");
        xml.into_bytes()
    };
    if entries.len() <= max {
        return vec![("sitemap.xml".into(), urlset(entries))];
    }
    let mut files = Vec::new();
    let mut index = format!("{HEAD}<sitemapindex {NS}>\n");
    for (i, part) in entries.chunks(max.max(1)).enumerate() {
        let name = format!("sitemap-{}.xml", i + 1);
        if let Some(loc) = absolute(&name) {
            index.push_str(&format!(
                "<sitemap><loc>{}</loc></sitemap>\n",
                xml_text(&loc)
            ));
        }
        files.push((name, urlset(part)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index.into_bytes()));
    files
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
    crate::note::frontmatter::parse_date(raw)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("<url><loc>https://x.test/s{i}/</loc></url>\n"))
            .collect()
    }

    fn abs(name: &str) -> Option<String> {
        Some(format!("https://x.test/{name}"))
    }

    fn text(f: &(String, Vec<u8>)) -> &str {
        std::str::from_utf8(&f.1).unwrap()
    }

    #[test]
    fn one_sitemap_up_to_the_limit() {
        let files = split_sitemap(&entries(3), 3, abs);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        let xml = text(&files[0]);
        assert!(xml.contains("<urlset "), "{xml}");
        assert_eq!(xml.matches("<url>").count(), 3);
        roxmltree::Document::parse(xml).unwrap();
    }

    #[test]
    fn index_with_parts_over_the_limit() {
        let files = split_sitemap(&entries(7), 3, abs);
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        let index = roxmltree::Document::parse(text(&files[0])).unwrap();
        assert_eq!(index.root_element().tag_name().name(), "sitemapindex");
        let locs: Vec<&str> = index
            .descendants()
            .filter(|n| n.has_tag_name("loc"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(
            locs,
            [
                "https://x.test/sitemap-1.xml",
                "https://x.test/sitemap-2.xml",
                "https://x.test/sitemap-3.xml"
            ]
        );
        let per_part: Vec<usize> = files[1..]
            .iter()
            .map(|f| text(f).matches("<url>").count())
            .collect();
        assert_eq!(per_part, [3, 3, 1], "every URL once, none over the limit");
        for f in &files[1..] {
            roxmltree::Document::parse(text(f)).unwrap();
        }
    }
}
