"""A send that went out is recorded as sent even when its bookkeeping write fails (both
backends, through the real webhook and the stand-in): the conversation's next reply goes out
at once, and nothing is sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import booking_core.messaging.outbox as outcome
from booking_core.db.repository import upsert_contact
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from booking_core.messaging.inbox import claim_next, complete_inbound
from booking_core.messaging.outbox import OutsideWindowError, UnknownContactError, queue_message
from booking_core.messaging.records import InboundMessage, Job, StoredMessage
from booking_core.messaging.store import persist_inbound
from connectors.accounts import Account
from standins import webhooks as f
from standins.platform_apis import text_of
from tests.connectors.conftest import WA_APP_SECRET, FakeAgent, running, whatsapp_channel
from tests.connectors.helpers import messages

USER = "447700900401"


def two_parts(message: Any) -> list[dict[str, Any]]:
    return [{"text": f"{message.text}: part one"}, {"text": f"{message.text}: part two"}]


def graph_answer(wamid: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "contacts": [{"input": USER, "wa_id": USER}],
            "messages": [{"id": wamid}]}  # fmt: skip


async def post(h: Any, text: str) -> None:
    body = f.body_bytes(f.wa_text(USER, text))
    assert (await h.post(body, f.meta_headers(body, WA_APP_SECRET))).status_code == 200
    await h.settle()


async def test_a_platform_id_already_stored_records_the_reply_sent_without_it(
    db_settings, standin
) -> None:
    async with running(whatsapp_channel(standin), FakeAgent(reply=two_parts)) as h:
        await post(h, "first")
        taken = messages(db_settings, "out")[0].platform_message_id
        # The read receipt of the next message, then its first reply part, get that id back.
        standin.fail_next("/messages", 200, graph_answer(taken), times=2)
        await post(h, "second")
    rows = messages(db_settings, "out")
    assert [(r.text, r.status) for r in rows] == [
        ("first: part one", "sent"), ("first: part two", "sent"),
        ("second: part one", "sent"), ("second: part two", "sent"),
    ]  # fmt: skip
    duplicate = rows[2]
    assert duplicate.platform_message_id is None
    assert duplicate.error == outcome.DUPLICATE_ID_NOTE.format(platform_message_id=taken)
    assert rows[0].platform_message_id == taken and rows[3].platform_message_id is not None
    sent = [text_of(r) for r in standin.messages("/whatsapp")]
    assert sent == [r.text for r in rows]  # each part once, in order


async def test_a_failed_record_is_tried_again_and_ends_sent(
    db_settings, standin, monkeypatch
) -> None:
    real = outcome.finish_outbound
    failures = [OperationalError("UPDATE messages", {}, Exception("server closed"))]

    def flaky(*args: Any, **kwargs: Any) -> bool:
        if failures and kwargs.get("platform_message_id"):
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(outcome, "finish_outbound", flaky)
    monkeypatch.setattr(outcome, "RECORD_DELAYS", (0.01, 0.01))
    async with running(whatsapp_channel(standin), FakeAgent(reply=two_parts)) as h:
        await post(h, "hello")
    rows = messages(db_settings, "out")
    assert [(r.status, r.error) for r in rows] == [("sent", None), ("sent", None)]
    assert all(r.platform_message_id for r in rows) and not failures
    assert len(standin.messages("/whatsapp")) == 2


# --- queue_message: a message outside a conversation turn ------------------------------------


def _customer(channel: str, user: str, wrote_ago: timedelta, account_id: str = "111") -> Job:
    sent_at = utcnow() - wrote_ago
    message = InboundMessage(channel, f"{channel}-{user}", user, user, "text", "hi",
                             sent_at=sent_at)  # fmt: skip
    job = persist_inbound(None, Account(channel, account_id), message)
    assert job is not None
    return job


async def test_a_queued_message_goes_out_through_the_outbox_once(db_settings, standin) -> None:
    channel = whatsapp_channel(standin)
    user = "447700900501"
    job = _customer("whatsapp", user, timedelta(hours=23), account_id=f.PHONE_NUMBER_ID)
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=channel.lease)
    assert complete_inbound(None, claimed, error=None, replies=[], account_id=f.PHONE_NUMBER_ID,
                            recipient=user)  # fmt: skip  # answered at the time
    buttons = [{"title": "Thanks", "payload": "/thanks"}]
    stored = queue_message(None, tenant_id=job.tenant.id, channel="whatsapp", recipient=user,
                           text="Your table is ready.", buttons=buttons)  # fmt: skip
    assert stored == StoredMessage(stored.id, job.tenant.id, job.contact_id, "whatsapp", user,
                                   "Your table is ready.", "queued")  # fmt: skip
    [row] = messages(db_settings, "out")
    assert row.payload == {"notice": "Your table is ready.", "recipient": user,
                           "account_id": f.PHONE_NUMBER_ID, "buttons": buttons}  # fmt: skip
    async with running(channel) as h:
        await h.settle()
    [sent] = standin.messages("/whatsapp")
    assert sent.json["to"] == user and text_of(sent) == "Your table is ready."
    [row] = messages(db_settings, "out")
    assert (row.status, row.platform_message_id is not None) == ("sent", True)


def test_queue_message_refuses_what_the_platform_would_refuse(db_settings) -> None:
    late = _customer("whatsapp", "447700900502", timedelta(hours=30))
    with pytest.raises(OutsideWindowError) as refused:
        queue_message(None, tenant_id=late.tenant.id, channel="whatsapp",
                      recipient="447700900502", text="Hello")  # fmt: skip
    assert str(refused.value) == (
        "whatsapp: last message from this customer was 30 hours ago; "
        "Meta allows free-form messages only within 24 hours"
    )
    assert isinstance(refused.value, ValueError)
    _customer("instagram", "9001", timedelta(hours=25))
    with pytest.raises(OutsideWindowError, match=r"instagram: .* within 24 hours"):
        queue_message(None, tenant_id=late.tenant.id, channel="instagram", recipient="9001",
                      text="Hello")  # fmt: skip
    with session_scope(None) as session:  # known, but never wrote
        upsert_contact(session, tenant_id=late.tenant.id, channel="telegram", platform_user_id="5")
    with pytest.raises(OutsideWindowError, match="never wrote"):
        queue_message(None, tenant_id=late.tenant.id, channel="telegram", recipient="5",
                      text="Hello")  # fmt: skip
    with pytest.raises(UnknownContactError):
        queue_message(None, tenant_id=late.tenant.id, channel="whatsapp", recipient="nobody",
                      text="Hello")  # fmt: skip
    with pytest.raises(UnknownContactError):  # another tenant's customer
        queue_message(None, tenant_id=late.tenant.id + 1, channel="whatsapp",
                      recipient="447700900502", text="Hello")  # fmt: skip
    with pytest.raises(ValueError, match="not a messaging platform"):
        queue_message(None, tenant_id=late.tenant.id, channel="rest", recipient="x", text="Hi")
    assert messages(db_settings, "out") == []


def test_telegram_has_no_window_and_the_account_can_be_chosen(db_settings) -> None:
    job = _customer("telegram", "42", timedelta(days=30), account_id="7")
    stored = queue_message(None, tenant_id=job.tenant.id, channel="telegram", recipient="42",
                           text="Still there?", account_id="8")  # fmt: skip
    assert stored.status == "queued"
    [row] = messages(db_settings, "out")
    assert row.payload == {"notice": "Still there?", "recipient": "42", "account_id": "8"}
    default = queue_message(None, tenant_id=job.tenant.id, channel="telegram", recipient="42",
                            text="Hello again")  # fmt: skip
    assert messages(db_settings, "out")[-1].payload["account_id"] == "7"  # last written to
    assert default.id > stored.id


@pytest.mark.postgres
def test_queue_message_wakes_the_outbox(postgres_url, monkeypatch) -> None:
    from booking_core.db.session import get_engine
    from booking_core.messaging.listener import NotifyListener
    from booking_core.messaging.outbox import OUTBOX_NOTIFY_CHANNEL
    from tests.conftest import _truncate_all

    _truncate_all(postgres_url)
    woken = threading.Event()
    listener = NotifyListener(get_engine(postgres_url), OUTBOX_NOTIFY_CHANNEL, "whatsapp",
                              woken.set)  # fmt: skip
    listener.start()
    try:
        assert listener.ready.wait(10)
        message = InboundMessage("whatsapp", "w-1", "4478", "4478", "text", "hi",
                                 sent_at=utcnow())  # fmt: skip
        job = persist_inbound(postgres_url, Account("whatsapp", "111"), message)
        assert job is not None
        queue_message(postgres_url, tenant_id=job.tenant.id, channel="whatsapp",
                      recipient="4478", text="Hello")  # fmt: skip
        assert woken.wait(5)
    finally:
        listener.stop()
