#!/usr/bin/env bash
# Installs what the test suite needs besides Rust: GDAL's ogrinfo (Debian
# gdal-bin), which checks that every GeoJSON we write opens in a real GIS
# reader. Does nothing when it is already there.
set -euo pipefail
if command -v ogrinfo >/dev/null 2>&1; then
  exit 0
fi
echo "installing gdal-bin (ogrinfo) for the GIS reader tests" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gdal-bin >/dev/null
