#!/usr/bin/env bash
# Executes both planner notebooks top to bottom against `reach serve` on the
# bundled sample (and the city's station list), failing on any error. The
# sample is small, so the contours are 2 and 4 minutes, to have gaps.
# Outputs (figures, map, proposed sites, GeoPackage) go to out/notebooks/.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash scripts/install-notebooks.sh)
cargo build -q --workspace --bin reach
reach="${CARGO_TARGET_DIR:-target}/debug/reach"
port=$("$python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$reach" serve --layers data/helsinki-stations.csv --addr "127.0.0.1:$port" --quiet 2>out-serve.log &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f out-serve.log' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
REACH_URL="http://127.0.0.1:$port" REACH_MINUTES=2,4 REACH_NOTEBOOK_OUT=out/notebooks \
  "$python" notebooks/run.py notebooks/coverage_audit.ipynb notebooks/gis_walkthrough.ipynb
