"""The connectors' database I/O: atomic de-duplication across threads (both backends),
receipts, pending messages, outbound rows."""

from __future__ import annotations

import threading
from datetime import timedelta

from booking_core.db.types import utcnow
from connectors.accounts import Account
from connectors.inbound import InboundMessage, StatusUpdate
from connectors.store import (
    apply_status,
    claim,
    mark_done,
    pending_inbound,
    persist_inbound,
    record_outbound,
    stored_buttons,
)
from tests.connectors.helpers import contacts, messages

ACCOUNT = Account("whatsapp", "111")


def inbound(pmid: str = "wamid.1", text: str = "hi") -> InboundMessage:
    return InboundMessage(
        channel="whatsapp",
        platform_message_id=pmid,
        platform_user_id="447",
        chat_id="447",
        kind="text",
        text=text,
        display_name="Al",
        sent_at=utcnow(),
    )


def test_concurrent_persists_of_one_message_store_it_once(db_settings) -> None:
    results: list[object] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        results.append(persist_inbound(None, ACCOUNT, inbound()))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r is not None for r in results) == 1
    assert len(messages(db_settings)) == 1 and len(contacts(db_settings)) == 1


LEASE = timedelta(minutes=2)


def test_persist_round_trips_for_recovery_and_claims_are_exclusive(db_settings) -> None:
    job = persist_inbound(None, ACCOUNT, inbound())
    assert job is not None and job.tenant.slug == "default"
    assert job.inbound.account_id == "111"
    soon = utcnow() + timedelta(seconds=1)
    [pending] = pending_inbound(None, channel="whatsapp", before=soon, lease=LEASE)
    assert pending.job.inbound == job.inbound and pending.account_id == "111"
    assert (
        pending_inbound(None, channel="whatsapp", before=utcnow() - timedelta(hours=1), lease=LEASE)
        == []
    )
    assert pending_inbound(None, channel="telegram", before=soon, lease=LEASE) == []

    assert claim(None, job.message_id, LEASE)
    assert not claim(None, job.message_id, LEASE)  # another process, or a second pass
    assert pending_inbound(None, channel="whatsapp", before=soon, lease=LEASE) == []
    # A claim older than the lease belongs to a dead process: it can be taken again.
    assert claim(None, job.message_id, timedelta(seconds=-1))
    mark_done(None, job.message_id)
    assert not claim(None, job.message_id, timedelta(seconds=-1))
    [row] = messages(db_settings)
    assert row.status == "processed" and row.processed_at is not None


def test_concurrent_claims_one_winner(db_settings) -> None:
    job = persist_inbound(None, ACCOUNT, inbound())
    assert job is not None
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        results.append(claim(None, job.message_id, LEASE))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]


def test_outbound_rows_buttons_and_receipts(db_settings) -> None:
    job = persist_inbound(None, ACCOUNT, inbound())
    assert job is not None
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    record_outbound(
        None,
        tenant_id=job.tenant.id,
        contact_id=job.contact_id,
        channel="whatsapp",
        text="Shall I?",
        payload={"buttons": buttons},
        platform_message_id="wamid.O",
        error=None,
    )
    record_outbound(
        None,
        tenant_id=job.tenant.id,
        contact_id=job.contact_id,
        channel="whatsapp",
        text="lost",
        payload=None,
        platform_message_id=None,
        error="HTTP 500: x",
    )
    assert (
        stored_buttons(
            None, tenant_id=job.tenant.id, channel="whatsapp", platform_message_id="wamid.O"
        )
        == buttons
    )
    assert apply_status(None, ACCOUNT, StatusUpdate("whatsapp", "wamid.O", "delivered"))
    assert not apply_status(None, ACCOUNT, StatusUpdate("whatsapp", "wamid.1", "read"))  # inbound
    assert not apply_status(None, ACCOUNT, StatusUpdate("whatsapp", "wamid.O", "deleted"))
    rows = messages(db_settings, "out")
    assert [(r.status, r.error) for r in rows] == [("delivered", None), ("failed", "HTTP 500: x")]
