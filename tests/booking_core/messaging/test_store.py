"""The connectors' database I/O: atomic de-duplication across threads (both backends),
receipts, pending messages, outbound rows."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from booking_core.db.types import utcnow
from booking_core.errors import UnknownTenantError
from booking_core.messaging.inbox import claim_next, complete_inbound
from booking_core.messaging.outbox import claim_next_outbound, finish_outbound
from booking_core.messaging.records import Job
from booking_core.messaging.store import (
    apply_status,
    persist_inbound,
    persist_inbound_many,
    stored_buttons,
)
from connectors.accounts import Account
from connectors.inbound import InboundMessage, StatusUpdate
from connectors.outgoing import Outgoing
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


def _all_at_once(work: Callable[[], None], threads: int = 4) -> None:
    """Run `work` in `threads` threads released together (to race on the same rows)."""
    barrier = threading.Barrier(threads)

    def released() -> None:
        barrier.wait()
        work()

    running = [threading.Thread(target=released) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()


def test_concurrent_persists_of_one_message_store_it_once(db_settings) -> None:
    results: list[object] = []

    def worker() -> None:
        results.append(persist_inbound(None, ACCOUNT, inbound()))

    _all_at_once(worker)
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
    # A claim older than the lease belongs to a dead process: it can be taken again.
    [again] = claim_next(None, channel="whatsapp", limit=5, lease=timedelta(seconds=-1))
    assert again.previous_claim is not None
    assert not complete_inbound(None, claimed, error=None, replies=[], account_id="111",
                                recipient="447")  # fmt: skip  # the old claim was taken over
    assert complete_inbound(None, again, error=None, replies=[], account_id="111", recipient="447")
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
    done = complete_inbound(None, claimed[0], error=None, replies=[], account_id="111",
                            recipient="447700000001")  # fmt: skip
    assert done and done.next_waiting  # a2 became claimable: the inbox must look again
    [next_one] = claim_next(None, channel="whatsapp", limit=10, lease=LEASE)
    assert next_one.job.message_id == second.message_id
    for finished in (claimed[1], next_one):  # nothing of theirs waits: no look needed
        done = complete_inbound(None, finished, error=None, replies=[], account_id="111",
                                recipient=finished.job.inbound.chat_id)  # fmt: skip
        assert done and not done.next_waiting


def test_concurrent_claim_next_never_hands_a_message_out_twice(db_settings) -> None:
    for n in range(20):
        persist_inbound(None, ACCOUNT, inbound(f"wamid.c{n}", user=f"4477000001{n:02d}"))
    taken: list[int] = []

    def worker() -> None:
        for _ in range(10):
            taken.extend(
                c.job.message_id for c in claim_next(None, channel="whatsapp", limit=3, lease=LEASE)
            )

    _all_at_once(worker)
    assert len(taken) == len(set(taken)) == 20


def _answered(user: str, n: int, *texts: str) -> None:
    """A handled message of `user` whose replies `texts` are queued."""
    job = persist_inbound(None, ACCOUNT, inbound(f"wamid.{user}.{n}", user=user))
    assert job is not None
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=LEASE)
    replies = [Outgoing({"text": {"body": t}}, t) for t in texts]
    assert complete_inbound(None, claimed, error=None, replies=replies, account_id="111",
                            recipient=user)  # fmt: skip


def test_queued_replies_are_claimed_once_in_order_per_contact(db_settings) -> None:
    _answered("447700000301", 1, "first", "second")
    _answered("447700000302", 1, "other")
    claimed = claim_next_outbound(None, channel="whatsapp", limit=10, lease=LEASE)
    assert [r.payload["request"]["text"]["body"] for r in claimed] == ["first", "other"]
    assert not any(r.abandoned for r in claimed)
    assert {m.text: m.status for m in messages(db_settings, "out")} == {
        "first": "sending", "second": "queued", "other": "sending"
    }  # fmt: skip
    # "second" waits until "first" is no longer sending; nothing else is free.
    assert claim_next_outbound(None, channel="whatsapp", limit=10, lease=LEASE) == []
    assert claim_next_outbound(None, channel="telegram", limit=10, lease=LEASE) == []
    # A row left "sending" longer than the lease comes back, marked abandoned (never resent).
    again = claim_next_outbound(None, channel="whatsapp", limit=10, lease=timedelta(seconds=-1))
    assert [r.row_id for r in again] == [r.row_id for r in claimed]
    assert all(r.abandoned for r in again)
    first, other = claimed
    assert finish_outbound(None, first.row_id, platform_message_id="wamid.S1", error=None,
                           contact_id=first.contact_id)  # fmt: skip  # "second" waits: look
    assert not finish_outbound(None, other.row_id, platform_message_id="wamid.O1", error=None,
                               contact_id=other.contact_id)  # fmt: skip  # nothing behind it
    [second] = claim_next_outbound(None, channel="whatsapp", limit=10, lease=LEASE)
    assert second.payload["request"]["text"]["body"] == "second"
    assert not finish_outbound(None, second.row_id, platform_message_id="wamid.S2", error=None,
                               contact_id=second.contact_id)  # fmt: skip


def test_concurrent_outbound_claims_never_hand_a_reply_out_twice(db_settings) -> None:
    for n in range(12):
        _answered(f"4477000004{n:02d}", n, f"reply {n}")
    taken: list[int] = []

    def worker() -> None:
        for _ in range(6):
            taken.extend(r.row_id for r in claim_next_outbound(None, channel="whatsapp", limit=2,
                                                                lease=LEASE))  # fmt: skip

    _all_at_once(worker)
    assert len(taken) == len(set(taken)) == 12


def test_a_stored_message_that_cannot_be_read_back_is_marked_failed(db_settings) -> None:
    from sqlalchemy import update

    from booking_core.db.models import Message
    from booking_core.db.session import session_scope

    bad = persist_inbound(None, ACCOUNT, inbound("wamid.bad", user="447700000501"))
    good = persist_inbound(None, ACCOUNT, inbound("wamid.good", user="447700000502"))
    assert bad and good
    with session_scope(None) as session:
        session.execute(update(Message).where(Message.id == bad.message_id).values(payload={}))
    claimed = claim_next(None, channel="whatsapp", limit=10, lease=LEASE)
    assert [c.job.message_id for c in claimed] == [good.message_id]
    rows = {m.id: m for m in messages(db_settings, "in")}
    assert rows[bad.message_id].status == "failed"
    assert rows[bad.message_id].error == "stored without processing data"


def _send_queued(*outcomes: tuple[str | None, str | None]) -> None:
    """Claim the queued replies one at a time, as the sender does, and record each outcome
    (platform id, error)."""
    for platform_message_id, error in outcomes:
        [reply] = claim_next_outbound(None, channel="whatsapp", limit=1, lease=LEASE)
        finish_outbound(None, reply.row_id, platform_message_id=platform_message_id, error=error)


def test_concurrent_claims_one_winner(db_settings) -> None:
    job = persist_inbound(None, ACCOUNT, inbound())
    assert job is not None
    results: list[int] = []

    def worker() -> None:
        results.append(len(claim_next(None, channel="whatsapp", limit=1, lease=LEASE)))

    _all_at_once(worker)
    assert sorted(results) == [0, 0, 0, 1]


def test_outbound_rows_buttons_and_receipts(db_settings) -> None:
    job = persist_inbound(None, ACCOUNT, inbound())
    assert job is not None
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=LEASE)
    replies = [Outgoing({"text": {"body": "Shall I?"}}, "Shall I?", buttons),
               Outgoing({"text": {"body": "lost"}}, "lost")]  # fmt: skip
    assert complete_inbound(None, claimed, error=None, replies=replies, account_id="111",
                            recipient="447")  # fmt: skip
    _send_queued(("wamid.O", None), (None, "HTTP 500: x"))
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


def test_finishing_a_send_never_moves_a_receipt_back(db_settings) -> None:
    _answered("447", 1, "hi")
    [reply] = claim_next_outbound(None, channel="whatsapp", limit=1, lease=LEASE)
    row = reply.row_id
    finish_outbound(None, row, platform_message_id="wamid.R", error=None)
    assert apply_status(None, ACCOUNT, StatusUpdate("whatsapp", "wamid.R", "read"))
    finish_outbound(None, row, platform_message_id=None, error=None)  # e.g. a late repeat
    [out] = messages(db_settings, "out")
    assert (out.status, out.platform_message_id) == ("read", "wamid.R")


def test_group_commit_stores_each_delivery_once_and_reports_per_item(db_settings) -> None:
    gone = Account("whatsapp", "222", tenant_id=987654)  # a tenant that does not exist
    items = [
        (ACCOUNT, inbound("wamid.g1", user="447700000001")),
        (ACCOUNT, inbound("wamid.g2", user="447700000001")),  # same contact, second message
        (ACCOUNT, inbound("wamid.g1", user="447700000001")),  # a redelivery in the same batch
        (gone, inbound("wamid.g3", user="447700000002")),
        (ACCOUNT, inbound("wamid.g4", user="447700000003")),
    ]
    first, second, again, unknown, other = persist_inbound_many(None, items)
    assert isinstance(first, Job) and isinstance(second, Job) and isinstance(other, Job)
    assert again is None
    assert isinstance(unknown, UnknownTenantError)
    assert first.contact_id == second.contact_id != other.contact_id
    assert [first.inbound.account_id, other.inbound.account_id] == ["111", "111"]
    stored = messages(db_settings)
    assert sorted(m.platform_message_id for m in stored) == ["wamid.g1", "wamid.g2", "wamid.g4"]
    assert len(contacts(db_settings)) == 2
    # Delivered again later: all already stored.
    assert persist_inbound_many(None, items[:2]) == [None, None]


def test_group_commit_falls_back_to_one_by_one_when_the_batch_fails(
    db_settings, monkeypatch
) -> None:
    import booking_core.messaging.store as store

    real = store._insert_inbound
    calls: list[str] = []

    def insert(session, tenant, message):  # the first batch statement fails, alone it works
        calls.append(message.platform_message_id)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("simulated"))
        return real(session, tenant, message)

    monkeypatch.setattr(store, "_insert_inbound", insert)
    monkeypatch.setattr(store, "_tenants", {})  # no tenant cached from an earlier database
    jobs = persist_inbound_many(None, [(ACCOUNT, inbound("wamid.f1", user="4471")),
                                       (ACCOUNT, inbound("wamid.f2", user="4472"))])  # fmt: skip
    assert all(isinstance(job, Job) for job in jobs)
    assert calls[0] == "wamid.f1" and sorted(calls[1:]) == ["wamid.f1", "wamid.f2"]
    assert len(messages(db_settings)) == 2


def test_completion_queues_the_replies_with_what_the_sender_needs_unless_the_claim_was_lost(
    db_settings,
) -> None:
    user = "447700000601"
    job = persist_inbound(None, ACCOUNT, inbound("wamid.q1", user=user))
    assert job is not None
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=LEASE)
    [taken_over] = claim_next(None, channel="whatsapp", limit=1, lease=timedelta(seconds=-1))
    buttons = [{"title": "Yes", "payload": "/affirm"}]
    replies = [Outgoing({"n": 1}, "one"), Outgoing({"n": 2}, None, buttons, method="sendPhoto")]
    assert not complete_inbound(None, claimed, error=None, replies=replies, account_id="111",
                                recipient=user)  # fmt: skip
    assert messages(db_settings, "out") == []  # the lost claim queued nothing
    assert complete_inbound(None, taken_over, error="x" * 3000, replies=replies,
                            account_id="111", recipient=user)  # fmt: skip
    [handled] = messages(db_settings, "in")
    assert (handled.status, len(handled.error or "")) == ("failed", 2000)
    out = messages(db_settings, "out")
    assert [(m.text, m.status, m.contact_id) for m in out] == [
        ("one", "queued", job.contact_id), (None, "queued", job.contact_id)
    ]  # fmt: skip
    common = {"account_id": "111", "recipient": user, "in_reply_to": job.message_id}
    assert out[0].payload == {"request": {"n": 1}, **common}
    assert out[1].payload == {"request": {"n": 2}, **common, "method": "sendPhoto",
                              "buttons": buttons}  # fmt: skip


def test_after_a_failed_part_the_rest_of_that_answer_is_not_sent_but_notices_stand_alone(
    db_settings,
) -> None:
    from booking_core.db.models import Message
    from booking_core.db.session import session_scope
    from booking_core.messaging.outbox import fail_rest_of_reply

    user = "447700000701"
    _answered(user, 1, "part one", "part two")
    job = persist_inbound(None, ACCOUNT, inbound("wamid.n1", user="447700000702"))
    assert job is not None
    with session_scope(None) as session:  # two notices for another customer
        for n in (1, 2):
            session.add(Message(tenant_id=job.tenant.id, contact_id=job.contact_id,
                                channel="whatsapp", direction="out", text=f"notice {n}",
                                payload={"notice": f"notice {n}", "recipient": "447700000702",
                                         "account_id": "111"}, status="queued"))  # fmt: skip
    first, notice = claim_next_outbound(None, channel="whatsapp", limit=10, lease=LEASE)
    assert fail_rest_of_reply(None, first, "HTTP 400") == 1
    assert fail_rest_of_reply(None, notice, "HTTP 400") == 0
    statuses = {m.text: m.status for m in messages(db_settings, "out")}
    assert statuses == {"part one": "sending", "part two": "failed", "notice 1": "sending",
                        "notice 2": "queued"}  # fmt: skip
