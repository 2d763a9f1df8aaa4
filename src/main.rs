//! The `cheatgen` binary: parse arguments, run, exit. Everything else lives in the library.

use clap::Parser;

/// mimalloc instead of glibc malloc: a build makes millions of small, short-lived
/// allocations across threads (see bench/README.md for the measured difference).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = cheatgen::cli::Cli::parse();
    std::process::exit(cheatgen::cli::run(cli));
}
