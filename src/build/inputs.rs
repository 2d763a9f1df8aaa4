//! What every stage reads besides the notes: the config (with command-line overrides), the
//! theme and its compiled templates, the ignore globs and symlink policy, and a fingerprint
//! of everything here that can change an output byte. A change to any of it (config or
//! theme edited while serving) reloads `Inputs`; a changed fingerprint empties the caches.

use super::BuildOptions;
use crate::config::{Config, SiteUrl, CONFIG_FILE};
use crate::error::{Error, Result};
use crate::note::markdown::MarkdownOptions;
use crate::note::source::{self, SymlinkPolicy};
use crate::render::templates::{Templates, Theme};
use globset::GlobSet;
use std::path::PathBuf;

pub struct Inputs {
    pub config: Config,
    pub site_url: SiteUrl,
    pub output_dir: PathBuf,
    pub theme: Theme,
    pub templates: Templates,
    pub ignore: GlobSet,
    pub links: SymlinkPolicy,
    pub md_opts: MarkdownOptions,
    pub fingerprint: blake3::Hash,
}

impl Inputs {
    pub fn load(opts: &BuildOptions) -> Result<Inputs> {
        let (config, site_url) = load_config(opts)?;
        let output_dir = crate::config::output_dir(&opts.root, &config, opts.output.as_deref());
        let theme = Theme::load(&opts.root, &config.theme)?;
        let templates = Templates::new(&theme)?;
        let ignore = source::ignore_set(&opts.root, &config.build.ignore)?;
        let links = SymlinkPolicy {
            follow_external: config.build.follow_external_symlinks,
            output_dir: output_dir.clone(),
        };
        let md_opts = MarkdownOptions {
            unsafe_html: config.markdown.unsafe_html,
        };
        let fingerprint = fingerprint(&config, &site_url, &theme, opts.drafts);
        Ok(Inputs {
            config,
            site_url,
            output_dir,
            theme,
            templates,
            ignore,
            links,
            md_opts,
            fingerprint,
        })
    }
}

/// Loads the config with CLI overrides applied and validated.
pub fn load_config(opts: &BuildOptions) -> Result<(Config, SiteUrl)> {
    let mut config = Config::load(&opts.root)?;
    if let Some(url) = &opts.base_url {
        config.base_url = url.clone();
    }
    let site_url = config.site_url().map_err(|message| Error::Usage {
        // Blame where the value came from: the command line overrides the config file.
        path: match &opts.base_url {
            Some(_) => "--base-url".into(),
            None => opts.root.join(CONFIG_FILE),
        },
        message,
    })?;
    Ok((config, site_url))
}

/// Everything besides the notes that can change an output byte.
pub fn fingerprint(
    config: &Config,
    site_url: &SiteUrl,
    theme: &Theme,
    drafts: bool,
) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(toml::to_string(config).unwrap_or_default().as_bytes());
    h.update(site_url.base_path.as_bytes());
    h.update(site_url.absolute.as_deref().unwrap_or("").as_bytes());
    h.update(&[u8::from(drafts)]);
    for (name, bytes) in &theme.files {
        h.update(name.as_bytes());
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize()
}
