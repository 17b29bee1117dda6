#!/usr/bin/env bash
# Starts the action server, the admin API and the Rasa server (or `rasa shell` with
# `run.sh shell`) and stops all of them on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-server}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
API_PORT=${API_PORT:-8000}
mkdir -p var/log
pids=()
cleanup() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    echo "Stopping..." >&2
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap cleanup INT TERM EXIT

.venv/bin/python scripts/enabled_credentials.py --out var/credentials.enabled.yml
.venv/bin/rasa run actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
API_PORT="$API_PORT" .venv/bin/python -m api >var/log/api.log 2>&1 &
pids+=($!)
# Completes calendar writes that an outage left pending (runs once now, then every 30 s).
.venv/bin/python -m booking_core.worker --interval 30 >var/log/worker.log 2>&1 &
pids+=($!)

if [ "$mode" = shell ]; then
  echo "Action server on :$ACTIONS_PORT (log var/log/actions.log). Type your messages; /stop to quit."
  .venv/bin/rasa shell --model models/booking.tar.gz --endpoints endpoints.yml
  exit 0
fi

.venv/bin/rasa run --model models/booking.tar.gz --enable-api --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials var/credentials.enabled.yml >var/log/rasa.log 2>&1 &
pids+=($!)
echo "Starting (logs in var/log/) ..."
for _ in $(seq 1 120); do
  if curl -fs "http://localhost:$RASA_PORT/status" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[3]}" 2>/dev/null; then echo "Rasa server exited; see var/log/rasa.log" >&2; exit 1; fi
  sleep 1
done
cat <<MSG

The booking assistant is running. Talk to it:
  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "me", "message": "book a haircut tomorrow at 3pm for 45 minutes"}'
Rasa server  http://localhost:$RASA_PORT   (REST channel: /webhooks/rest/webhook)
Actions      http://localhost:$ACTIONS_PORT
Admin API    http://localhost:$API_PORT    (/health, /docs)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
echo "A process exited; see var/log/." >&2
