//! The integration tests: one test binary (mdBook's `tests/testsuite` layout), so the
//! library and the test dependencies are linked once, not once per area. Each module is
//! one area and runs the real binary, a real loopback server or a real headless Chromium;
//! `common` holds the shared site-fixture builder and helpers, fixtures live in
//! `tests/fixtures/`. Run one area with `cargo test --test testsuite <module>::` (a
//! substring filter: `serve::` also runs `browser_serve::`).
//!
//! All tests share one process: none may change the process environment or the current
//! directory (pass variables to the child `Command` instead), and every browser test holds
//! `common::browser::serial()` while it drives Chromium.

mod common;

mod bench_search;
mod browser_look;
mod browser_search;
mod browser_serve;
mod build_site;
mod cache;
mod cold_speed;
mod content_safety;
mod crosslinks;
mod dialect;
mod distribution;
mod engine_props;
mod fuzz_note;
mod layout;
mod output_safety;
mod pages;
mod path_fuzz;
mod path_safety;
mod relevance;
mod search;
mod serve;
