#!/usr/bin/env bash
# The whole test suite: installs the test tools if missing, runs every Rust
# test of the workspace (unit, end-to-end on ../shared/data, CLI, HTTP, GDAL,
# the web map in Chromium), then executes both planner notebooks against
# `reach serve` on the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-tools.sh
cargo test --workspace "$@"
bash scripts/run-notebooks.sh
