#!/usr/bin/env bash
# Peak memory (max RSS) and wall time of loading an extract into a ready
# ebike engine with the release `reach` binary, on one core and on all.
# Usage: bash benches/load_memory.sh [extract names...]   (default: porto heidelberg)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p reach-server
bin="${CARGO_TARGET_DIR:-target}/release/reach"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(porto heidelberg)
printf '%-12s %-8s %10s %12s\n' extract threads wall_s max_rss_MB
for name in "${names[@]}"; do
  pbf="../shared/data/$name.osm.pbf"
  for threads in 1 2; do
    best_wall=999; best_rss=0
    for _ in 1 2 3 4 5; do
      out=$(RAYON_NUM_THREADS=$threads /usr/bin/time -f '%e %M' "$bin" inspect "$pbf" --profile ebike -q 2>&1 >/dev/null | tail -1)
      wall=${out% *}; rss_kb=${out#* }
      if awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; fi
      [ "$rss_kb" -gt "$best_rss" ] && best_rss=$rss_kb
    done
    printf '%-12s %-8s %10s %12.1f\n' "$name" "$threads" "$best_wall" "$(awk "BEGIN{print $best_rss/1024}")"
  done
done
