//! The `cheatgen` binary: parse arguments, run, exit. Everything else lives in the library.

use clap::Parser;

fn main() {
    let cli = cheatgen::cli::Cli::parse();
    std::process::exit(cheatgen::cli::run(cli));
}
