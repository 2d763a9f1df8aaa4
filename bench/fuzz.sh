#!/usr/bin/env bash
# Long run of the property/fuzz harness (tests/testsuite/path_fuzz.rs): random and mutated notes,
# front matter and file names through the per-note render, the site passes and the
# output-path builder; fails on any panic or any output path outside the output directory.
# Usage: bench/fuzz.sh [CASES]   (default 100000 cases per property)
#
# PROFILE=release builds optimised first (faster cases, slow to compile); the default
# reuses the dev build (dependencies are already optimised there).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
cases="${1:-100000}"
profile=()
if [ "${PROFILE:-dev}" = release ]; then
  profile=(--release)
fi
started=$(date +%s)
PROPTEST_CASES="$cases" cargo test "${profile[@]}" --quiet \
  --manifest-path "$repo/Cargo.toml" --test testsuite path_fuzz:: -- --test-threads 1
echo "fuzz: $cases cases per property passed in $(( $(date +%s) - started ))s"
