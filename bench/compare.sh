#!/usr/bin/env bash
# Side-by-side cold-build benchmark (issue 15). For each N it generates the same corpus in
# every tool's flavor with ../shared/bench/gen_corpus.py (cached under bench/corpus-<flavor>-N/,
# git-ignored), builds it cold with cheatgen (release) and with every peer found on PATH or
# in ~/peers/bin (Hugo, Hugo + Pagefind, Zola, mdBook; a missing one is skipped with a note),
# runs the floor (examples/floor.rs), and prints one table per N.
# It installs nothing: see bench/README.md for how to install the peers.
#
# Usage: bench/compare.sh [N...]          (default: 1000 10000)
#   RUNS=3          runs per tool for N < 10000 (median reported); N >= 10000 runs once
#   GEN=path        the corpus generator (default ../shared/bench/gen_corpus.py)
#   NO_BUILD=1      use target/release as is (no cargo build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
gen="${GEN:-$repo/../shared/bench/gen_corpus.py}"
runs_small="${RUNS:-3}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000)
export PATH="$PATH:$HOME/peers/bin"

if [ -z "${NO_BUILD:-}" ]; then
  cargo build --release --quiet --manifest-path "$repo/Cargo.toml" --bin cheatgen --example floor
fi
cheatgen="$repo/target/release/cheatgen"
floor="$repo/target/release/examples/floor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

have() { command -v "$1" >/dev/null 2>&1; }

corpus() { # flavor n -> path (generated once)
  local dir="$here/corpus-$1-$2"
  if [ ! -e "$dir/.complete" ]; then
    python3 "$gen" --notes "$2" --out "$dir" --flavor "$1" --force >/dev/null 2>&1
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# measure OUT_VAR_PREFIX cmd... : runs cmd once under /usr/bin/time, sets wall/cpu/rss.
measure() {
  local t="$work/time"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >"$work/log" 2>&1; then
    echo "  failed: $*" >&2; tail -n 5 "$work/log" >&2; return 1
  fi
  read -r m_wall m_user m_sys m_rss <"$t"
  m_cpu=$(awk -v u="$m_user" -v s="$m_sys" 'BEGIN{printf "%.2f", u+s}')
}

# Output metrics of a folder: html pages, bytes (sum of file sizes), files.
out_stats() {
  o_html=$(find "$1" -type f -name '*.html' | wc -l)
  o_bytes=$(find "$1" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')
  o_files=$(find "$1" -type f | wc -l)
}
# Search index bytes and files of paths (files or folders; missing ones count 0).
index_stats() {
  i_bytes=0; i_files=0
  local p
  for p in "$@"; do
    [ -e "$p" ] || continue
    i_bytes=$((i_bytes + $(find "$p" -type f -printf '%s\n' | awk '{s+=$1} END{print s+0}')))
    i_files=$((i_files + $(find "$p" -type f | wc -l)))
  done
}

median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# run_tool NAME RUNS PREP_CMD BUILD_CMD... : PREP_CMD (a shell string) cleans the output
# before every run; rows keep the run with the median wall time.
run_tool() {
  local name="$1" runs="$2" prep="$3"; shift 3
  local i rows="$work/rows-$name"; : >"$rows"
  for ((i = 0; i < runs; i++)); do
    eval "$prep"; sync
    measure "$@" || return 1
    echo "$m_wall $m_cpu $m_rss" >>"$rows"
  done
  local mid; mid=$(cut -d' ' -f1 "$rows" | median)
  read -r r_wall r_cpu r_rss < <(awk -v w="$mid" '$1 == w {print; exit}' "$rows")
}

row() { # name wall cpu rss html bytes files ibytes ifiles
  local ratio="-"
  [ -n "${base_wall:-}" ] && ratio=$(awk -v a="$2" -v b="$base_wall" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')
  printf '| %-16s | %7s | %7s | %8s | %6s | %11s | %6s | %10s | %6s | %6s |\n' \
    "$1" "$2" "$3" "$(( $4 / 1024 ))" "$5" "$6" "$7" "$8" "$9" "$ratio"
}

for n in "${sizes[@]}"; do
  runs=$runs_small; [ "$n" -ge 10000 ] && runs=1
  echo
  echo "### N = $n notes ($runs run(s), median wall; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| tool             | wall s  | CPU s   | RSS MB   | HTML   | out bytes   | files  | idx bytes  | idx f  | ×cg    |"
  echo "|------------------|---------|---------|----------|--------|-------------|--------|------------|--------|--------|"
  base_wall=""
  notes_dir="$(corpus cheatgen "$n")"
  out="$work/cheatgen-out"
  run_tool cheatgen "$runs" "rm -rf '$out' '$notes_dir/.cheatgen-cache'" "$cheatgen" build --root "$notes_dir" --output "$out" --quiet
  base_wall=$r_wall
  out_stats "$out"; index_stats "$out/search"
  row "cheatgen $("$cheatgen" --version | cut -d' ' -f2)" "$r_wall" "$r_cpu" "$r_rss" "$o_html" "$o_bytes" "$o_files" "$i_bytes" "$i_files"

  # Listing pages (home, tags, categories) must stay small at any N (issue 15: <= 100 KB).
  largest=$( { find "$out/tags" "$out/categories" -name index.html -printf '%s %p\n' 2>/dev/null | sed "s|$out/||";
               stat -c '%s index.html' "$out/index.html"; } | sort -rn | head -1)
  listing_note="cheatgen largest listing page: ${largest% *} bytes (${largest#* })"

  run_tool floor "$runs" ":" "$floor" "$notes_dir/content"
  row "floor" "$r_wall" "$r_cpu" "$r_rss" - - - - -

  if have hugo; then
    src="$(corpus hugo "$n")"; out="$work/hugo-out"
    run_tool hugo "$runs" "rm -rf '$out' '$src/resources'" hugo --source "$src" --destination "$out" --quiet
    h_wall=$r_wall h_cpu=$r_cpu h_rss=$r_rss
    out_stats "$out"; index_stats "$out/index.json"
    row "hugo $(hugo version | grep -o 'v[0-9.]*' | head -1)" "$r_wall" "$r_cpu" "$r_rss" "$o_html" "$o_bytes" "$o_files" "$i_bytes" "$i_files"
    if have pagefind; then
      run_tool pagefind "$runs" "rm -rf '$out/pagefind'" pagefind --site "$out" --quiet
      out_stats "$out"; index_stats "$out/pagefind"
      row "hugo+pagefind" "$(awk -v a="$h_wall" -v b="$r_wall" 'BEGIN{printf "%.2f", a+b}')" \
        "$(awk -v a="$h_cpu" -v b="$r_cpu" 'BEGIN{printf "%.2f", a+b}')" \
        "$(( h_rss > r_rss ? h_rss : r_rss ))" "$o_html" "$o_bytes" "$o_files" "$i_bytes" "$i_files"
    else
      echo "(pagefind not installed: skipped)"
    fi
  else
    echo "(hugo not installed: skipped hugo and hugo+pagefind)"
  fi

  echo; echo "$listing_note"; echo
  if have zola; then
    src="$(corpus zola "$n")"; out="$work/zola-out"
    run_tool zola "$runs" "rm -rf '$out'" zola --root "$src" build --output-dir "$out" --force
    out_stats "$out"; index_stats "$out/search_index.en.js"
    row "zola" "$r_wall" "$r_cpu" "$r_rss" "$o_html" "$o_bytes" "$o_files" "$i_bytes" "$i_files"
  else
    echo "(zola not installed: skipped)"
  fi

  if have mdbook; then
    src="$(corpus mdbook "$n")"; out="$work/mdbook-out"
    run_tool mdbook "$runs" "rm -rf '$out'" mdbook build --dest-dir "$out" "$src"
    out_stats "$out"; index_stats "$out/searchindex.js" "$out/searchindex.json"
    row "mdbook (no hl)" "$r_wall" "$r_cpu" "$r_rss" "$o_html" "$o_bytes" "$o_files" "$i_bytes" "$i_files"
  else
    echo "(mdbook not installed: skipped)"
  fi
done
