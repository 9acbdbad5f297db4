#!/usr/bin/env bash
# Installs the web map's npm packages (pinned in server/web/package-lock.json)
# into server/web/node_modules: MapLibre GL JS, which the server serves
# itself, and playwright-core for the browser test. Nothing is fetched from
# the internet when the map runs. Does nothing when they are already there.
set -euo pipefail
cd "$(dirname "$0")/../server/web"
if [ -f node_modules/maplibre-gl/dist/maplibre-gl.js ] && [ -d node_modules/playwright-core ]; then
  exit 0
fi
echo "installing the web map's npm packages" >&2
npm ci --no-audit --no-fund --loglevel=error
