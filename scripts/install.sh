#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs requirements.lock into it. Skipped when the
# lock's hash equals the one recorded at the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.lock-sha256
want=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
if [ ! -x .venv/bin/python ]; then
  py=$(scripts/find_python310.sh)
  echo "Creating .venv with $py"
  "$py" -m venv .venv
fi
echo "Installing requirements.lock into .venv (first time: a few minutes)"
.venv/bin/python -m pip install --quiet --upgrade pip wheel
.venv/bin/python -m pip install --quiet -r requirements.lock
echo "$want" > "$stamp"
