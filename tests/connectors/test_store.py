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
    begin_outbound,
    claim,
    claim_next,
    finish_outbound,
    mark_done,
    persist_inbound,
    stored_buttons,
)
from tests.connectors.helpers import contacts, messages

ACCOUNT = Account("whatsapp", "111")


def inbound(pmid: str = "wamid.1", text: str = "hi", user: str = "447") -> InboundMessage:
    return InboundMessage(
        channel="whatsapp",
        platform_message_id=pmid,
        platform_user_id=user,
        chat_id=user,
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
    assert claim_next(None, channel="telegram", limit=5, lease=LEASE) == []
    mine = frozenset({job.message_id})  # already being handled in this process
    assert claim_next(None, channel="whatsapp", limit=5, lease=LEASE, exclude=mine) == []
    [claimed] = claim_next(None, channel="whatsapp", limit=5, lease=LEASE)
    assert claimed.job == job and claimed.previous_claim is None
    assert claim_next(None, channel="whatsapp", limit=5, lease=LEASE) == []  # taken
    assert not claim(None, job.message_id, LEASE)  # another process, or a second pass
    # A claim older than the lease belongs to a dead process: it can be taken again.
    [again] = claim_next(None, channel="whatsapp", limit=5, lease=timedelta(seconds=-1))
    assert again.previous_claim is not None
    mark_done(None, job.message_id)
    assert not claim(None, job.message_id, timedelta(seconds=-1))
    assert claim_next(None, channel="whatsapp", limit=5, lease=timedelta(seconds=-1)) == []
    [row] = messages(db_settings)
    assert row.status == "processed" and row.processed_at is not None


def test_claim_next_takes_one_message_per_contact_in_order(db_settings) -> None:
    first = persist_inbound(None, ACCOUNT, inbound("wamid.a1", user="447700000001"))
    second = persist_inbound(None, ACCOUNT, inbound("wamid.a2", user="447700000001"))
    other = persist_inbound(None, ACCOUNT, inbound("wamid.b1", user="447700000002"))
    assert first and second and other
    claimed = claim_next(None, channel="whatsapp", limit=10, lease=LEASE)
    assert [c.job.message_id for c in claimed] == [first.message_id, other.message_id]
    assert claim_next(None, channel="whatsapp", limit=10, lease=LEASE) == []  # a1 still running
    mark_done(None, first.message_id)
    [next_one] = claim_next(None, channel="whatsapp", limit=10, lease=LEASE)
    assert next_one.job.message_id == second.message_id


def test_concurrent_claim_next_never_hands_a_message_out_twice(db_settings) -> None:
    for n in range(20):
        persist_inbound(None, ACCOUNT, inbound(f"wamid.c{n}", user=f"4477000001{n:02d}"))
    taken: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        barrier.wait()
        for _ in range(10):
            taken.extend(
                c.job.message_id for c in claim_next(None, channel="whatsapp", limit=3, lease=LEASE)
            )

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == len(set(taken)) == 20


def _sent(job, text: str, payload, platform_message_id, error) -> None:  # type: ignore[no-untyped-def]
    row = begin_outbound(None, tenant_id=job.tenant.id, contact_id=job.contact_id,
                         channel="whatsapp", text=text, payload=payload)  # fmt: skip
    finish_outbound(None, row, platform_message_id=platform_message_id, error=error)


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
    _sent(job, "Shall I?", {"buttons": buttons}, "wamid.O", None)
    _sent(job, "lost", None, None, "HTTP 500: x")
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
