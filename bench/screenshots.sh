#!/usr/bin/env bash
# Review screenshots of the default theme: the `look` fixture site (tests/fixtures/look/)
# at 1440x900 and 390x844, light and dark, written to target/screenshots/ (or
# $SCREENSHOT_DIR) by the ignored `screenshots` test in tests/browser_look.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test browser_look screenshots -- --ignored --nocapture
