//! The theme: Tera templates and static files, embedded default theme (so the binary works
//! anywhere) overlaid file by file with the site's own `themes/<name>/`.
//!
//! Static files get content-hashed names (`assets/style.1a2b3c4d.css`) so they can be cached
//! forever; templates look them up by logical name in `site.assets`.

use crate::error::{Error, Result};
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::Path;
use tera::{Context, Tera};
use walkdir::WalkDir;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// Templates every theme must provide (after overlaying on the default theme they always exist).
pub const REQUIRED: &[&str] = &[
    "base.html",
    "index.html",
    "sheet.html",
    "section.html",
    "404.html",
];

/// All files of the theme by path inside the theme dir (`templates/base.html`, `static/app.js`).
#[derive(Debug, Clone, Default)]
pub struct Theme {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded default theme overlaid with `<root>/themes/<name>/` if present.
    pub fn load(root: &Path, name: &str) -> Result<Theme> {
        let mut files = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut files);
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            for entry in WalkDir::new(&dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(|e| e.ok())
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(rel) = entry.path().strip_prefix(&dir) else {
                    continue;
                };
                let rel = rel.to_string_lossy().replace('\\', "/");
                if rel.split('/').any(|s| s.starts_with('.')) {
                    continue;
                }
                let bytes = std::fs::read(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
                files.insert(rel, bytes);
            }
        } else if name != "default" {
            return Err(Error::ThemeNotFound {
                name: name.into(),
                path: dir,
            });
        }
        Ok(Theme { files })
    }

    pub fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("static/").map(|rel| (rel, v.as_slice())))
    }
}

fn collect_embedded(dir: &Dir<'static>, out: &mut BTreeMap<String, Vec<u8>>) {
    for f in dir.files() {
        out.insert(
            f.path().to_string_lossy().replace('\\', "/"),
            f.contents().to_vec(),
        );
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn new(theme: &Theme) -> Result<Templates> {
        let mut tera = Tera::default();
        // Tera's default escaper also turns `/` into `&#x2F;`, bloating every URL; the
        // five characters below are all HTML needs in text and quoted attributes.
        tera.set_escape_fn(crate::note::highlight::escape);
        let mut sources = Vec::new();
        for (path, bytes) in &theme.files {
            let Some(name) = path.strip_prefix("templates/") else {
                continue;
            };
            let text = String::from_utf8(bytes.clone()).map_err(|_| Error::Template {
                name: name.into(),
                message: "template is not valid UTF-8".into(),
            })?;
            sources.push((name.to_string(), text));
        }
        tera.add_raw_templates(sources)
            .map_err(|e| template_error("theme", &e))?;
        for name in REQUIRED {
            if !tera.get_template_names().any(|n| n == *name) {
                return Err(Error::Template {
                    name: (*name).into(),
                    message: "required template is missing".into(),
                });
            }
        }
        Ok(Templates { tera })
    }

    pub fn render(&self, name: &str, ctx: &Context) -> Result<String> {
        self.tera
            .render(name, ctx)
            .map_err(|e| template_error(name, &e))
    }
}

/// Tera nests the useful part (line, column, missing variable) in its source chain.
fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let name = match &e.kind {
        tera::ErrorKind::Msg(m) => m.split('\'').nth(1).unwrap_or(name).to_string(),
        _ => name.to_string(),
    };
    Error::Template { name, message }
}

/// Content-hashed static assets: output files and the logical name → URL map.
#[derive(Debug, Default, Clone)]
pub struct Assets {
    pub urls: BTreeMap<String, String>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Assets {
    pub fn add(&mut self, name: &str, bytes: Vec<u8>, base_path: &str) {
        let hash = blake3::hash(&bytes).to_hex();
        let short = &hash.as_str()[..10];
        let hashed = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{short}.{ext}"),
            _ => format!("{name}.{short}"),
        };
        let out = format!("assets/{hashed}");
        self.urls
            .insert(name.to_string(), format!("{base_path}{out}"));
        self.files.push((out, bytes));
    }
}
