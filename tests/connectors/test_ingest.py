"""The ingest process's app: same paths and checks as inside Rasa, stores and acknowledges only;
a consuming channel (as in a Rasa process) then handles what it stored."""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid

import httpx
import pytest
from sanic import Sanic

from connectors import ingest
from connectors.ingest import create_app, event_loop_watchdog, ingest_services, shared_socket
from standins import webhooks as f
from standins.platform_apis import text_of
from tests.connectors.conftest import (
    WA_APP_SECRET,
    running,
    serve,
    whatsapp_channel,
    whatsapp_service,
)
from tests.connectors.helpers import messages
from tests.connectors.test_webhook import PLATFORM_ENV, ROOT


def test_ingest_loads_the_platform_channels_store_only(monkeypatch) -> None:
    for name, value in PLATFORM_ENV.items():
        monkeypatch.setenv(name, value)
    services = ingest_services(str(ROOT / "credentials.yml"))
    assert sorted(s.channel for s in services) == ["instagram", "telegram", "whatsapp"]
    assert not any(s.consume or s.send_replies for s in services)  # OUTBOX_SENDER unset
    wa = next(s for s in services if s.channel == "whatsapp").directory.env_account
    assert wa is not None and (wa.account_id, wa.app_secret) == ("1", "s")


def test_ingest_starts_a_platform_with_missing_variables_without_its_account(
    monkeypatch, caplog
) -> None:
    for name, value in PLATFORM_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")
    caplog.set_level(logging.INFO, logger="connectors.platform")
    services = {s.channel: s for s in ingest_services(str(ROOT / "credentials.yml"))}
    assert services["telegram"].directory.env_account is None  # the database's bots only
    assert services["whatsapp"].directory.env_account is not None
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("telegram:") and "TELEGRAM_WEBHOOK_SECRET" in line


def test_ingest_sends_replies_only_when_it_is_the_outbox_sender(monkeypatch) -> None:
    for name, value in PLATFORM_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OUTBOX_SENDER", "ingest")
    services = ingest_services(str(ROOT / "credentials.yml"))
    assert all(s.send_replies and not s.consume for s in services)


async def test_ingest_acknowledges_and_a_rasa_process_answers(sqlite_settings, standin) -> None:
    Sanic.test_mode = True
    ingest = whatsapp_service(standin)
    app = create_app([ingest], name=f"ingest_{uuid.uuid4().hex}")
    body = f.body_bytes(f.wa_text("447700900020", "hello from ingest"))
    async with serve(app) as url, httpx.AsyncClient() as client:
        health = await client.get(url + "/health")
        bad = await client.post(url + "/whatsapp_webhook", content=body,
                                headers=f.meta_headers(body, "wrong secret"))  # fmt: skip
        ok = await client.post(url + "/whatsapp_webhook", content=body,
                               headers=f.meta_headers(body, WA_APP_SECRET))  # fmt: skip
        again = await client.post(url + "/whatsapp_webhook", content=body,
                                  headers=f.meta_headers(body, WA_APP_SECRET))  # fmt: skip
        await ingest.settle()  # nothing runs here to handle or send it
    assert not ingest.inbox.busy and not ingest.outbox.busy
    assert health.json() == {"status": "ok", "channels": ["whatsapp"]}
    assert (bad.status_code, ok.status_code, again.status_code) == (403, 200, 200)
    assert [m.status for m in messages(sqlite_settings, "in")] == ["received"]
    assert standin.messages("/whatsapp") == []

    async with running(whatsapp_channel(standin)) as rasa:
        await rasa.settle()
    assert [m.text for m in rasa.agent.messages] == ["hello from ingest"]
    replies = [r for r in standin.messages("/whatsapp") if r.json.get("type") == "text"]
    assert [text_of(r) for r in replies] == ["echo: hello from ingest"]
    assert [m.status for m in messages(sqlite_settings, "in")] == ["processed"]


async def test_watchdog_reports_a_stalled_event_loop(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="connectors.ingest")
    watchdog = asyncio.create_task(event_loop_watchdog(tick=0.01, warn_after=0.1))
    await asyncio.sleep(0.05)
    assert not [r for r in caplog.records if "stalled" in r.getMessage()]
    time.sleep(0.3)  # a blocking call inside the loop
    await asyncio.sleep(0.05)
    watchdog.cancel()
    [stall] = [r.getMessage() for r in caplog.records if "stalled" in r.getMessage()]
    assert 200 <= int(stall.split()[4]) < 1000, stall


async def test_ingest_stores_a_poisoned_batch_whole(db_settings, standin) -> None:
    from tests.connectors.test_accept import poisoned_whatsapp

    Sanic.test_mode = True
    app = create_app([whatsapp_service(standin)], name=f"ingest_{uuid.uuid4().hex}")
    body = f.body_bytes(poisoned_whatsapp())
    async with serve(app) as url, httpx.AsyncClient() as client:
        answer = await client.post(url + "/whatsapp_webhook", content=body,
                                   headers=f.meta_headers(body, WA_APP_SECRET))  # fmt: skip
    assert answer.status_code == 200
    rows = messages(db_settings, "in")
    assert len(rows) == 4 and rows[-1].text == "after the poison"
    assert {r.status for r in rows} == {"received"}


async def test_ingest_is_ready_only_while_the_database_answers(sqlite_settings, standin,
                                                                tmp_path) -> None:  # fmt: skip
    Sanic.test_mode = True
    ready_app = create_app([whatsapp_service(standin)], name=f"ingest_{uuid.uuid4().hex}")
    away = whatsapp_service(standin)
    away.database_url = f"sqlite:///{tmp_path}"  # a directory: no database opens there
    away_app = create_app([away], name=f"ingest_{uuid.uuid4().hex}")
    async with serve(ready_app) as url, httpx.AsyncClient() as client:
        ready = await client.get(url + "/ready")
    async with serve(away_app) as url, httpx.AsyncClient() as client:
        health = await client.get(url + "/health")
        not_ready = await client.get(url + "/ready")
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "ok"})
    assert health.status_code == 200  # alive: restarting it would not bring the database back
    assert (not_ready.status_code, not_ready.json()["database"]) == (503, "unreachable")


def test_shared_sockets_let_two_processes_listen_on_one_port() -> None:
    first = shared_socket("127.0.0.1", 0)
    try:
        second = shared_socket("127.0.0.1", first.getsockname()[1])
        second.close()
    finally:
        first.close()


def test_workers_never_share_a_claimer_id(monkeypatch) -> None:
    monkeypatch.setenv("CLAIMER_ID", "ingest-0")
    monkeypatch.delenv("DATABASE_PRE_PING", raising=False)  # main() sets it
    monkeypatch.setattr(ingest, "ingest_services", lambda path: [])
    with pytest.raises(SystemExit):  # no channel configured: stops before serving
        ingest.main(["--workers", "2"])
    assert "CLAIMER_ID" not in os.environ
