"""rasa_sdk_plugins/action_auth.py: the action server runs nothing for a caller without the
shared secret, as `rasa run actions` starts it (rasa-sdk's app and its plugin hook); without
the secret set it starts and answers callers on this machine only."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic

from booking_core.settings import get_settings
from rasa_sdk_plugins.action_auth import refusal, token_from_env
from tests.connectors.conftest import serve

TOKEN = "action-secret-0123456789"
#: A forged call: another tenant's conversation, asking for its agenda.
CALL: dict[str, Any] = {
    "next_action": "action_show_agenda",
    "sender_id": "bravo:whatsapp:447700900123",
    "tracker": {"sender_id": "bravo:whatsapp:447700900123", "slots": {}, "events": [],
                "latest_message": {"text": "what's on", "metadata": {"tenant": "bravo"}}},
    "domain": {},
    "version": "3.6.21",
}  # fmt: skip


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The plugins migrate the SQLite database on start: a fresh one of this test's."""
    path = tmp_path / "actions.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def locked_app(monkeypatch: pytest.MonkeyPatch, token: str | None) -> Sanic:
    """rasa-sdk's own app for the project's actions, extended by the plugins as its `run` does."""
    if token is None:
        monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    else:
        monkeypatch.setenv("ACTION_SERVER_TOKEN", token)
    Sanic.test_mode = True
    app = create_app("actions")
    app.name = f"actions_test_{uuid.uuid4().hex}"
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
        ({"Authorization": "Bearer"}, 401),
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": f"Bearer {TOKEN}x"}, 403),
    ],
)
async def test_calls_without_the_token_are_refused_before_any_action(
    monkeypatch: pytest.MonkeyPatch, headers: dict[str, str], status: int
) -> None:
    import actions.calendar_changes as changes

    ran: list[str] = []

    async def run(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        ran.append(tracker.sender_id)
        return []

    monkeypatch.setattr(changes.ActionShowAgenda, "run", run)
    async with serve(locked_app(monkeypatch, TOKEN)) as url, httpx.AsyncClient() as client:
        webhook = await client.post(f"{url}/webhook", json=CALL, headers=headers)
        listing = await client.get(f"{url}/actions", headers=headers)
        health = await client.get(f"{url}/health")
    assert (webhook.status_code, listing.status_code) == (status, status)
    assert "agenda" not in webhook.text and ran == []
    assert health.status_code == 200


async def test_the_token_opens_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import actions.calendar_changes as changes

    ran: list[str] = []

    async def run(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        ran.append(tracker.sender_id)
        return []

    monkeypatch.setattr(changes.ActionShowAgenda, "run", run)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with serve(locked_app(monkeypatch, TOKEN)) as url, httpx.AsyncClient() as client:
        listing = await client.get(f"{url}/actions", headers=headers)
        webhook = await client.post(f"{url}/webhook", json=CALL, headers=headers)
    assert listing.status_code == 200
    assert {"name": "action_show_agenda"} in listing.json()
    assert webhook.status_code == 200 and ran == [CALL["sender_id"]]


async def test_without_a_token_it_starts_and_serves_this_machine(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import actions.calendar_changes as changes

    ran: list[str] = []

    async def run(self: Any, dispatcher: Any, tracker: Any, domain: Any) -> list[Any]:
        ran.append(tracker.sender_id)
        return []

    monkeypatch.setattr(changes.ActionShowAgenda, "run", run)
    caplog.set_level(logging.INFO, logger="rasa_sdk_plugins.action_auth")
    app = locked_app(monkeypatch, None)
    [line] = [r.getMessage() for r in caplog.records if r.name == "rasa_sdk_plugins.action_auth"]
    assert "ACTION_SERVER_TOKEN is not set" in line and "loopback" in line
    async with serve(app) as url, httpx.AsyncClient() as client:
        webhook = await client.post(f"{url}/webhook", json=CALL)  # from 127.0.0.1
    assert webhook.status_code == 200 and ran == [CALL["sender_id"]]


def test_a_blank_token_counts_as_unset() -> None:
    assert token_from_env({"ACTION_SERVER_TOKEN": "  "}) is None
    assert token_from_env({}) is None
    assert token_from_env({"ACTION_SERVER_TOKEN": " t "}) == "t"


def test_refusal_is_pure_and_keeps_health_open() -> None:
    assert refusal(None, "/health", TOKEN, "127.0.0.1") is None
    assert refusal(f"bearer {TOKEN}", "/webhook", TOKEN, "192.0.2.2") is None
    assert refusal(None, "/webhook", TOKEN, "127.0.0.1") == (401, "missing bearer token")
    assert refusal("Bearer nope", "/actions", TOKEN, "127.0.0.1") == (403, "bad token")
    # Without the token: this machine only, judged by the socket's peer.
    assert refusal(None, "/webhook", None, "127.0.0.1") is None
    status, reason = refusal(None, "/webhook", None, "192.0.2.2") or (0, "")
    assert status == 403 and "ACTION_SERVER_TOKEN" in reason
    assert refusal(None, "/health", None, "192.0.2.2") is None


def test_the_plugins_migrate_a_fresh_database_before_serving(
    monkeypatch: pytest.MonkeyPatch, database: Path
) -> None:
    from sqlalchemy import create_engine, inspect

    from booking_core.db import first_use

    monkeypatch.setattr(first_use, "_checked", set())
    assert not database.exists()
    locked_app(monkeypatch, TOKEN)
    engine = create_engine(f"sqlite:///{database}")
    assert {"calendar_events", "tenants", "messages"} <= set(inspect(engine).get_table_names())
    engine.dispose()
