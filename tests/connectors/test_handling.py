"""Handling a claimed message without Rasa: conversation ids, what is answered without the
assistant, what is not answered at all, and what the assistant gets."""

from __future__ import annotations

from datetime import timedelta

from booking_core.messaging.records import Job
from booking_core.messaging.store import persist_inbound
from connectors.context import SendContext
from connectors.handling import (
    TEXT_ONLY_REPLY,
    Handler,
    conversation_id,
    split_conversation_id,
)
from connectors.outgoing import Outgoing
from connectors.service import Role
from connectors.whatsapp.parse import parse_whatsapp
from connectors.whatsapp.platform import WhatsAppPlatform
from standins import webhooks as f
from tests.connectors.conftest import whatsapp_service
from tests.connectors.helpers import messages


def test_conversation_ids_round_trip() -> None:
    assert conversation_id("acme", "telegram", "42") == "acme:telegram:42"
    assert split_conversation_id("acme:instagram:a:b") == ("acme", "instagram", "a:b")
    assert split_conversation_id("acme:whatsapp:") is None
    assert split_conversation_id("no-colons") is None


def handler_for(standin, calls: list[str]) -> Handler:  # type: ignore[no-untyped-def]
    async def respond(job: Job, ctx: SendContext, text: str, taken_over: bool) -> list[Outgoing]:
        calls.append(text)
        return WhatsAppPlatform().format(ctx.recipient, text="answer")

    service = whatsapp_service(standin, role=Role.ALL)
    return Handler(service.platform, service.client, respond, lease=lambda: timedelta(minutes=2))


def store(standin, payload) -> None:  # type: ignore[no-untyped-def]
    service = whatsapp_service(standin)
    for inbound in parse_whatsapp(f.body_bytes(payload)).messages:
        assert persist_inbound(None, service.directory.env_account, inbound) is not None


async def test_media_is_answered_without_the_assistant(sqlite_settings, standin) -> None:
    calls: list[str] = []
    handler = handler_for(standin, calls)
    store(standin, f.wa_image("447700900090"))
    [claimed] = await handler.claim(5, frozenset())
    await handler.handle(claimed)
    await handler.client.close()
    assert calls == []
    inbound, reply = messages(sqlite_settings)
    assert (inbound.status, reply.status, reply.text) == ("processed", "queued", TEXT_ONLY_REPLY)
    assert [r.json["status"] for r in standin.sent("/whatsapp")] == ["read"]  # acknowledged only


async def test_text_goes_to_the_assistant_and_old_messages_to_nobody(
    sqlite_settings, standin
) -> None:
    calls: list[str] = []
    handler = handler_for(standin, calls)
    store(standin, f.wa_text("447700900091", "hello"))
    store(standin, f.wa_text("447700900092", "from last week", timestamp=f.now() - 8 * 86400))
    for claimed in await handler.claim(5, frozenset()):
        await handler.handle(claimed)
    await handler.client.close()
    assert calls == ["hello"]
    statuses = {(m.direction, m.text): (m.status, m.error) for m in messages(sqlite_settings)}
    assert statuses[("in", "hello")] == ("processed", None)
    assert statuses[("out", "answer")] == ("queued", None)
    status, error = statuses[("in", "from last week")]
    assert status == "failed" and "24-hour reply window" in error
