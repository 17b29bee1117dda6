#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 runs on 3.8-3.10 only), or explains
# what to install and exits 1.
set -u
candidates=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for p in "$root"/versions/3.10*/bin/python3.10; do candidates+=("$p"); done
fi
for p in "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 found. Rasa Open Source 3.6 needs Python 3.10 (it does not run on 3.11+).
Install one of:
  - pyenv:   pyenv install 3.10.13        (https://github.com/pyenv/pyenv)
  - Debian/Ubuntu: sudo apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
  - macOS:   brew install python@3.10
then run the make command again.
MSG
exit 1
