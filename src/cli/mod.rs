//! Command-line interface: clap types and the thin glue that runs a command, prints its
//! diagnostics and summary, and picks the exit code (0 ok, 1 note errors or warnings under
//! `--strict`, 2 usage/config errors).

pub(crate) mod distribution;
pub(crate) mod init;
pub(crate) mod query;

use crate::build::{self, BuildOptions, BuildReport};
use crate::error::Error;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// `println!` that ignores a closed stdout (`cheatgen query … | head`) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
pub(crate) use outln;

#[derive(Debug, Parser)]
#[command(
    name = "cheatgen",
    version = crate::cli::distribution::VERSION,
    about = "Build dense, cross-linked, searchable cheat-sheet sites from Markdown notes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site from content/ into the output directory (default public/).
    Build(BuildArgs),
    /// Run every validation of a build (front matter, config, fence languages, links,
    /// anchors, duplicate URLs, templates) without writing anything.
    Check(CheckArgs),
    /// Search the site's cards from the terminal, with the same index and ranking as the
    /// browser (reads public/search/, or builds the index in memory if it is missing).
    Query(QueryArgs),
    /// Build, serve the site on 127.0.0.1, rebuild on every change and live-reload the
    /// browser.
    Serve(ServeArgs),
    /// Create a new site: config, example sheets, .gitignore and a GitHub Pages workflow.
    Init(InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions(crate::cli::distribution::CompletionsArgs),
    /// Print the man page cheatgen(1), or a command's page, in roff to stdout.
    Man(crate::cli::distribution::ManArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the site in (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Site title (default: the folder name).
    #[arg(long)]
    pub title: Option<String>,
    /// Where the site will be published, e.g. https://user.github.io/repo/.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Overwrite existing scaffold files (a content/ folder with notes is never touched).
    #[arg(long)]
    pub force: bool,
    /// Deployment workflow to write: `pages` (GitHub Pages via the cheatgen action) or
    /// `none` (you deploy public/ elsewhere).
    #[arg(long, value_enum, default_value_t = InitCi::Pages)]
    pub ci: InitCi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InitCi {
    Pages,
    None,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Site root (the folder with cheatgen.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Port to listen on; the next free one is used when it is taken.
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Address to bind; 0.0.0.0 exposes the site to your network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
    /// Include notes marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Neither read nor write the build cache (.cheatgen-cache/).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Site root (the folder with cheatgen.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Print a JSON array of results (for scripts and editor plugins).
    #[arg(long)]
    pub json: bool,
    /// Maximum number of results.
    #[arg(long, short = 'n', default_value_t = 10,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
    /// What to look for: words, code tokens (`--no-cache-dir`, `functools.wraps`), prefixes.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true, trailing_var_arg = true)]
    pub terms: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// `text`: `path:line:col: severity: message` lines; `json`: an array with one object
    /// per diagnostic (path, line, column, severity, code, message).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Site root (the folder with cheatgen.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Include notes marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Treat warnings as errors (exit code 1).
    #[arg(long)]
    pub strict: bool,
    /// Neither read nor write the build cache (.cheatgen-cache/; `check` only reads it).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output directory (default: [build] output_dir, i.e. public/).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Base URL the site is published at, e.g. https://user.github.io/repo/ (overrides config).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Only print warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write into a non-empty output directory that cheatgen did not create.
    #[arg(long)]
    pub force: bool,
    /// Print the time each build stage took (render notes, site passes, templates,
    /// search index, write) on stderr.
    #[arg(long)]
    pub timings: bool,
}

/// Runs the parsed command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Query(args) => crate::cli::query::run(&args),
        Command::Init(args) => crate::cli::init::run(&args),
        Command::Completions(args) => crate::cli::distribution::run_completions(&args),
        Command::Man(args) => crate::cli::distribution::run_man(&args),
        Command::Serve(args) => crate::serve::run(&crate::serve::ServeOptions {
            root: args.root,
            bind: args.bind,
            port: args.port,
            drafts: args.drafts,
            open: args.open,
            cache: !args.no_cache,
        }),
    }
}

fn run_check(args: CheckArgs) -> i32 {
    let opts = BuildOptions {
        root: args.site.root.clone(),
        drafts: args.site.drafts,
        cache: !args.site.no_cache,
        ..BuildOptions::default()
    };
    match build::check(&opts) {
        Ok(report) => {
            for w in &report.cache_warnings {
                eprintln!("{w}");
            }
            match args.format {
                Format::Text => {
                    for d in &report.diagnostics {
                        outln!("{d}");
                    }
                    eprintln!("{}", summary("checked", &report));
                }
                Format::Json => outln!("{}", diagnostics_json(&report.diagnostics)),
            }
            exit_code(&report, args.site.strict)
        }
        Err(e) => fail(&e),
    }
}

/// A JSON array, one diagnostic object per line (parses as a whole, greps line by line).
fn diagnostics_json(diags: &[crate::diagnostics::Diagnostic]) -> String {
    let items: Vec<String> = diags
        .iter()
        .map(|d| serde_json::to_string(d).unwrap_or_default())
        .collect();
    if items.is_empty() {
        "[]".into()
    } else {
        format!("[\n{}\n]", items.join(",\n"))
    }
}

fn run_build(args: BuildArgs) -> i32 {
    let opts = BuildOptions {
        root: args.site.root.clone(),
        output: args.output.clone(),
        base_url: args.base_url.clone(),
        drafts: args.site.drafts,
        force: args.force,
        progress: !args.quiet,
        timings: args.timings,
        cache: !args.site.no_cache,
    };
    match build::build(&opts) {
        Ok(report) => {
            print_diagnostics(&report);
            if !args.quiet {
                eprintln!("{}", summary("built", &report));
            }
            exit_code(&report, args.site.strict)
        }
        Err(e) => fail(&e),
    }
}

fn print_diagnostics(report: &BuildReport) {
    for w in &report.cache_warnings {
        eprintln!("{w}");
    }
    for d in &report.diagnostics {
        eprintln!("{d}");
    }
}

fn summary(verb: &str, r: &BuildReport) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![plural(r.sheets, "sheet"), plural(r.cards, "card")];
    if r.errors() > 0 {
        parts.push(plural(r.errors(), "error"));
    }
    parts.push(plural(r.warnings(), "warning"));
    if verb != "built" {
        return format!(
            "{verb} {} in {:.2}s",
            parts.join(", "),
            r.elapsed.as_secs_f64()
        );
    }
    format!(
        "built {} in {:.2}s → {}/",
        parts.join(", "),
        r.elapsed.as_secs_f64(),
        r.output_dir
            .display()
            .to_string()
            .trim_start_matches("./")
            .trim_end_matches('/')
    )
}

fn exit_code(report: &BuildReport, strict: bool) -> i32 {
    if report.errors() > 0 || (strict && report.warnings() > 0) {
        1
    } else {
        0
    }
}

pub(crate) fn fail(e: &Error) -> i32 {
    eprintln!("{e}");
    e.exit_code()
}
