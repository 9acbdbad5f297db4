#!/usr/bin/env bash
# Installs the notebooks' Python packages (notebooks/requirements.txt, pinned)
# into a virtual environment outside the checkout, $REACH_VENV (default
# ~/.cache/reach/venv-notebooks). Does nothing when that requirements file is
# already installed there. Prints the environment's python.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${REACH_VENV:-$HOME/.cache/reach/venv-notebooks}"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum notebooks/requirements.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "installing the notebooks' Python packages into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r notebooks/requirements.txt >&2
  echo "$wanted" > "$stamp"
fi
echo "$venv/bin/python"
