#!/usr/bin/env bash
# Installs what the test suite needs besides Rust, each only when missing:
# - GDAL's ogrinfo (Debian gdal-bin), which checks that every GeoJSON we
#   write opens in a real GIS reader;
# - Chromium (Debian chromium), the real browser of the web-map test, and
#   Node.js with npm (Debian nodejs, npm) to drive it;
# - Python's venv module (Debian python3-venv) and curl, for the notebooks;
# - the web map's npm packages (MapLibre GL JS, playwright-core), by
#   scripts/install-web.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
command -v ogrinfo >/dev/null 2>&1 || packages+=(gdal-bin)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
python3 -m venv --help >/dev/null 2>&1 || packages+=(python3-venv)
command -v curl >/dev/null 2>&1 || packages+=(curl)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} for the tests" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
bash scripts/install-web.sh
