#!/usr/bin/env bash
# Production-shaped run on this machine: N Rasa servers and M action servers against the
# local PostgreSQL (app database + SQL tracker store) and Redis (lock store), plus the admin
# API and the pending-calendar worker. Ctrl-C stops everything.
#   RASA_PROCESSES=2 ACTION_PROCESSES=2 make run-prod
# Rasa's HTTP API and the action servers need their tokens (RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN;
# `make` generates them into var/secrets/ when unset); Rasa, the action servers and the admin API
# listen on 127.0.0.1, the ingest process (signed webhooks only) on INGEST_HOST (0.0.0.0). The
# REST channel is on only with REST_CHANNEL_TOKEN.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_AUTH_TOKEN:?RASA_AUTH_TOKEN is required in production}"
: "${ACTION_SERVER_TOKEN:?ACTION_SERVER_TOKEN is required in production}"
export RASA_TELEMETRY_ENABLED=${RASA_TELEMETRY_ENABLED:-false}
N=${RASA_PROCESSES:-2}
M=${ACTION_PROCESSES:-2}
export DATABASE_URL=${DATABASE_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/booking}
export TRACKER_STORE_URL=${TRACKER_STORE_URL:-$DATABASE_URL}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
# Only the ingest process sends replies: a Rasa process dying never interrupts a send.
export OUTBOX_SENDER=ingest
INGEST_PORT=${INGEST_PORT:-5050}
mkdir -p var/log var/prod
pids=()
cleanup() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
}
trap cleanup INT TERM EXIT

.venv/bin/python - <<'PY'
import os
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
url = make_url(os.environ["DATABASE_URL"])
if url.get_backend_name() == "postgresql":
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname=:n"), {"n": url.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
PY
.venv/bin/python -m booking_core.db.migrate
.venv/bin/python scripts/enabled_credentials.py --production --out var/credentials.enabled.yml

for i in $(seq 0 $((M - 1))); do
  SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --port $((5055 + i)) >"var/log/actions-$i.log" 2>&1 &
  pids+=($!)
done
RASA_URL=${RASA_URL:-http://127.0.0.1:5005} .venv/bin/python -m api >var/log/api.log 2>&1 &
pids+=($!)
.venv/bin/python -m connectors.ingest --host "${INGEST_HOST:-0.0.0.0}" --port "$INGEST_PORT" \
  --credentials var/credentials.enabled.yml \
  --workers "${INGEST_WORKERS:-2}" >var/log/ingest.log 2>&1 &
pids+=($!)
.venv/bin/python -m booking_core.worker --interval 30 >var/log/worker.log 2>&1 &
pids+=($!)
for i in $(seq 0 $((N - 1))); do
  sed "s#http://localhost:5055/webhook#http://127.0.0.1:$((5055 + i % M))/webhook#" endpoints.yml \
    >"var/prod/endpoints-$i.yml"
  .venv/bin/rasa run --model models/booking.tar.gz --enable-api --auth-token "$RASA_AUTH_TOKEN" \
    --interface 127.0.0.1 --port $((5005 + i)) \
    --endpoints "var/prod/endpoints-$i.yml" --credentials var/credentials.enabled.yml \
    >"var/log/rasa-$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 0 $((N - 1))); do
  until curl -fs "http://127.0.0.1:$((5005 + i))/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1; do sleep 1; done
done
echo "Running the ingest process on :$INGEST_PORT (point the platform webhooks here),"
echo "$N Rasa servers on ports 5005-$((5004 + N)) and $M action servers on 5055-$((5054 + M))"
echo "against $DATABASE_URL and $REDIS_URL. Put a load balancer in front of the Rasa ports. Ctrl-C stops."
wait -n "${pids[@]}"
