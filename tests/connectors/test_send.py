"""The public send API (connectors.send): what it hands the data layer, what it refuses, and
(once booking_core.messaging.outbox exists, issue 17 part 1) the real queue sent by the outbox
sender to the stand-in platform."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

import connectors.send as send
from connectors.instagram import send_instagram_message
from connectors.telegram import send_telegram_message
from connectors.whatsapp import send_whatsapp_message
from standins import webhooks as f
from standins.platform_apis import text_of
from tests.connectors.conftest import running, whatsapp_channel

OLD_CONTACT = "447700900999"


class OutsideWindowError(ValueError):
    """Stands in for booking_core.messaging.outbox.OutsideWindowError."""


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every queue_message call; OLD_CONTACT last wrote days ago (outside any Meta window)."""
    calls: list[dict[str, Any]] = []

    def fake(database_url: str | None, **kw: Any) -> dict[str, Any]:
        if kw["recipient"] == OLD_CONTACT and kw["channel"] != "telegram":
            raise OutsideWindowError("the customer last wrote over 24 hours ago")
        calls.append({"database_url": database_url, **kw})
        return {"id": len(calls), **kw}

    monkeypatch.setattr(send, "queue_message", fake)
    return calls


def test_each_platform_queues_through_the_outbox(queued: list[dict[str, Any]]) -> None:
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    stored = send_whatsapp_message(7, "447700900001", "Table ready", buttons, database_url="db")
    send_telegram_message(7, "42", "Table ready")
    send_instagram_message(8, "9001", "Table ready")
    assert stored["id"] == 1
    assert queued[0] == {"database_url": "db", "tenant_id": 7, "channel": "whatsapp",
                         "recipient": "447700900001", "text": "Table ready",
                         "buttons": buttons}  # fmt: skip
    assert [(c["channel"], c["tenant_id"], c["buttons"]) for c in queued[1:]] == [
        ("telegram", 7, None),
        ("instagram", 8, None),
    ]


def test_outside_the_window_is_refused_with_the_reason(queued: list[dict[str, Any]]) -> None:
    with pytest.raises(ValueError, match="24 hours"):
        send_whatsapp_message(7, OLD_CONTACT, "Table ready")
    with pytest.raises(ValueError, match="24 hours"):
        send_instagram_message(7, OLD_CONTACT, "Table ready")
    send_telegram_message(7, OLD_CONTACT, "Telegram has no window")
    assert [c["channel"] for c in queued] == ["telegram"]


def test_nothing_to_send_or_an_unknown_platform_is_refused(queued: list[dict[str, Any]]) -> None:
    with pytest.raises(ValueError, match="nothing to send"):
        send_whatsapp_message(7, "447700900001", "  ")
    with pytest.raises(ValueError, match="no recipient"):
        send_telegram_message(7, "", "hi")
    with pytest.raises(ValueError, match="unknown messaging platform"):
        send.send_message("sms", 7, "1", "hi")
    assert queued == []


async def test_a_queued_message_reaches_the_customer_and_old_contacts_are_refused(
    sqlite_settings, standin
) -> None:
    from booking_core.db.session import session_scope
    from booking_core.messaging.outbox import OutsideWindowError as RealOutsideWindowError
    from booking_core.messaging.store import persist_inbound
    from connectors.whatsapp.parse import parse_whatsapp

    channel = whatsapp_channel(standin)
    account = channel.directory.env_account
    assert account is not None
    [recent] = parse_whatsapp(f.body_bytes(f.wa_text("447700900001", "hi"))).messages
    job = persist_inbound(None, account, recent)
    assert job is not None
    [old] = parse_whatsapp(f.body_bytes(f.wa_text(OLD_CONTACT, "long ago"))).messages
    assert persist_inbound(None, account, old) is not None
    with session_scope() as session:  # that customer last wrote three days ago
        from booking_core.db.models import Contact

        contact = session.query(Contact).filter_by(platform_user_id=OLD_CONTACT).one()
        assert contact.last_inbound_at is not None
        contact.last_inbound_at -= timedelta(days=3)
    async with running(channel) as h:
        await h.settle()  # the inbound messages are answered first
        before = len(standin.messages("/whatsapp"))
        stored = await asyncio.to_thread(send_whatsapp_message, job.tenant.id, "447700900001",
                                         "Your table is ready")  # fmt: skip
        with pytest.raises(RealOutsideWindowError):
            await asyncio.to_thread(send_whatsapp_message, job.tenant.id, OLD_CONTACT, "Late")
        for _ in range(200):  # the sender polls (SQLite has no NOTIFY)
            if len(standin.messages("/whatsapp")) > before:
                break
            await asyncio.sleep(0.02)
        await h.settle()
    assert stored is not None
    [sent] = standin.messages("/whatsapp")[before:]
    assert sent.json["to"] == "447700900001" and text_of(sent) == "Your table is ready"
