//! `cheatgen init`: scaffolds a site that builds at once — config, two example sheets
//! (one of each note shape), `.gitignore`, a README and, unless `--ci none`, the GitHub
//! Pages workflow (which uses the reusable action at the major version of this binary).
//!
//! Safe by default: nothing is overwritten without `--force` (and then only the scaffold
//! files named here), and a `content/` folder that already has notes is never touched.

use crate::cli::{InitArgs, InitCi};
use crate::config::SiteUrl;
use std::path::{Path, PathBuf};

const CONFIG: &str = include_str!("files/cheatgen.toml");
const GITIGNORE: &str = include_str!("files/gitignore");
const README: &str = include_str!("files/README.md");
const README_PAGES: &str = include_str!("files/README-pages.md");
const WORKFLOW: &str = include_str!("files/pages.yml");
const EXAMPLES: &[(&str, &str)] = &[
    ("content/index.md", include_str!("files/content/index.md")),
    ("content/git.md", include_str!("files/content/git.md")),
    ("content/shell.md", include_str!("files/content/shell.md")),
];

/// Where the workflow `init` writes lives in the site.
pub const WORKFLOW_PATH: &str = ".github/workflows/pages.yml";

/// The GitHub Pages workflow for this binary: the action `owner/cheatgen@vMAJOR`, pinned
/// to this exact version of the binary (a site rebuilds the same until you bump it).
pub fn pages_workflow() -> String {
    WORKFLOW
        .replace("{{action}}", &crate::cli::distribution::action_ref())
        .replace("{{repository}}", crate::cli::distribution::REPOSITORY)
        .replace("{{version}}", env!("CARGO_PKG_VERSION"))
}

/// The files `init` writes into `dir`, with their contents.
pub fn scaffold(
    title: &str,
    base_url: &str,
    with_examples: bool,
    ci: InitCi,
) -> Vec<(&'static str, String)> {
    let toml_title = toml::Value::String(title.to_string()).to_string();
    let toml_url = toml::Value::String(base_url.to_string()).to_string();
    let mut files = vec![
        (
            "cheatgen.toml",
            CONFIG
                .replace("\"{{title}}\"", &toml_title)
                .replace("\"{{base_url}}\"", &toml_url),
        ),
        (".gitignore", GITIGNORE.to_string()),
    ];
    match ci {
        InitCi::Pages => files.extend([
            (
                "README.md",
                README.replace("{{title}}", title) + README_PAGES,
            ),
            (WORKFLOW_PATH, pages_workflow()),
        ]),
        InitCi::None => files.push(("README.md", README.replace("{{title}}", title))),
    }
    if with_examples {
        files.extend(EXAMPLES.iter().map(|(p, c)| (*p, c.to_string())));
    }
    files
}

pub fn run(args: &InitArgs) -> i32 {
    let dir = &args.dir;
    let base_url = args.base_url.clone().unwrap_or_default();
    if let Err(message) = SiteUrl::parse(&base_url) {
        eprintln!("error: {message}");
        return 2;
    }
    let title = args.title.clone().unwrap_or_else(|| default_title(dir));
    let content = dir.join(crate::note::source::CONTENT_DIR);
    let content_has_notes = std::fs::read_dir(&content).is_ok_and(|mut d| d.next().is_some());
    let files = scaffold(&title, &base_url, !content_has_notes, args.ci);

    let existing: Vec<&str> = files
        .iter()
        .map(|(p, _)| *p)
        .filter(|p| dir.join(p).exists())
        .collect();
    if !existing.is_empty() && !args.force {
        eprintln!(
            "error: {} already has {}; nothing was changed (pass --force to overwrite these files)",
            shown(dir),
            existing.join(", ")
        );
        return 2;
    }
    for (rel, contents) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                eprintln!("{}: error: {e}", parent.display());
                return 1;
            }
        }
        if let Err(e) = std::fs::write(&path, contents) {
            eprintln!("{}: error: {e}", path.display());
            return 1;
        }
        println!("  created {}", shown(&path));
    }
    if content_has_notes {
        println!(
            "  kept your notes in {} (no examples added)",
            shown(&content)
        );
    }
    println!("\nNext:\n  cd {}\n  cheatgen serve        # preview with live reload\n  git init && git add . && git commit -m \"cheat sheets\"", shown(dir));
    if args.ci == InitCi::Pages {
        println!("Then push to GitHub and set Settings → Pages → Source: GitHub Actions.");
    } else {
        println!("Then publish public/ after `cheatgen build --base-url <where it is served>`.");
    }
    0
}

fn shown(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The folder's name, humanised (`my-notes` → "My notes"); "Cheat sheets" for `.`.
fn default_title(dir: &Path) -> String {
    let name: PathBuf = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    name.file_name()
        .map(|n| crate::slug::humanize(&n.to_string_lossy()))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "Cheat sheets".into())
}
