//! Site pass: tags and categories. Builds the `/tags/` index, one listing per tag and per
//! category, and for every sheet its tag links, "related sheets" (most shared tags) and
//! prev/next neighbours within its category. Listings stay small at any site size: sheet
//! titles and card counts (a tag page's card links collapsed under each sheet), paginated
//! at [`PER_PAGE`] sheets: `tags/git/`, `tags/git/page/2/`, ….

use crate::output::site_path::{Segment, SitePath};
use crate::site::{Crumb, SheetPage, SheetSummary};
use crate::slug::IdAllocator;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many related sheets a sheet shows.
const RELATED: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagLink {
    pub name: String,
    pub url: String,
    pub count: usize,
}

/// Sheets per listing page (tag and category pages): about 50 KB of HTML for a tag page
/// of sheets with 8 cards each.
pub const PER_PAGE: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagSheet {
    #[serde(flatten)]
    pub sheet: SheetSummary,
    /// The sheet's cards, as links to their anchors.
    pub cards: Vec<Crumb>,
}

/// Where a listing page sits among its pages (absent when everything fits on one).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pager {
    /// 1-based.
    pub current: usize,
    pub total: usize,
    pub first_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub last_url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagPage {
    pub name: String,
    pub url: String,
    #[serde(skip)]
    pub output_path: SitePath,
    /// All the tag's sheets in the model; one page's share in a page from [`TagPage::pages`].
    pub sheets: Vec<TagSheet>,
    /// Sheets and cards under the tag (all pages).
    pub sheet_count: usize,
    pub card_count: usize,
    pub pager: Option<Pager>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    pub name: String,
    pub id: String,
    pub url: String,
    #[serde(skip)]
    pub output_path: SitePath,
    /// All the category's sheets in the model; one page's share in a page from
    /// [`Category::pages`].
    pub sheets: Vec<SheetSummary>,
    pub sheet_count: usize,
    pub pager: Option<Pager>,
}

impl TagPage {
    /// The listing pages of this tag, [`PER_PAGE`] sheets each.
    pub fn pages(&self) -> Vec<TagPage> {
        paginate(
            &self.sheets,
            &self.url,
            &self.output_path,
            |sheets, url, path, pager| TagPage {
                sheets,
                url,
                output_path: path,
                pager,
                ..self.clone_empty()
            },
        )
    }

    fn clone_empty(&self) -> TagPage {
        TagPage {
            name: self.name.clone(),
            url: String::new(),
            output_path: self.output_path.clone(),
            sheets: Vec::new(),
            sheet_count: self.sheet_count,
            card_count: self.card_count,
            pager: None,
        }
    }
}

impl Category {
    /// The listing pages of this category, [`PER_PAGE`] sheets each.
    pub fn pages(&self) -> Vec<Category> {
        paginate(
            &self.sheets,
            &self.url,
            &self.output_path,
            |sheets, url, path, pager| Category {
                name: self.name.clone(),
                id: self.id.clone(),
                url,
                output_path: path,
                sheets,
                sheet_count: self.sheet_count,
                pager,
            },
        )
    }
}

/// Splits `sheets` into pages: the first at `url` / `first_path`, page n at `url` +
/// `page/n/`. A page whose path is not valid is left out (cannot happen for the paths
/// built here, whose first page is valid).
fn paginate<S: Clone, T>(
    sheets: &[S],
    url: &str,
    first_path: &SitePath,
    make: impl Fn(Vec<S>, String, SitePath, Option<Pager>) -> T,
) -> Vec<T> {
    let total = sheets.len().div_ceil(PER_PAGE).max(1);
    let page_url = |n: usize| match n {
        1 => url.to_string(),
        n => format!("{url}page/{n}/"),
    };
    let dir = first_path.as_str().trim_end_matches("index.html");
    (1..=total)
        .filter_map(|n| {
            let path = match n {
                1 => first_path.clone(),
                n => SitePath::index_page(&format!("{dir}page/{n}/")).ok()?,
            };
            let pager = (total > 1).then(|| Pager {
                current: n,
                total,
                first_url: page_url(1),
                prev_url: (n > 1).then(|| page_url(n - 1)),
                next_url: (n < total).then(|| page_url(n + 1)),
                last_url: page_url(total),
            });
            let chunk = sheets
                .iter()
                .skip((n - 1) * PER_PAGE)
                .take(PER_PAGE)
                .cloned()
                .collect();
            Some(make(chunk, page_url(n), path, pager))
        })
        .collect()
}

/// Per-sheet navigation computed from tags and categories.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SheetNav {
    pub tags: Vec<TagLink>,
    pub category_url: String,
    pub related: Vec<SheetSummary>,
    pub prev: Option<Crumb>,
    pub next: Option<Crumb>,
}

#[derive(Debug, Default)]
pub struct Taxonomy {
    /// Sorted by name (case-insensitive).
    pub tags: Vec<TagPage>,
    pub categories: Vec<Category>,
    /// Same order as the input sheets.
    pub nav: Vec<SheetNav>,
}

/// `summaries[i]` summarises `sheets[i]`.
pub fn build(sheets: &[SheetPage], summaries: &[SheetSummary], base_path: &str) -> Taxonomy {
    // Tags that slug the same (`Git`, `git`) are one tag, named as first seen.
    let mut tag_names: BTreeMap<String, String> = BTreeMap::new();
    let mut tag_sheets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in sheets.iter().enumerate() {
        for t in &p.tags {
            let Some(slug) = tag_slug(t) else {
                continue;
            };
            tag_names.entry(slug.clone()).or_insert_with(|| t.clone());
            let list = tag_sheets.entry(slug).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let tag_url = |slug: &str| format!("{base_path}tags/{slug}/");
    let by_sort_key = |list: &mut Vec<usize>| {
        list.sort_by(|&a, &b| summaries[a].sort_key.cmp(&summaries[b].sort_key))
    };

    let mut tags: Vec<TagPage> = tag_sheets
        .iter()
        .filter_map(|(slug, list)| {
            let output_path = SitePath::index_page(&format!("tags/{slug}/")).ok()?;
            let mut list = list.clone();
            by_sort_key(&mut list);
            let sheets: Vec<TagSheet> = list
                .iter()
                .map(|&i| TagSheet {
                    sheet: summaries[i].clone(),
                    cards: sheets[i]
                        .sheet
                        .cards()
                        .map(|c| Crumb {
                            title: c.title.clone(),
                            url: format!("{}#{}", sheets[i].url, c.id),
                        })
                        .collect(),
                })
                .collect();
            Some(TagPage {
                name: tag_names[slug].clone(),
                url: tag_url(slug),
                output_path,
                sheet_count: sheets.len(),
                card_count: sheets.iter().map(|s| s.cards.len()).sum(),
                sheets,
                pager: None,
            })
        })
        .collect();
    tags.sort_by(|a, b| (a.name.to_lowercase(), &a.url).cmp(&(b.name.to_lowercase(), &b.url)));

    let mut by_category: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in sheets.iter().enumerate() {
        by_category.entry(p.category.as_str()).or_default().push(i);
    }
    let mut nav: Vec<SheetNav> = vec![SheetNav::default(); sheets.len()];
    let mut categories = Vec::with_capacity(by_category.len());
    let mut ids = IdAllocator::new(&[]);
    for (name, mut list) in by_category {
        by_sort_key(&mut list);
        // A name with no usable characters ("!!!") still gets a page of its own.
        let wanted = Segment::from_label(name).map_or_else(|_| "category".into(), String::from);
        let id = ids.allocate(&wanted);
        let Ok(output_path) = SitePath::index_page(&format!("categories/{id}/")) else {
            continue;
        };
        let url = format!("{base_path}categories/{id}/");
        let crumb = |i: usize| Crumb {
            title: sheets[i].title.clone(),
            url: sheets[i].url.clone(),
        };
        for (pos, &i) in list.iter().enumerate() {
            nav[i].category_url = url.clone();
            nav[i].prev = pos.checked_sub(1).map(|p| crumb(list[p]));
            nav[i].next = list.get(pos + 1).map(|&n| crumb(n));
        }
        categories.push(Category {
            name: name.to_string(),
            output_path,
            id,
            url,
            sheet_count: list.len(),
            sheets: list.iter().map(|&i| summaries[i].clone()).collect(),
            pager: None,
        });
    }

    // Related sheets: most shared tags first, then listing order. Popular tags hold
    // thousands of sheets, so counts live in one reused array and only the top few
    // candidates are fully sorted (integer ranks, no string compares).
    let mut order: Vec<usize> = (0..sheets.len()).collect();
    by_sort_key(&mut order);
    let mut rank = vec![0usize; sheets.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let mut shared = vec![0u32; sheets.len()];
    let mut touched: Vec<usize> = Vec::new();
    for (i, p) in sheets.iter().enumerate() {
        let mut links: Vec<TagLink> = Vec::new();
        for t in &p.tags {
            let Some(slug) = tag_slug(t) else {
                continue;
            };
            let Some(list) = tag_sheets.get(&slug) else {
                continue;
            };
            let url = tag_url(&slug);
            if links.iter().any(|l| l.url == url) {
                continue;
            }
            links.push(TagLink {
                name: t.clone(),
                url,
                count: list.len(),
            });
            for &j in list.iter().filter(|&&j| j != i) {
                if shared[j] == 0 {
                    touched.push(j);
                }
                shared[j] += 1;
            }
        }
        let mut candidates: Vec<(std::cmp::Reverse<u32>, usize, usize)> = touched
            .drain(..)
            .map(|j| {
                (
                    std::cmp::Reverse(std::mem::take(&mut shared[j])),
                    rank[j],
                    j,
                )
            })
            .collect();
        if candidates.len() > RELATED {
            candidates.select_nth_unstable(RELATED);
            candidates.truncate(RELATED);
        }
        candidates.sort_unstable();
        nav[i].tags = links;
        nav[i].related = candidates.iter().map(|c| summaries[c.2].clone()).collect();
    }

    Taxonomy {
        tags,
        categories,
        nav,
    }
}

/// The URL segment of a tag (`C++ Tips` → `c-tips`), capped in length; `None` for a tag
/// with no usable characters.
fn tag_slug(tag: &str) -> Option<String> {
    Segment::from_label(tag).ok().map(String::from)
}

/// The tag cloud: every tag with its sheet count, by name.
pub fn cloud(tags: &[TagPage]) -> Vec<TagLink> {
    tags.iter()
        .map(|t| TagLink {
            name: t.name.clone(),
            url: t.url.clone(),
            count: t.sheet_count,
        })
        .collect()
}
