#!/usr/bin/env bash
# Side by side in one run: the 3 nearest facilities by travel time, reach
# (e-bike; one search per query, and a precomputed table) against OSRM
# (osrm-bindings 26.10.0, bicycle profile, CH) doing it its way: Nearest, then
# a 1xN Table to every facility of the layer, then the 3 smallest durations.
# Same 100 random road points and the same facilities (reach's OSM layers) for
# both. Installs osrm-bindings from PyPI into a virtual environment outside the
# checkout (recipe: ../shared/peers/README.md) and prepares OSRM's data once;
# later runs reuse it.
# Usage: bash benches/peers/nearest_vs_osrm.sh [extract ...]  (default: porto heidelberg)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK="${WORK:-$HOME/.cache/reach-peers}"
QUERIES="${QUERIES:-100}"
K=3
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(porto heidelberg)
mkdir -p "$WORK"

PY312="${PY312:-$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12}"
if [ ! -x "$WORK/venv-osrm/bin/python" ] || ! "$WORK/venv-osrm/bin/python" -c "import osrm" 2>/dev/null; then
  "$PY312" -m venv "$WORK/venv-osrm"
  "$WORK/venv-osrm/bin/pip" install -q osrm-bindings==26.10.0
fi
PY="$WORK/venv-osrm/bin/python"
OB=$("$PY" -c "import osrm, os; print(os.path.dirname(osrm.__file__))")

cargo build --release -q -p reach-benches --bin nearest_latency
bin="${CARGO_TARGET_DIR:-target}/release/nearest_latency"

for name in "${names[@]}"; do
  dir="$WORK/osrm/$name/ch"
  if [ ! -f "$dir/$name.osrm.hsgr" ]; then
    mkdir -p "$dir"
    cp "$ROOT/../shared/data/$name.osm.pbf" "$dir/"
    "$OB/bin/osrm-extract" -p "$OB/share/profiles/bicycle.lua" "$dir/$name.osm.pbf" > "$dir/build.log" 2>&1
    "$OB/bin/osrm-contract" "$dir/$name.osrm" >> "$dir/build.log" 2>&1
  fi
  "$bin" "$name" --queries "$QUERIES" --batch 0 --write-points "$WORK/nearest" > "$WORK/nearest.$name.txt"
  for layer in stations merchants parking all; do
    line=$(awk -v n="$name" -v l="$layer" -v k="$K" '$1 == n && $2 == l && $4 == k' "$WORK/nearest.$name.txt")
    read -r _ _ facilities _ _ answered search_median search_p99 _ _ table_median table_p99 <<<"$line"
    read -r calls o_median o_p99 o_answered <<<"$("$PY" "$ROOT/benches/peers/osrm_nearest.py" "$dir/$name.osrm" CH \
        "$WORK/nearest.$name.json" "$WORK/nearest.$name.$layer.json" "$K")"
    search_ratio=$(awk "BEGIN{printf \"%.0f\", $o_median / $search_median}")
    table_ratio=$(awk "BEGIN{printf \"%.0f\", $o_median / $table_median}")
    echo "$name $layer ($facilities facilities), k=$K, $QUERIES starts: reach search median ${search_median} us, p99 ${search_p99} us ($answered answered); reach table median ${table_median} us, p99 ${table_p99} us | OSRM CH nearest + 1x$facilities table median ${o_median} us, p99 ${o_p99} us ($o_answered answered, $calls calls) | OSRM / reach = ${search_ratio}x (search), ${table_ratio}x (table)"
  done
done
