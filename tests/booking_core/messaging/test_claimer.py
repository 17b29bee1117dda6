"""Claims carry their claimer (booking_core.messaging.claimer), on both backends: a restarted
process (same claimer id, newer token) takes its earlier run's claims at once, another process
waits for the lease; released claims are free for anyone at once; nothing is claimed twice."""

from __future__ import annotations

import os
from datetime import timedelta

from booking_core.messaging import claimer as claimer_module
from booking_core.messaging.backend import Look, backend_for
from booking_core.messaging.claimer import RELEASED, Claimer, current_claimer
from booking_core.messaging.inbox import claim_next, complete_inbound, release_claims
from booking_core.messaging.outbox import claim_next_outbound
from booking_core.messaging.store import persist_inbound
from connectors.accounts import Account
from connectors.outgoing import Outgoing
from tests.booking_core.messaging.test_store import inbound
from tests.connectors.helpers import messages

ACCOUNT = Account("whatsapp", "111")
LEASE = timedelta(minutes=2)
# Tokens grow with the start time (fixed-width hex): "b2" started after "a1".
RASA_0, RASA_0_AGAIN = Claimer("rasa-0", "a1"), Claimer("rasa-0", "b2")
RASA_1 = Claimer("rasa-1", "c3")


def _look(claimer: Claimer, direction: str = "in") -> list[int]:
    backend = backend_for(None)
    look = Look("whatsapp", 10, LEASE, claimer=claimer)
    if direction == "in":
        return [claim.row_id for claim in backend.claim_inbound(look)]
    return [reply.row_id for reply in backend.claim_outbound(look)]


def test_a_restarted_claimer_takes_its_earlier_runs_claims_at_once(db_settings: str) -> None:
    job = persist_inbound(None, ACCOUNT, inbound("wamid.r1"))
    assert job is not None
    assert _look(RASA_0) == [job.message_id]
    assert _look(RASA_0) == []  # our own live claim
    assert _look(RASA_1) == []  # another process's claim waits for the lease
    [taken] = backend_for(None).claim_inbound(Look("whatsapp", 10, LEASE, claimer=RASA_0_AGAIN))
    assert taken.row_id == job.message_id and taken.previous_claim is not None  # a take-over
    assert _look(RASA_0) == []  # never the other way: an older run never takes a newer's claim
    assert [m.claimed_by for m in messages(db_settings)] == [RASA_0_AGAIN.stamp]


def test_released_claims_are_free_at_once_and_keep_their_claim_time(db_settings: str) -> None:
    first = persist_inbound(None, ACCOUNT, inbound("wamid.x1", user="4471"))
    other = persist_inbound(None, ACCOUNT, inbound("wamid.x2", user="4472"))
    assert first and other
    assert _look(RASA_0) == [first.message_id, other.message_id]
    assert backend_for(None).release("telegram", RASA_0) == 0  # other channels untouched
    assert backend_for(None).release("whatsapp", RASA_1) == 0  # not ours to release
    assert backend_for(None).release("whatsapp", RASA_0) == 2
    assert {m.claimed_by for m in messages(db_settings)} == {RELEASED}
    claims = backend_for(None).claim_inbound(Look("whatsapp", 10, LEASE, claimer=RASA_1))
    assert [c.row_id for c in claims] == [first.message_id, other.message_id]
    assert all(c.previous_claim is not None for c in claims)  # handled as a take-over


def test_a_released_reply_comes_back_abandoned(db_settings: str) -> None:
    assert persist_inbound(None, ACCOUNT, inbound("wamid.o1"))
    [claimed] = claim_next(None, channel="whatsapp", limit=1, lease=LEASE)
    done = complete_inbound(None, claimed, error=None, replies=[Outgoing({"n": 1}, "r1")],
                            account_id="111", recipient="447")  # fmt: skip
    assert done.done
    [reply] = claim_next_outbound(None, channel="whatsapp", limit=1, lease=LEASE)
    assert not reply.abandoned
    assert claim_next_outbound(None, channel="whatsapp", limit=1, lease=LEASE) == []
    assert release_claims(None, "whatsapp") == 1  # this process's claimer
    look = Look("whatsapp", 10, LEASE, claimer=RASA_1)
    [again] = backend_for(None).claim_outbound(look)
    assert again.row_id == reply.row_id and again.abandoned  # recorded "outcome unknown"


def test_the_old_run_cannot_complete_a_message_taken_back(db_settings: str) -> None:
    assert persist_inbound(None, ACCOUNT, inbound("wamid.c1"))
    [old] = claim_next(None, channel="whatsapp", limit=1, lease=LEASE)
    restarted = Claimer(current_claimer().id, "f" * 22)  # started later than this process
    [new] = backend_for(None).claim_inbound(Look("whatsapp", 1, LEASE, claimer=restarted))
    assert new.row_id == old.job.message_id and new.previous_claim == old.claimed_at
    lost = complete_inbound(None, old, error=None, replies=[Outgoing({"n": 1}, "late")],
                            account_id="111", recipient="447")  # fmt: skip
    assert not lost.done
    assert [m.direction for m in messages(db_settings)] == ["in"]  # no reply queued


def test_the_claimer_id_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setattr(claimer_module, "_current", {})
    monkeypatch.setenv("CLAIMER_ID", "rasa/1")
    first = current_claimer()
    assert first.id == "rasa_1" and first.stamp.startswith("rasa_1/") and current_claimer() is first
    monkeypatch.setattr(claimer_module, "_current", {})
    later = current_claimer()
    assert later.token != first.token and later.stamp > first.stamp  # a later start: greater
    monkeypatch.delenv("CLAIMER_ID")
    monkeypatch.setattr(claimer_module, "_current", {})
    assert current_claimer().id.endswith(f"-{os.getpid()}")
