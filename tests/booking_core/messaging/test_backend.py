"""The queue backend: chosen once per database URL, and the PostgreSQL and portable forms give
the same results for claim, complete and finish (both run on their own database)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from booking_core.db.session import resolve_url
from booking_core.messaging.backend import backend_for
from booking_core.messaging.inbox import claim_next, complete_inbound
from booking_core.messaging.outbox import claim_next_outbound, finish_outbound
from booking_core.messaging.portable import PortableBackend
from booking_core.messaging.postgres import PostgresBackend
from booking_core.messaging.store import persist_inbound
from connectors.accounts import Account
from connectors.outgoing import Outgoing
from tests.booking_core.messaging.test_store import inbound
from tests.connectors.helpers import messages

ACCOUNT = Account("whatsapp", "111")
LEASE = timedelta(minutes=2)


def test_the_backend_is_chosen_once_per_url(tmp_path, monkeypatch) -> None:
    sqlite = f"sqlite:///{tmp_path / 'a.db'}"
    first = backend_for(sqlite)
    assert isinstance(first, PortableBackend) and first.database_url == sqlite
    assert backend_for(sqlite) is first
    assert backend_for(f"sqlite:///{tmp_path / 'b.db'}") is not first
    postgres = "postgresql+psycopg2://nobody@127.0.0.1:1/none"
    assert isinstance(backend_for(postgres), PostgresBackend)  # no connection made to choose
    assert backend_for(postgres) is backend_for(postgres)
    monkeypatch.setenv("DATABASE_URL", sqlite)
    from booking_core.settings import get_settings

    get_settings.cache_clear()
    try:
        assert resolve_url(None) == sqlite and backend_for(None) is first  # None: the setting
    finally:
        get_settings.cache_clear()


def _scenario(url: str) -> dict[str, Any]:
    """Two conversations through claim, complete (one claim lost), outbound claim and finish;
    what each step returned and what the rows say, without ids and times."""
    a1 = persist_inbound(None, ACCOUNT, inbound("wamid.a1", "one", user="4471"))
    a2 = persist_inbound(None, ACCOUNT, inbound("wamid.a2", "two", user="4471"))
    b1 = persist_inbound(None, ACCOUNT, inbound("wamid.b1", "three", user="4472"))
    assert a1 and a2 and b1
    claimed = claim_next(None, channel="whatsapp", limit=10, lease=LEASE)
    first_claims = [c.job.inbound.text for c in claimed]
    stale = claim_next(None, channel="whatsapp", limit=1, lease=timedelta(seconds=-1))
    first, other = claimed
    lost = complete_inbound(None, first, error=None, replies=[Outgoing({"x": 1}, "lost")],
                            account_id="111", recipient="4471")  # fmt: skip
    [taken] = stale
    done = complete_inbound(None, taken, error=None,
                            replies=[Outgoing({"n": 1}, "r1"), Outgoing({"n": 2}, "r2")],
                            account_id="111", recipient="4471")  # fmt: skip
    failed = complete_inbound(None, other, error="boom", replies=[], account_id="111",
                              recipient="4472")  # fmt: skip
    out = claim_next_outbound(None, channel="whatsapp", limit=10, lease=LEASE)
    behind = finish_outbound(None, out[0].row_id, platform_message_id="wamid.s1", error=None,
                             contact_id=out[0].contact_id)  # fmt: skip
    [second] = claim_next_outbound(None, channel="whatsapp", limit=10, lease=LEASE)
    nothing_behind = finish_outbound(None, second.row_id, platform_message_id=None,
                                     error="HTTP 400", contact_id=second.contact_id)  # fmt: skip
    rows = messages(url)
    return {
        "first_claims": first_claims,
        "stale_previous_claim_kept": taken.previous_claim == first.claimed_at,
        "completions": [(c.done, c.next_waiting) for c in (lost, done, failed)],
        "outbound": [(r.payload, r.abandoned) for r in out],
        "finishes": (behind, nothing_behind),
        "rows": [
            (
                r.direction,
                r.text,
                r.status,
                r.error,
                r.platform_message_id,
                r.claimed_at is not None,
                r.processed_at is not None,
            )
            for r in rows
        ],
    }


def test_both_backends_give_the_same_results(db_settings) -> None:
    common = {"account_id": "111", "recipient": "4471"}
    assert _scenario(db_settings) == {
        "first_claims": ["one", "three"],
        "stale_previous_claim_kept": True,
        "completions": [(False, False), (True, True), (True, False)],
        "outbound": [({"request": {"n": 1}, "in_reply_to": 1, **common}, False)],
        "finishes": (True, False),
        "rows": [
            # direction, text, status, error, platform id, claimed, processed
            ("in", "one", "processed", None, "wamid.a1", True, True),
            ("in", "two", "received", None, "wamid.a2", False, False),
            ("in", "three", "failed", "boom", "wamid.b1", True, True),
            ("out", "r1", "sent", None, "wamid.s1", True, False),
            ("out", "r2", "failed", "HTTP 400", None, True, False),
        ],
    }
