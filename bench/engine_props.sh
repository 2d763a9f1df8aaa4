#!/usr/bin/env bash
# The engine's property test at length (issue 11, "Correctness"): random edit sequences
# through `Engine::apply` must equal a clean build byte for byte after every step.
# `cargo test` runs 200 sequences; this runs N (default 2000). Usage: bench/engine_props.sh [N]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cases="${1:-2000}"
CHEATGEN_PROP_CASES="$cases" cargo test --manifest-path "$repo/Cargo.toml" \
  --test testsuite engine_props::any_edit_sequence -- --nocapture
echo "engine_props: $cases sequences passed"
