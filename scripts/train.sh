#!/usr/bin/env bash
# Trains models/booking.tar.gz unless it exists and was trained from the same inputs
# (a fingerprint of data/, config.yml, domain.yml and the custom NLU code).
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/booking.tar.gz
fp_file=models/booking.fingerprint
fingerprint=$(find data nlu config.yml domain.yml -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' \) \
  -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ "${1:-}" = "--fingerprint" ]; then  # what the model would be trained from, for make eval
  echo "$fingerprint"
  exit 0
fi
if [ -f "$model" ] && [ -f "$fp_file" ] && [ "$(cat "$fp_file")" = "$fingerprint" ]; then
  echo "Model is up to date ($model)."
  exit 0
fi
echo "Training $model ..."
start=$(date +%s)
.venv/bin/rasa train --fixed-model-name booking --out models --quiet
echo "$fingerprint" > "$fp_file"
echo "Trained in $(( $(date +%s) - start )) s."
