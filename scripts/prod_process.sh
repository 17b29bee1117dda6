#!/usr/bin/env bash
# One production process as supervisord starts it (deploy/supervisord.conf):
#   scripts/prod_process.sh rasa|actions|ingest|api|worker <process number>
# Works out the process's port from its number (supervisord's config cannot add) and execs it,
# so supervisord's signals reach the process itself. Reads what scripts/run_prod.sh exports.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=$1
n=${2:-0}
case "$kind" in
  actions)
    export SANIC_HOST=${SANIC_HOST:-127.0.0.1}
    exec .venv/bin/rasa run actions --port $((ACTIONS_PORT + n))
    ;;
  rasa)
    endpoints="$PROD_RUN_DIR/endpoints-$n.yml"
    .venv/bin/python scripts/endpoints_file.py --out "$endpoints" \
      --actions-url "http://127.0.0.1:$((ACTIONS_PORT + n % ACTION_PROCESSES))/webhook"
    exec .venv/bin/rasa run --model "${RASA_MODEL:-models/booking.tar.gz}" --enable-api \
      --auth-token "$RASA_AUTH_TOKEN" --interface 127.0.0.1 --port $((RASA_PORT + n)) \
      --endpoints "$endpoints" --credentials "$PROD_CREDENTIALS"
    ;;
  ingest)
    # Every ingest process listens on the same port (SO_REUSEPORT): one dying leaves the
    # others answering the platforms.
    exec .venv/bin/python -m connectors.ingest --host "$INGEST_HOST" --port "$INGEST_PORT" \
      --credentials "$PROD_CREDENTIALS" --reuse-port --workers 1
    ;;
  api)
    # /ready reports every process by its token-free health URL (api/routes/health.py).
    deps="ingest=http://127.0.0.1:$INGEST_PORT/ready"
    for i in $(seq 0 $((RASA_PROCESSES - 1))); do deps+=",rasa-$i=http://127.0.0.1:$((RASA_PORT + i))/"; done
    for i in $(seq 0 $((ACTION_PROCESSES - 1))); do deps+=",actions-$i=http://127.0.0.1:$((ACTIONS_PORT + i))/health"; done
    export API_PORT RASA_URL=${RASA_URL:-http://127.0.0.1:$RASA_PORT} READY_DEPENDENCIES=${READY_DEPENDENCIES:-$deps}
    exec .venv/bin/python -m api
    ;;
  worker)
    exec .venv/bin/python -m booking_core.worker --interval "${WORKER_INTERVAL:-30}" \
      --heartbeat "$PROD_RUN_DIR/worker.heartbeat"
    ;;
  *)
    echo "usage: $0 rasa|actions|ingest|api|worker <n>" >&2
    exit 2
    ;;
esac
