#!/usr/bin/env bash
# Incremental-rebuild benchmark (issue 11's target table), against the CLI only, so it
# measures today's engine and any later one the same way. For each N:
#  - corpus: ../shared/bench/gen_corpus.py --notes N --flavor cheatgen, cached under
#    bench/corpus-cheatgen-N/ (the layout bench/compare.sh uses); every run works on a
#    copy in a temporary folder, so the cached corpus is never edited;
#  - build: RUNS rounds of cold (site root holding only the sources: no output, no
#    cache), again with nothing changed, again after one note changed (median wall time,
#    largest peak RSS); also cold with --no-cache when `cheatgen build --help` lists it;
#  - serve: bench/incremental_serve.py edits the copy while `cheatgen serve` watches it,
#    EDITS edits per kind (body, title, tag, note added, note deleted), and reads the
#    server's memory after the first build and its CPU time per edit;
#  - prints one Markdown table per N on stdout (bench/incremental_report.py); progress
#    goes to stderr.
#
# Usage: bench/incremental.sh [N...]      (default: 1000)
#   EDITS=20        edits per kind in the serve part
#   RUNS=3          rounds of the build scenarios
#   GEN=path        the corpus generator (default ../shared/bench/gen_corpus.py)
#   NO_BUILD=1      use target/release as is (no cargo build)
#   CHEATGEN=path   measure that binary instead (no cargo build), e.g. another worktree's
#   BUILD_TIMEOUT=1800  seconds one `cheatgen build` may take
#   EDIT_TIMEOUT=300    seconds one serve edit may take to finish rebuilding
#   RAW_DIR=dir     also keep the raw figures (figures-N.txt, serve-N.json) there
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
gen="${GEN:-$repo/../shared/bench/gen_corpus.py}"
edits="${EDITS:-20}"
runs="${RUNS:-3}"
build_timeout="${BUILD_TIMEOUT:-1800}"
edit_timeout="${EDIT_TIMEOUT:-300}"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(1000)

if [ -n "${CHEATGEN:-}" ]; then
  cheatgen="$(cd "$(dirname "$CHEATGEN")" && pwd)/$(basename "$CHEATGEN")"
else
  if [ -z "${NO_BUILD:-}" ]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml" --bin cheatgen
  fi
  cheatgen="$repo/target/release/cheatgen"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/cheatgen-incremental.XXXXXX")"
child_pid=""
cleanup() {
  # Builds and the serve helper run in the background so a signal is handled at once
  # (bash runs traps only between foreground commands); `timeout` passes TERM on to the
  # build, and the helper stops its server on TERM (the server also dies with it).
  if [ -n "$child_pid" ] && kill -0 "$child_pid" 2>/dev/null; then
    kill -TERM "$child_pid" 2>/dev/null || true
    wait "$child_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
# in_background CMD...: runs CMD as the one child, waits for it, returns its status.
in_background() {
  "$@" &
  child_pid=$!
  local rc=0
  wait "$child_pid" || rc=$?
  child_pid=""
  return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "[incremental] $*" >&2; }

corpus() { # n -> path (generated once, as bench/compare.sh does)
  local dir="$here/corpus-cheatgen-$1"
  if [ ! -e "$dir/.complete" ]; then
    log "generating $1 notes into ${dir#"$repo"/}"
    python3 "$gen" --notes "$1" --out "$dir" --flavor cheatgen --force >/dev/null
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# fresh_site CORPUS: $work/site holds the sources only (no output, lock, manifest or cache).
fresh_site() {
  rm -rf "$work/site" "$work/xdg-cache"
  mkdir -p "$work/site" "$work/xdg-cache"
  local entry
  for entry in "$1"/*; do # the glob skips dot files (.complete, locks, caches)
    [ "$(basename "$entry")" = public ] && continue
    cp -a "$entry" "$work/site/"
  done
}
# A cache kept outside the site root would make "cold" warm: keep it in $work too.
export XDG_CACHE_HOME="$work/xdg-cache"

# timed_build KEY [ARGS...]: one `cheatgen build` of $work/site; appends
# "KEY wall_s peak_rss_kib user_s sys_s" to the figures.
timed_build() {
  local key="$1"; shift
  sync
  if ! in_background timeout "$build_timeout" /usr/bin/time -f '%e %M %U %S' -o "$work/time" \
      "$cheatgen" build --root "$work/site" --quiet "$@" >"$work/build.log" 2>&1; then
    log "build failed ($key): $cheatgen build --root <site> --quiet $*"
    tail -n 20 "$work/build.log" >&2
    exit 1
  fi
  echo "$key $(tail -n 1 "$work/time")" >>"$figures"
}

# touch_one_note I: appends a paragraph to the I-th note (a different note per run).
touch_one_note() {
  local note
  note="$(find "$work/site/content" -name '*.md' | sort | sed -n "$(( ($1 * 97) % notes + 1 ))p")"
  printf '\n\nBenchmark paragraph %s: one note changed.\n' "$1" >>"$note"
}

has_no_cache=""
case "$("$cheatgen" build --help)" in *--no-cache*) has_no_cache=1 ;; esac

for n in "${sizes[@]}"; do
  src="$(corpus "$n")"
  notes="$(find "$src/content" -name '*.md' | wc -l)"
  figures="$work/figures-$n.txt"
  {
    echo "n $n"
    echo "date $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "version $("$cheatgen" --version)"
    echo "commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo +changes)"
    echo "machine $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GB RAM", $2 / 1048576}' /proc/meminfo)"
    echo "load_start $(uptime | sed 's/.*load average: //')"
    echo "edits $edits"
    echo "runs $runs"
  } >"$figures"

  # Rounds of cold → nothing changed → one note changed, so a swing in load hits every
  # scenario alike (the cold build is also the previous build of the two warm ones).
  for ((i = 0; i < runs; i++)); do
    if [ -n "$has_no_cache" ]; then
      log "N=$n round $((i + 1))/$runs: cold build --no-cache"
      fresh_site "$src"
      timed_build cold_no_cache --no-cache
    fi
    log "N=$n round $((i + 1))/$runs: cold build, then again with nothing changed, then one note changed"
    fresh_site "$src"
    timed_build cold
    timed_build nothing
    touch_one_note "$i"
    timed_build one
  done

  log "N=$n serve: $edits edits of each kind"
  fresh_site "$src"
  in_background python3 "$here/incremental_serve.py" --bin "$cheatgen" --site "$work/site" \
    --out "$work/serve-$n.json" --edits "$edits" --timeout "$edit_timeout" \
    --first-build-timeout "$build_timeout"
  echo "load_end $(uptime | sed 's/.*load average: //')" >>"$figures"

  python3 "$here/incremental_report.py" "$figures" "$work/serve-$n.json"
  if [ -n "${RAW_DIR:-}" ]; then
    mkdir -p "$RAW_DIR"
    cp "$figures" "$work/serve-$n.json" "$RAW_DIR/"
  fi
done
