#!/usr/bin/env bash
# Production-shaped run on this machine, under supervisord (deploy/supervisord.conf): N Rasa
# servers and M action servers against the local PostgreSQL (app database + SQL tracker store)
# and Redis (lock store), plus K ingest processes, the admin API and the pending-calendar worker.
# A process that dies is restarted (with back-off when it keeps failing at start-up) while the
# others keep serving; Ctrl-C or SIGTERM stops everything gracefully.
#   RASA_PROCESSES=2 ACTION_PROCESSES=2 INGEST_PROCESSES=2 make run-prod
#   .venv/bin/supervisorctl -c deploy/supervisord.conf status   (PROD_RUN_DIR as here)
# Rasa's HTTP API and the action servers need their tokens (RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN;
# `make` generates them into var/secrets/ when unset); Rasa, the action servers and the admin API
# listen on 127.0.0.1, the ingest processes (signed webhooks only) on INGEST_HOST (0.0.0.0). The
# REST channel is on only with REST_CHANNEL_TOKEN. Ports: Rasa RASA_PORT.. (5005), action
# servers ACTIONS_PORT.. (5055), ingest INGEST_PORT (5050, shared), admin API API_PORT (8000).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${RASA_AUTH_TOKEN:?RASA_AUTH_TOKEN is required in production}"
: "${ACTION_SERVER_TOKEN:?ACTION_SERVER_TOKEN is required in production}"
export RASA_TELEMETRY_ENABLED=${RASA_TELEMETRY_ENABLED:-false}
export RASA_PROCESSES=${RASA_PROCESSES:-2}
export ACTION_PROCESSES=${ACTION_PROCESSES:-2}
export INGEST_PROCESSES=${INGEST_PROCESSES:-2}
export RASA_PORT=${RASA_PORT:-5005}
export ACTIONS_PORT=${ACTIONS_PORT:-5055}
export INGEST_PORT=${INGEST_PORT:-5050}
export INGEST_HOST=${INGEST_HOST:-0.0.0.0}
export API_PORT=${API_PORT:-8000}
export DATABASE_URL=${DATABASE_URL:-postgresql+psycopg2://postgres@127.0.0.1:5432/booking}
export TRACKER_STORE_URL=${TRACKER_STORE_URL:-$DATABASE_URL}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
# Only the ingest processes send replies: a Rasa process dying never interrupts a send.
export OUTBOX_SENDER=ingest
export PROD_RUN_DIR=${PROD_RUN_DIR:-$PWD/var/prod}
export PROD_LOG_DIR=${PROD_LOG_DIR:-$PWD/var/log}
export PROD_CREDENTIALS=$PROD_RUN_DIR/credentials.enabled.yml
for count in RASA_PROCESSES ACTION_PROCESSES INGEST_PROCESSES; do
  [[ ${!count} =~ ^[1-9][0-9]*$ ]] || { echo "$count must be a positive number" >&2; exit 2; }
done
mkdir -p "$PROD_RUN_DIR" "$PROD_LOG_DIR"

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
.venv/bin/python scripts/enabled_credentials.py --production --out "$PROD_CREDENTIALS"

echo "Starting under supervisord: ingest x$INGEST_PROCESSES on :$INGEST_PORT (point the platform"
echo "webhooks here), $RASA_PROCESSES Rasa servers on ports $RASA_PORT-$((RASA_PORT + RASA_PROCESSES - 1)),"
echo "$ACTION_PROCESSES action servers on $ACTIONS_PORT-$((ACTIONS_PORT + ACTION_PROCESSES - 1)), the admin API on :$API_PORT,"
echo "against $DATABASE_URL and $REDIS_URL. Logs in $PROD_LOG_DIR. Ctrl-C stops."
exec .venv/bin/supervisord -n -c deploy/supervisord.conf
