#!/usr/bin/env bash
# Side by side in one run: one 15-minute isochrone with its polygon, reach
# (e-bike, forward) against Valhalla (pyvalhalla 3.9.1 Actor, bicycle), from
# the same 400 random road points of each extract. Installs Valhalla from PyPI
# into a virtual environment outside the checkout (recipe:
# ../shared/peers/README.md) and builds its tiles once; later runs reuse them.
# Usage: [ROUNDS=N] bash benches/peers/isochrone_vs_valhalla.sh [extract ...]  (default: porto heidelberg)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK="${WORK:-$HOME/.cache/reach-peers}"
MINUTES="${MINUTES:-15}"
# Rounds of reach then Valhalla, alternating; with more than one, the best
# median of each is compared too (on a noisy machine the least disturbed
# round is the fairest figure of each engine).
ROUNDS="${ROUNDS:-1}"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(porto heidelberg)
mkdir -p "$WORK"

PY312="${PY312:-$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12}"
if [ ! -x "$WORK/venv-valhalla/bin/python" ]; then
  "$PY312" -m venv "$WORK/venv-valhalla"
  "$WORK/venv-valhalla/bin/pip" install -q pyvalhalla==3.9.1
fi
export PATH="$WORK/venv-valhalla/bin:$PATH"   # the valhalla_* wrappers look themselves up on PATH

cargo build --release -q -p reach-benches --bin isochrone_latency
bin="${CARGO_TARGET_DIR:-target}/release/isochrone_latency"

for name in "${names[@]}"; do
  dir="$WORK/valhalla/$name"
  if [ ! -f "$dir/valhalla_tiles.tar" ]; then
    mkdir -p "$dir/valhalla_tiles"
    (cd "$dir" && valhalla_build_config --mjolnir-tile-dir "$dir/valhalla_tiles" \
        --mjolnir-tile-extract "$dir/valhalla_tiles.tar" --mjolnir-timezone "$dir/valhalla_tiles/timezones.sqlite" \
        --mjolnir-admin "$dir/valhalla_tiles/admins.sqlite" --mjolnir-concurrency 2 > valhalla.json &&
      python -c "import json;c=json.load(open('valhalla.json'));c['logging']['type']='';json.dump(c,open('valhalla.json','w'),indent=1)" &&
      valhalla_build_tiles -c valhalla.json "$ROOT/../shared/data/$name.osm.pbf" > build.log 2>&1 &&
      valhalla_build_extract -c valhalla.json --overwrite >> build.log 2>&1)
  fi
  best_reach="" best_valhalla=""
  for round in $(seq "$ROUNDS"); do
    reach_line=$("$bin" "$name" --minutes "$MINUTES" --direction from --write-points "$WORK/points" | tail -1)
    read -r _ queries reach_median reach_p99 _search <<<"$reach_line"
    read -r v_queries v_median v_p99 v_vertices <<<"$(python "$ROOT/benches/peers/valhalla_isochrone.py" "$dir/valhalla.json" "$WORK/points.$name.json" "$MINUTES")"
    ratio=$(awk "BEGIN{printf \"%.1f\", $v_median / $reach_median}")
    echo "$name: ${MINUTES}-min isochrone + polygon, $queries starts: reach median ${reach_median} us, p99 ${reach_p99} us | Valhalla median ${v_median} us, p99 ${v_p99} us (${v_queries} calls, median ${v_vertices} polygon vertices) | Valhalla / reach = ${ratio}x"
    best_reach=$(awk "BEGIN{b=\"$best_reach\"; print (b == \"\" || $reach_median < b + 0) ? $reach_median : b}")
    best_valhalla=$(awk "BEGIN{b=\"$best_valhalla\"; print (b == \"\" || $v_median < b + 0) ? $v_median : b}")
  done
  if [ "$ROUNDS" -gt 1 ]; then
    ratio=$(awk "BEGIN{printf \"%.1f\", $best_valhalla / $best_reach}")
    echo "$name: best of $ROUNDS alternating rounds: reach median ${best_reach} us | Valhalla median ${best_valhalla} us | Valhalla / reach = ${ratio}x"
  fi
done
