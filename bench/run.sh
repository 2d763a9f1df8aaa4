#!/usr/bin/env bash
# Cold-build benchmark: generates corpora of N notes with ../shared/bench/gen_corpus.py
# (deterministic, cached under bench/corpus-N/) and builds each with the release binary,
# reporting wall time and peak RSS. Usage: bench/run.sh [N...]   (default: 1000 10000)
#
# Set GEN=/path/to/gen_corpus.py if the generator lives elsewhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
gen="${GEN:-$repo/../shared/bench/gen_corpus.py}"
sizes=("${@:-1000 10000}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})

cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
bin="$repo/target/release/cheatgen"

printf '%-8s %-10s %-10s %-12s %s\n' notes run wall_s peak_rss_mb summary
for n in "${sizes[@]}"; do
  corpus="$here/corpus-$n"
  if [ ! -d "$corpus/content" ]; then
    python3 "$gen" --notes "$n" --out "$corpus" --flavor cheatgen --force >/dev/null
  fi
  for run in cold warm; do
    # cold = empty output dir; warm = same output again (unchanged files are not rewritten)
    [ "$run" = cold ] && rm -rf "$corpus/public"
    sync
    log="$(mktemp)"
    /usr/bin/time -f '%e %M' -o "$log.time" "$bin" build --root "$corpus" 2>"$log" || true
    read -r wall rss <"$log.time"
    summary="$(tail -n 1 "$log")"
    printf '%-8s %-10s %-10s %-12s %s\n' "$n" "$run" "$wall" "$((rss / 1024))" "$summary"
    rm -f "$log" "$log.time"
  done
done
