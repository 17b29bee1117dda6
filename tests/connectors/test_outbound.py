"""Rasa's output channels of the platforms: `PlatformOutput` collects a turn's answer as
platform requests; `QueuedOutput` serves `POST /conversations/{id}/trigger_intent
?output_channel=<platform>` through the public send API, for the tenant the conversation id
names, and refuses other channels' and unknown tenants' conversations."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from rasa.core import run as rasa_run
from rasa.core.lock_store import InMemoryLockStore
from rasa.shared.core.domain import Domain

import connectors.send as send
from connectors.outbound import PlatformOutput, QueuedOutput
from connectors.whatsapp.platform import WhatsAppPlatform
from tests.connectors.conftest import FakeAgent, serve, telegram_channel, whatsapp_channel
from tests.connectors.helpers import add_tenant

REMINDER = {"text": "Your table is ready", "buttons": [{"title": "On my way", "payload": "/ok"}]}


@dataclass
class TriggeringAgent(FakeAgent):
    """Enough of Rasa's Agent for trigger_intent: the intent's answer is REMINDER."""

    lock_store: InMemoryLockStore = field(default_factory=InMemoryLockStore)
    domain: Domain = field(default_factory=lambda: Domain.from_dict({"intents": ["remind"]}))

    def is_ready(self) -> bool:
        return True

    @property
    def processor(self) -> TriggeringAgent:
        return self

    async def fetch_tracker_and_update_session(self, sender_id: str) -> Any:
        return await self.tracker_store.get_or_create_tracker(sender_id)

    async def trigger_intent(self, *, intent_name: str, entities: Any, output_channel: Any,
                             tracker: Any) -> None:  # fmt: skip
        await output_channel.send_response(tracker.sender_id, dict(REMINDER))


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake(database_url: str | None, **kw: Any) -> dict[str, Any]:
        calls.append(kw)
        return kw

    monkeypatch.setattr(send, "queue_message", fake)
    return calls


async def test_trigger_intent_queues_for_the_conversation_s_tenant_only(
    sqlite_settings, standin, queued, caplog
) -> None:
    from sanic import Sanic

    caplog.set_level(logging.ERROR, logger="connectors.outbound")
    acme = add_tenant(sqlite_settings, "acme")
    Sanic.test_mode = True
    app = rasa_run.configure_app([whatsapp_channel(standin), telegram_channel(standin)],
                                 enable_api=True, port=0)  # fmt: skip
    app.ctx.agent = TriggeringAgent()
    async with serve(app) as url, httpx.AsyncClient() as client:

        async def trigger(conversation: str, channel: str = "whatsapp") -> int:
            path = f"/conversations/{quote(conversation, safe=':')}/trigger_intent"
            answer = await client.post(url + path, params={"output_channel": channel},
                                       json={"name": "remind"})  # fmt: skip
            return answer.status_code

        statuses = [
            await trigger("acme:whatsapp:447700900001"),
            await trigger("acme:telegram:42", "telegram"),
            await trigger("acme:telegram:42"),  # another channel's conversation
            await trigger("nobody:whatsapp:447700900001"),  # no such tenant
            await trigger("not-a-conversation"),
        ]
    assert statuses == [200] * 5
    assert queued == [
        {"tenant_id": acme, "channel": "whatsapp", "recipient": "447700900001",
         "text": REMINDER["text"], "buttons": REMINDER["buttons"]},
        {"tenant_id": acme, "channel": "telegram", "recipient": "42",
         "text": REMINDER["text"], "buttons": REMINDER["buttons"]},
    ]  # fmt: skip
    errors = [r.getMessage() for r in caplog.records]
    assert any("not a whatsapp conversation" in e and "acme:telegram:42" in e for e in errors)
    assert any("no tenant 'nobody'" in e for e in errors)
    assert standin.requests == []  # queued, never sent from here


async def test_a_refused_message_is_logged_not_raised(sqlite_settings, monkeypatch, caplog):
    def refuse(database_url: str | None, **kw: Any) -> None:
        raise ValueError("the customer last wrote over 24 hours ago")

    monkeypatch.setattr(send, "queue_message", refuse)
    add_tenant(sqlite_settings, "acme")
    output = QueuedOutput("whatsapp", None)
    await output.send_text_message("acme:whatsapp:447700900001", "Late")
    assert output.queued == []
    assert any("24 hours" in r.getMessage() for r in caplog.records)


async def test_platform_output_collects_the_platform_s_requests() -> None:
    ctx = SimpleNamespace(recipient="447700900001")  # all a PlatformOutput reads of it
    output = PlatformOutput(ctx, WhatsAppPlatform())  # type: ignore[arg-type]
    await output.send_text_with_buttons("rasa's id", "Pick one", [{"title": "A", "payload": "a"}])
    await output.send_image_url("rasa's id", "https://example.com/a.png")
    assert [part.body["type"] for part in output.queued] == ["interactive", "image"]
    assert {part.body["to"] for part in output.queued} == {"447700900001"}
