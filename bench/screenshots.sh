#!/usr/bin/env bash
# Review screenshots of the default theme: the `look` and `dialect` fixture sites and the demo site
# at 1440x900 and 390x844, light and dark (pages down to 3000 px), written to target/screenshots/ (or
# $SCREENSHOT_DIR) by the ignored `screenshots` test in tests/testsuite/browser_look/screenshots.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --test testsuite browser_look::screenshots:: -- --ignored --nocapture
