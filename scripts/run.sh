#!/usr/bin/env bash
# Starts the action server, the admin API and the Rasa server (or `rasa shell` with
# `run.sh shell`) and stops all of them on Ctrl-C. Run through `make run`/`make shell`, which
# export RASA_AUTH_TOKEN and ACTION_SERVER_TOKEN (generated into var/secrets/ when unset).
# Every port listens on 127.0.0.1 only: put a reverse proxy in front for the platforms.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-server}
RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
API_PORT=${API_PORT:-8000}
: "${RASA_AUTH_TOKEN:?RASA_AUTH_TOKEN is not set (make run sets it)}"
: "${ACTION_SERVER_TOKEN:?ACTION_SERVER_TOKEN is not set (make run sets it)}"
export RASA_TELEMETRY_ENABLED=${RASA_TELEMETRY_ENABLED:-false}
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
# The action server Rasa calls: on ACTIONS_PORT (a second instance must not reach the first's),
# with ACTION_SERVER_TOKEN in its Authorization header.
.venv/bin/python scripts/endpoints_file.py --actions-url "http://127.0.0.1:$ACTIONS_PORT/webhook" \
  --out var/endpoints.yml
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
# The admin API calls Rasa's HTTP API (readiness, erasing a tracker) with its token.
API_HOST=${API_HOST:-127.0.0.1} API_PORT="$API_PORT" RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT} \
  .venv/bin/python -m api >var/log/api.log 2>&1 &
pids+=($!)
# Completes calendar writes that an outage left pending (runs once now, then every 30 s).
.venv/bin/python -m booking_core.worker --interval 30 >var/log/worker.log 2>&1 &
pids+=($!)

if [ "$mode" = shell ]; then
  echo "Action server on 127.0.0.1:$ACTIONS_PORT (log var/log/actions.log). Type your messages; /stop to quit."
  .venv/bin/rasa shell --model models/booking.tar.gz --endpoints var/endpoints.yml \
    --interface 127.0.0.1 --port "$RASA_PORT" --auth-token "$RASA_AUTH_TOKEN"
  exit 0
fi

.venv/bin/rasa run --model models/booking.tar.gz --enable-api --auth-token "$RASA_AUTH_TOKEN" \
  --interface 127.0.0.1 --port "$RASA_PORT" --endpoints var/endpoints.yml \
  --credentials var/credentials.enabled.yml >var/log/rasa.log 2>&1 &
pids+=($!)
echo "Starting (logs in var/log/) ..."
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${pids[3]}" 2>/dev/null; then echo "Rasa server exited; see var/log/rasa.log" >&2; exit 1; fi
  sleep 1
done
cat <<MSG

The booking assistant is running (every port on 127.0.0.1 only). Talk to it:
  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
       -d '{"sender": "me", "message": "can I book a haircut tomorrow at 3"}'
Rasa server  http://127.0.0.1:$RASA_PORT   (REST channel: /webhooks/rest/webhook; the HTTP API needs ?token=\$RASA_AUTH_TOKEN, in var/secrets/rasa_auth_token)
Actions      http://127.0.0.1:$ACTIONS_PORT   (Rasa calls it with ACTION_SERVER_TOKEN)
Admin API    http://127.0.0.1:$API_PORT    (/health, /docs)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
echo "A process exited; see var/log/." >&2
