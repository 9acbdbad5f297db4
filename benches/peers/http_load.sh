#!/usr/bin/env bash
# HTTP load with wrk (Debian) on loopback, 2 cores shared by server and load:
# reach serve (Heidelberg, e-bike, OSM layers) answering /nearest (k=3,
# stations) and /isochrones (15 min polygon) from 1,000 random road points;
# side by side in the same run, osrm-routed (osrm-bindings 26.10.0, bicycle,
# CH) answering the equivalent 1xN /table to every station (which snaps the
# rider, as /nearest does), and valhalla_service (pyvalhalla 3.9.1, bicycle)
# answering the same 15-minute isochrone. Installs wrk with apt and the peers
# from PyPI (outside the checkout) when missing.
# Usage: bash benches/peers/http_load.sh [SECONDS] [CONNECTIONS]  (default 15 s, 16 connections)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK="${WORK:-$HOME/.cache/reach-peers}"
SECONDS_EACH="${1:-15}"
CONNECTIONS="${2:-16}"
NAME=heidelberg
PBF="$ROOT/../shared/data/$NAME.osm.pbf"
mkdir -p "$WORK/http"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Peers: the OSRM CH data and the Valhalla tiles of the other scripts.
bash benches/peers/nearest_vs_osrm.sh "$NAME" > "$WORK/http/nearest_vs_osrm.txt"
bash benches/peers/isochrone_vs_valhalla.sh "$NAME" > "$WORK/http/isochrone_vs_valhalla.txt"
OB=$("$WORK/venv-osrm/bin/python" -c "import osrm, os; print(os.path.dirname(osrm.__file__))")
VB=$("$WORK/venv-valhalla/bin/python" -c "import valhalla, os; print(os.path.dirname(valhalla.__file__))")/bin

cargo build --release -q -p reach-server -p reach-benches
reach="${CARGO_TARGET_DIR:-target}/release/reach"
# 5,000 random road points (more than the result cache holds, so isochrones
# are computed, not cached) and the stations, as the other scripts write them.
"${CARGO_TARGET_DIR:-target}/release/nearest_latency" "$NAME" --queries 5000 --batch 0 --write-points "$WORK/http/points" >/dev/null

# wrk scripts that cycle through the same points.
python3 - "$WORK" "$NAME" <<'PY'
import json, sys
work, name = sys.argv[1], sys.argv[2]
points = json.load(open(f"{work}/http/points.{name}.json"))
stations = json.load(open(f"{work}/http/points.{name}.stations.json"))
table = ";".join(f"{lon:.6f},{lat:.6f}" for lon, lat in stations)
lua_points = ",".join(f"{{{lon:.6f},{lat:.6f}}}" for lon, lat in points)
def script(file, body):
    open(f"{work}/http/{file}", "w").write(f"local points = {{{lua_points}}}\nlocal i = 0\n" + body)
script("nearest.lua", 'request = function()\n  i = i % #points + 1\n  local p = points[i]\n'
       '  return wrk.format("GET", string.format("/api/v1/nearest?lon=%.6f&lat=%.6f&k=3&layer=stations", p[1], p[2]))\nend\n')
script("isochrones.lua", 'request = function()\n  i = i % #points + 1\n  local p = points[i]\n'
       '  return wrk.format("GET", string.format("/api/v1/isochrones?lon=%.6f&lat=%.6f&minutes=15&direction=from", p[1], p[2]))\nend\n')
script("osrm_table.lua", f'local table = "{table}"\nrequest = function()\n  i = i % #points + 1\n  local p = points[i]\n'
       '  return wrk.format("GET", string.format("/table/v1/bicycle/%.6f,%.6f;%s?sources=0", p[1], p[2], table))\nend\n')
script("valhalla.lua", 'request = function()\n  i = i % #points + 1\n  local p = points[i]\n'
       '  local body = string.format(\'{"locations":[{"lon":%.6f,"lat":%.6f}],"costing":"bicycle","contours":[{"time":15}],"polygons":true}\', p[1], p[2])\n'
       '  return wrk.format("POST", "/isochrone", {["Content-Type"]="application/json"}, body)\nend\n')
PY

# One wrk run: prints requests/s, p50, p99 and errors on one line.
load() {
  local label=$1 url=$2 script=$3
  local out
  out=$(wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency -s "$WORK/http/$script" "$url")
  local rps p50 p99 non2xx errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  errors=$(awk '/Socket errors/ {print $0}' <<<"$out")
  echo "$label: ${rps} requests/s, p50 ${p50}, p99 ${p99}, non-2xx ${non2xx:-0}, ${errors:-socket errors 0}"
}

wait_for() {
  for _ in $(seq 1 300); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "error: $1 did not come up" >&2; return 1
}

"$reach" serve "$PBF" --addr 127.0.0.1:8181 --quiet 2>/dev/null &
REACH_PID=$!
trap 'kill $REACH_PID 2>/dev/null || true; kill ${OSRM_PID:-0} 2>/dev/null || true; kill ${VALHALLA_PID:-0} 2>/dev/null || true' EXIT
wait_for http://127.0.0.1:8181/ready
load "reach /nearest (k=3, stations)" http://127.0.0.1:8181 nearest.lua
load "reach /isochrones (15 min polygon)" http://127.0.0.1:8181 isochrones.lua
kill $REACH_PID; wait $REACH_PID 2>/dev/null || true

"$OB/bin/osrm-routed" --algorithm ch -i 127.0.0.1 -p 5055 "$WORK/osrm/$NAME/ch/$NAME.osrm" >/dev/null 2>&1 &
OSRM_PID=$!
wait_for "http://127.0.0.1:5055/nearest/v1/bicycle/8.69,49.41"
load "osrm-routed /table 1x$(python3 -c "import json;print(len(json.load(open('$WORK/http/points.$NAME.stations.json'))))") (CH)" http://127.0.0.1:5055 osrm_table.lua
kill $OSRM_PID; wait $OSRM_PID 2>/dev/null || true

config="$WORK/valhalla/$NAME/valhalla.json"
python3 -c "import json;c=json.load(open('$config'));c['httpd']['service']['listen']='tcp://127.0.0.1:8002';json.dump(c,open('$WORK/http/valhalla.json','w'),indent=1)"
"$VB/valhalla_service" "$WORK/http/valhalla.json" 2 >/dev/null 2>&1 &
VALHALLA_PID=$!
wait_for "http://127.0.0.1:8002/status"
load "valhalla_service /isochrone (15 min, bicycle)" http://127.0.0.1:8002 valhalla.lua
