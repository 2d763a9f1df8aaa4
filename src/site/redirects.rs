//! Redirect stubs (Jekyll `redirect_to:`): a note whose front matter says where it moved
//! becomes a small page with a meta refresh, a canonical link and a plain link, and is left
//! out of listings, search and the sitemap (it is not a sheet).

use crate::note::highlight::escape;
use crate::note::markdown::is_external;
use crate::note::sanitize::is_dangerous_url;
use crate::note::RenderedNote;

#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// Output file, `old/index.html`.
    pub output_path: String,
    /// Where it goes: an absolute URL, or a path already under the site's base path.
    pub target: String,
    pub title: String,
}

impl Redirect {
    /// The stub for `note` (whose own URL is `url`); `None` for a target that could run
    /// script (`javascript:` …), which is never followed.
    pub fn new(note: &RenderedNote, url: &str, base_path: &str) -> Option<Redirect> {
        let raw = note.front_matter.redirect_to.as_deref()?.trim();
        if raw.is_empty() || is_dangerous_url(raw) || url.is_empty() {
            return None;
        }
        let target = if is_external(raw) {
            raw.to_string()
        } else if let Some(path) = raw.strip_prefix('/') {
            // Site-absolute: under the base path (`/react` on `/repo/` → `/repo/react`).
            if raw.starts_with(base_path) && base_path != "/" {
                raw.to_string()
            } else {
                format!("{base_path}{path}")
            }
        } else {
            raw.to_string()
        };
        Some(Redirect {
            output_path: format!("{}index.html", &note.url_path),
            target,
            title: note.sheet.title.clone(),
        })
    }

    pub fn html(&self) -> String {
        let target = escape(&self.target);
        let title = escape(&self.title);
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} (moved)</title>\n<link rel=\"canonical\" href=\"{target}\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n<meta name=\"robots\" content=\"noindex\">\n</head>\n<body>\n<p>{title} has moved to <a href=\"{target}\">{target}</a>.</p>\n</body>\n</html>\n"
        )
    }
}

/// Output files of every redirect stub.
pub fn files(model: &crate::site::SiteModel) -> Vec<(String, Vec<u8>)> {
    model
        .redirects
        .iter()
        .map(|r| (r.output_path.clone(), r.html().into_bytes()))
        .collect()
}
