//! `cheatgen.toml` → `Config`, with defaults for everything (the file is optional).
//!
//! Unknown keys and wrong types are errors naming the key and its `line:col`, because a
//! silently ignored typo (`unsafe_hmtl = true`) is worse than a failed build.

use crate::diagnostics::LineIndex;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "cheatgen.toml";
/// The folder of notes under the site root.
pub const CONTENT_DIR: &str = "content";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Where the site is published, e.g. `https://user.github.io/repo/`, or just a path
    /// (`/repo/`). Every internal URL is prefixed with its path.
    pub base_url: String,
    pub language: String,
    pub theme: String,
    /// Custom domain for GitHub Pages: written to `CNAME`.
    pub cname: String,
    /// Feed author (default: the site title).
    pub author: String,
    pub markdown: MarkdownConfig,
    pub highlight: HighlightConfig,
    pub build: BuildConfig,
    /// Free-form values handed to templates as `config.extra`.
    pub extra: toml::Table,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Pass raw HTML through untouched instead of the safe allow-list.
    pub unsafe_html: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HighlightConfig {
    pub light_theme: String,
    pub dark_theme: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BuildConfig {
    pub output_dir: String,
    /// Globs (relative to `content/`) of files to skip.
    pub ignore: Vec<String>,
    /// Follow symlinks under `content/` whose target is outside it (off: skipped with a
    /// warning). Links into the output directory are never followed.
    pub follow_external_symlinks: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            title: String::new(),
            description: String::new(),
            base_url: String::new(),
            language: "en".into(),
            theme: "default".into(),
            cname: String::new(),
            author: String::new(),
            markdown: MarkdownConfig::default(),
            highlight: HighlightConfig::default(),
            build: BuildConfig::default(),
            extra: toml::Table::new(),
        }
    }
}

impl Default for HighlightConfig {
    fn default() -> Self {
        HighlightConfig {
            light_theme: "GitHub".into(),
            dark_theme: "OneHalfDark".into(),
        }
    }
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            output_dir: "public".into(),
            ignore: Vec::new(),
            follow_external_symlinks: false,
        }
    }
}

impl Config {
    /// Loads `<root>/cheatgen.toml` if present; the title defaults to the root folder name.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let mut config = match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(Error::io(path, e)),
        };
        if config.title.trim().is_empty() {
            config.title = default_title(root);
        }
        Ok(config)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let pos = LineIndex::new(text, 1).pos(e.span().map_or(0, |s| s.start));
            Error::Config {
                path: path.to_path_buf(),
                line: pos.line,
                column: pos.column,
                message: e.message().trim().to_string(),
            }
        })
    }

    pub fn site_url(&self) -> std::result::Result<SiteUrl, String> {
        SiteUrl::parse(&self.base_url)
    }
}

fn default_title(root: &Path) -> String {
    let name = std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "Cheat sheets".into());
    crate::slug::humanize(&name)
}

/// The normalised `base_url`: an optional absolute origin+path and the path prefix that
/// every internal URL starts with (`/` or `/repo/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteUrl {
    /// `https://user.github.io/repo/` (always with a trailing slash), when absolute.
    pub absolute: Option<String>,
    /// `/repo/`, or `/`.
    pub base_path: String,
}

impl SiteUrl {
    pub fn parse(raw: &str) -> std::result::Result<SiteUrl, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(SiteUrl {
                absolute: None,
                base_path: "/".into(),
            });
        }
        if let Some((scheme, rest)) = raw.split_once("://") {
            if !matches!(scheme, "http" | "https") || rest.is_empty() {
                return Err(format!(
                    "base_url {raw:?} must start with http:// or https:// or be a path like /repo/"
                ));
            }
            let (host, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            if host.is_empty() || host.contains(char::is_whitespace) {
                return Err(format!("base_url {raw:?} has no valid host"));
            }
            let base_path = normalise_path(path);
            Ok(SiteUrl {
                absolute: Some(format!("{scheme}://{host}{base_path}")),
                base_path,
            })
        } else if raw.starts_with('/') {
            Ok(SiteUrl {
                absolute: None,
                base_path: normalise_path(raw),
            })
        } else {
            Err(format!(
                "base_url {raw:?} must start with http:// or https:// or be a path like /repo/"
            ))
        }
    }

    /// `https://host` of an absolute base URL.
    pub fn origin(&self) -> Option<String> {
        let abs = self.absolute.as_ref()?;
        Some(abs[..abs.len() - self.base_path.len()].to_string())
    }

    /// Absolute URL for a site path (`/repo/a/`) when the base is absolute.
    pub fn absolute_url(&self, site_path: &str) -> Option<String> {
        let abs = self.absolute.as_ref()?;
        let origin_end = abs.len() - self.base_path.len();
        Some(format!("{}{}", &abs[..origin_end], site_path))
    }
}

fn normalise_path(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        "/".into()
    } else {
        format!("/{}/", segments.join("/"))
    }
}

/// Resolves the output directory: CLI flag, else config, relative to the site root.
pub fn output_dir(root: &Path, config: &Config, flag: Option<&Path>) -> PathBuf {
    match flag {
        Some(p) => p.to_path_buf(),
        None => root.join(&config.build.output_dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = Config::parse(
            "title = 'x'\n[markdown]\nunsafe_hmtl = true\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("c.toml:3:1"), "{err}");
        assert!(err.contains("unsafe_hmtl"), "{err}");
    }

    #[test]
    fn wrong_type_is_an_error() {
        let err = Config::parse("[build]\nignore = 3\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("c.toml:2:"), "{err}");
    }

    #[test]
    fn base_url_normalisation() {
        let u = SiteUrl::parse("https://user.github.io/repo").unwrap();
        assert_eq!(u.base_path, "/repo/");
        assert_eq!(u.absolute.as_deref(), Some("https://user.github.io/repo/"));
        assert_eq!(
            u.absolute_url("/repo/a/").as_deref(),
            Some("https://user.github.io/repo/a/")
        );
        assert_eq!(SiteUrl::parse("https://x.org").unwrap().base_path, "/");
        assert_eq!(SiteUrl::parse("/repo").unwrap().base_path, "/repo/");
        assert_eq!(SiteUrl::parse("").unwrap().base_path, "/");
        assert!(SiteUrl::parse("ftp://x").is_err());
        assert!(SiteUrl::parse("repo").is_err());
    }
}
