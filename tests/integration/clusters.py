"""The two running assistants the end-to-end tests share, one of each configuration.

Starting a Rasa server (TensorFlow, the trained model, the parsers' warm-up) is what the
end-to-end tests spend most of their time on, so each configuration is started once per test
session (session fixtures in tests/conftest.py) and every test that needs it uses that one:

- embedded: the `make run` defaults (SQLite, trackers in memory, built-in calendar) with the
  REST channel and the WhatsApp, Telegram and Instagram channels against the platform stand-in.
  Used by the channel tests and the REST booking tests.
- production: two Rasa processes, one action server and the ingest process on the real
  PostgreSQL (app database and SQLTrackerStore) and Redis (RedisLockStore); the ingest process
  sends every reply (OUTBOX_SENDER=ingest). Used by the fault tests and the REST booking tests.

Tests sharing one assistant keep apart by their own sender ids, users and calendar slots.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from standins import webhooks as f
from standins.platform_apis import StandIn
from tests.integration import servers

WA_SECRET, TG_SECRET, IG_SECRET = "e2e-wa-secret", "e2e_tg_secret", "e2e-ig-secret"
CHANNEL_ENV = {
    "WHATSAPP_VERIFY_TOKEN": "e2e-verify",
    "WHATSAPP_APP_SECRET": WA_SECRET,
    "WHATSAPP_ACCESS_TOKEN": "e2e-wa-token",
    "WHATSAPP_PHONE_NUMBER_ID": f.PHONE_NUMBER_ID,
    "TELEGRAM_BOT_TOKEN": f.BOT_TOKEN,
    "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
    "INSTAGRAM_APP_ID": "e2e-app",
    "INSTAGRAM_APP_SECRET": IG_SECRET,
    "INSTAGRAM_PAGE_ID": f.IG_ACCOUNT_ID,
    "INSTAGRAM_ACCESS_TOKEN": "e2e-ig-token",
    "INSTAGRAM_VERIFY_TOKEN": "e2e-ig-verify",
}
FAULT_APP_SECRET = "fault-wa-secret"


def base_env() -> dict[str, str]:
    """The test process's environment without the production stores, plus what every run sets."""
    env = {
        **os.environ,
        "DEFAULT_TIMEZONE": "Europe/London",
        "PYTHONPATH": str(servers.ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_HOST": "127.0.0.1",  # the action server's interface (rasa-sdk reads it)
        **servers.TOKENS,
    }
    for name in ("TRACKER_STORE_URL", "REDIS_URL", "REST_CHANNEL_TOKEN"):
        env.pop(name, None)
    return env


def migrate(env: dict[str, str], url: str | None = None) -> None:
    """`python -m booking_core.db.migrate`: schema plus the default tenant."""
    subprocess.run([sys.executable, "-m", "booking_core.db.migrate", *([url] if url else [])],
                   cwd=servers.ROOT, env=env, check=True)  # fmt: skip


@contextmanager
def embedded(work: Path) -> Iterator[dict[str, Any]]:
    """Action server and Rasa server with REST and the three channels, on a fresh SQLite file."""
    servers.require_model()
    with StandIn() as standin:
        db_url = f"sqlite:///{work / 'booking.db'}"
        env = {
            **base_env(),
            **CHANNEL_ENV,
            "DATABASE_URL": db_url,
            "WHATSAPP_API_URL": f"{standin.url}/whatsapp/v21.0",
            "TELEGRAM_API_URL": f"{standin.url}/telegram",
            "INSTAGRAM_API_URL": f"{standin.url}/instagram/v23.0",
        }
        migrate(env)
        credentials = servers.credentials_file(work, env)
        url, procs = servers.start_assistant(env, work, credentials)
        try:
            yield {
                "url": url,
                "actions_url": (work / "actions.url").read_text(),
                "db_url": db_url,
                "env": env,
                "standin": standin,
                "log": work / "rasa.log",
            }
        finally:
            servers.stop(procs)


def production_rasa_cmd(port: int, endpoints: Path) -> list[str]:
    """`rasa run` for the production cluster (its credentials file beside its endpoints)."""
    return servers.rasa_cmd(port, endpoints, endpoints.with_name("credentials.yml"))


@contextmanager
def production(work: Path, postgres_url: str, redis_url: str) -> Iterator[dict[str, Any]]:
    """Two Rasa processes + one action server + ingest on PostgreSQL and Redis, WhatsApp
    stand-in; REST and WhatsApp channels on both Rasa processes."""
    servers.require_model()
    with StandIn() as standin:
        env = {
            **base_env(),
            "DATABASE_URL": postgres_url,
            "TRACKER_STORE_URL": postgres_url,
            "REDIS_URL": redis_url,
            "REDIS_LOCK_KEY_PREFIX": f"prod-{uuid.uuid4().hex[:8]}:",
            "WHATSAPP_VERIFY_TOKEN": "fault-verify",
            "WHATSAPP_APP_SECRET": FAULT_APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": "fault-token",
            "WHATSAPP_PHONE_NUMBER_ID": f.PHONE_NUMBER_ID,
            "WHATSAPP_API_URL": f"{standin.url}/whatsapp/v21.0",
            # Short enough for the crash test to take over a dead process's messages quickly.
            "INBOX_LEASE_SECONDS": "10",
            "TICKET_LOCK_LIFETIME": "10",
            "OUTBOX_SENDER": "ingest",
            # Production serves the REST channel only with its token.
            "REST_CHANNEL_TOKEN": servers.REST_TOKEN,
        }
        credentials = servers.credentials_file(work, env, production=True)
        migrate(env, postgres_url)
        actions_port, ingest_port = servers.free_port(), servers.free_port()
        endpoints = servers.endpoints_file(work, actions_port)
        ports = [servers.free_port(), servers.free_port()]
        procs: list[subprocess.Popen[bytes]] = []
        try:
            procs.append(servers.start(servers.actions_cmd(actions_port), env,
                                       work / "actions.log"))  # fmt: skip
            for i, port in enumerate(ports):
                procs.append(servers.start(production_rasa_cmd(port, endpoints), env,
                                           work / f"rasa-{i}.log"))  # fmt: skip
            procs.append(servers.start(servers.ingest_cmd(ingest_port, credentials), env,
                                       work / "ingest.log"))  # fmt: skip
            servers.wait_for(f"http://127.0.0.1:{actions_port}/health", procs[0],
                             work / "actions.log")  # fmt: skip
            ingest_url = f"http://127.0.0.1:{ingest_port}"
            servers.wait_for(f"{ingest_url}/health", procs[3], work / "ingest.log")
            for i, port in enumerate(ports):
                servers.wait_for(f"http://127.0.0.1:{port}/", procs[i + 1],
                                 work / f"rasa-{i}.log")  # fmt: skip
            yield {
                "ingest": ingest_url,
                "actions_url": f"http://127.0.0.1:{actions_port}",
                "urls": [f"http://127.0.0.1:{p}" for p in ports],
                "standin": standin,
                "env": env,
                "endpoints": endpoints,
                "credentials": credentials,
                "db_url": postgres_url,
                "work": work,
                "procs": procs,
                "ports": ports,
            }
        finally:
            servers.stop(procs)
