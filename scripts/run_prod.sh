#!/usr/bin/env bash
# Production-shaped run on this machine: N Rasa servers and M action servers against the
# local PostgreSQL (app database + SQL tracker store) and Redis (lock store), plus the admin
# API and the pending-calendar worker. Ctrl-C stops everything.
#   RASA_PROCESSES=2 ACTION_PROCESSES=2 make run-prod
set -euo pipefail
cd "$(dirname "$0")/.."
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
.venv/bin/python scripts/enabled_credentials.py --out var/credentials.enabled.yml

for i in $(seq 0 $((M - 1))); do
  .venv/bin/rasa run actions --port $((5055 + i)) >"var/log/actions-$i.log" 2>&1 &
  pids+=($!)
done
.venv/bin/python -m api >var/log/api.log 2>&1 &
pids+=($!)
.venv/bin/python -m connectors.ingest --port "$INGEST_PORT" --credentials var/credentials.enabled.yml \
  --workers "${INGEST_WORKERS:-2}" >var/log/ingest.log 2>&1 &
pids+=($!)
.venv/bin/python -m booking_core.worker --interval 30 >var/log/worker.log 2>&1 &
pids+=($!)
for i in $(seq 0 $((N - 1))); do
  sed "s#http://localhost:5055/webhook#http://localhost:$((5055 + i % M))/webhook#" endpoints.yml \
    >"var/prod/endpoints-$i.yml"
  .venv/bin/rasa run --model models/booking.tar.gz --enable-api --port $((5005 + i)) \
    --endpoints "var/prod/endpoints-$i.yml" --credentials var/credentials.enabled.yml \
    >"var/log/rasa-$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 0 $((N - 1))); do
  until curl -fs "http://localhost:$((5005 + i))/status" >/dev/null 2>&1; do sleep 1; done
done
echo "Running the ingest process on :$INGEST_PORT (point the platform webhooks here),"
echo "$N Rasa servers on ports 5005-$((5004 + N)) and $M action servers on 5055-$((5054 + M))"
echo "against $DATABASE_URL and $REDIS_URL. Put a load balancer in front of the Rasa ports. Ctrl-C stops."
wait -n "${pids[@]}"
