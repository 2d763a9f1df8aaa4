//! What cheatgen says about itself to packagers and users: the version line (with the
//! commit from `build.rs`), the repository and the GitHub Action reference derived from it,
//! and the `completions` and `man` commands generated from the clap definitions.

use crate::cli::Cli;
use clap::CommandFactory;
use std::io::Write;

/// `0.1.0 (1ed8824abcde 2026-11-29)`; just `0.1.0` when built outside a git checkout.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("CHEATGEN_COMMIT_SUFFIX"));

/// The repository URL from `Cargo.toml`: the one place the owner is spelled out.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// `owner/name` of the repository on GitHub (`cheatgen/cheatgen`).
pub fn github_repo() -> &'static str {
    REPOSITORY
        .trim_end_matches('/')
        .trim_start_matches("https://github.com/")
}

/// The reusable action pinned to this binary's major version: `cheatgen/cheatgen@v0`.
/// A moving major tag gets compatible fixes without editing the workflow.
pub fn action_ref() -> String {
    format!("{}@v{}", github_repo(), env!("CARGO_PKG_VERSION_MAJOR"))
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cheatgen", &mut out);
    out
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Print the page of this command (`cheatgen-build(1)`, …) instead of `cheatgen(1)`.
    pub command: Option<String>,
}

/// The man page `cheatgen(1)`, or `cheatgen-<command>(1)`, in roff; `Err` names the
/// commands when `command` is not one.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>, String> {
    let mut cli = Cli::command().disable_help_subcommand(true);
    // Building names the subcommands `cheatgen-build` etc., as their pages are titled.
    cli.build();
    let page = match command {
        None => cli,
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                return Err(format!(
                    "error: no command {name:?} (commands: {})",
                    names.join(", ")
                ));
            }
        },
    };
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = clap_mangen::Man::new(page)
        .source(format!("cheatgen {VERSION}"))
        .render(&mut out);
    Ok(out)
}

pub fn run_completions(args: &CompletionsArgs) -> i32 {
    print_bytes(&completions(args.shell))
}

pub fn run_man(args: &ManArgs) -> i32 {
    match man_page(args.command.as_deref()) {
        Ok(page) => print_bytes(&page),
        Err(message) => {
            eprintln!("{message}");
            2
        }
    }
}

/// Generated into memory first, then written ignoring a closed pipe (`| head`), which the
/// generators would otherwise panic on.
fn print_bytes(bytes: &[u8]) -> i32 {
    let _ = std::io::stdout().lock().write_all(bytes);
    0
}
