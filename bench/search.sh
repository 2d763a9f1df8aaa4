#!/usr/bin/env bash
# Search benchmark: index size and file count of a built corpus (cheatgen vs Pagefind when
# `npx pagefind` is available), then the first-query download of every probe (each prefix
# of the bench queries as typed and every 3-letter word start, counted through the Rust
# reader), first-query bytes and query time in headless Chromium, and the cost of one
# incremental index update (body edit, card added, sheet removed/added: time and files
# changed, through `SearchIndex`) (tests/testsuite/bench_search.rs).
# Usage: bench/search.sh [N]   (default 10000; run bench/run.sh N first to build
# bench/corpus-N/public). The harness runs in the dev profile: it times JavaScript.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
n="${1:-10000}"
public="$here/corpus-$n/public"
[ -f "$public/search/meta.json" ] || { echo "build the corpus first: bench/run.sh $n" >&2; exit 1; }

echo "== index size, $n notes"
printf 'cheatgen: %s bytes in %s files\n' "$(du -sb "$public/search" | cut -f1)" "$(find "$public/search" -type f | wc -l)"
if [ "${PAGEFIND:-}" != "no" ] && command -v npx >/dev/null; then
  tmp="$(mktemp -d)"
  cp -r "$public" "$tmp/site"
  rm -rf "$tmp/site/search"
  if (cd "$tmp" && npx --yes pagefind@1 --site site >/dev/null 2>&1); then
    printf 'pagefind: %s bytes in %s files\n' "$(du -sb "$tmp/site/pagefind" | cut -f1)" "$(find "$tmp/site/pagefind" -type f | wc -l)"
  else
    echo "pagefind: not available (npx pagefind failed)"
  fi
  rm -rf "$tmp"
fi

echo "== first-query bytes per probe, and queries in headless Chromium"
CHEATGEN_BENCH_PUBLIC="$public" cargo test --manifest-path "$repo/Cargo.toml" \
  --test testsuite bench_search:: -- --ignored --nocapture 2>&1 | grep -vE '^(running|test |$)|test result'
