#!/usr/bin/env bash
# The whole test suite: installs the test tools if missing, then runs every
# Rust test of the workspace (unit, end-to-end on ../shared/data, CLI, GDAL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-tools.sh
cargo test --workspace "$@"
