# One image for the three processes (Rasa server, action server, admin API); the command
# chooses the role (see docker-compose.yml). Python 3.10: Rasa 3.6 does not run on 3.11+.
FROM python:3.10-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends gcc curl && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
ENV PYTHONPATH=/app TF_CPP_MIN_LOG_LEVEL=2
RUN rasa train --fixed-model-name booking --out models
CMD ["rasa", "run", "--model", "models/booking.tar.gz", "--enable-api", "--endpoints", "endpoints.docker.yml", "--credentials", "credentials.yml"]
