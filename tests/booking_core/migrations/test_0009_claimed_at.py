"""Migration 0009_claimed_at: claim stamps move from `processed_at` to `claimed_at` and back,
on SQLite and PostgreSQL; a message claimed before the upgrade keeps its claim (and lease)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, select

from booking_core.db import migrate
from booking_core.db.session import get_engine
from booking_core.messaging.inbox import claim_next
from tests.booking_core.test_core_migrations import _diff, _shape

REVISION = "0009_claimed_at"
AT = datetime(2024, 7, 1, 9, 0, tzinfo=timezone.utc)  # in the past: claims can be stale
DONE = AT + timedelta(minutes=5)

#: (direction, status, processed_at at 0008) -> (claimed_at, processed_at) at 0009
ROWS: list[tuple[tuple[str, str, datetime | None], tuple[datetime | None, datetime | None]]] = [
    (("in", "received", None), (None, None)),  # waiting, unclaimed
    (("in", "received", AT), (AT, None)),  # being handled: the stamp is a claim
    (("in", "processed", DONE), (None, DONE)),  # handled: the stamp is the completion
    (("in", "failed", DONE), (None, DONE)),
    (("out", "queued", None), (None, None)),
    (("out", "sending", AT), (AT, None)),  # being sent
    (("out", "sent", AT), (AT, None)),  # an outbound stamp was always the sender's claim
]


def _tables(url: str) -> dict[str, Table]:
    meta = MetaData()
    engine = get_engine(url)
    return {name: Table(name, meta, autoload_with=engine)
            for name in ("tenants", "contacts", "messages")}  # fmt: skip


def _seed_0008(url: str) -> None:
    tables = _tables(url)
    tenant = {
        "name": "T", "slug": "t", "timezone": "UTC", "locale": "en_GB",
        "calendar_provider": "builtin", "calendar_settings": {}, "business_hours": {},
        "default_event_minutes": 30, "feed_token": "f" * 43, "created_at": AT,
    }  # fmt: skip
    with get_engine(url).begin() as connection:
        tenant_id = connection.execute(tables["tenants"].insert().values(**tenant))
        tenant_id = tenant_id.inserted_primary_key[0]
        for number, ((direction, status, stamp), _) in enumerate(ROWS):
            contact = connection.execute(tables["contacts"].insert().values(
                tenant_id=tenant_id, channel="whatsapp", platform_user_id=f"44{number}",
                created_at=AT,
            )).inserted_primary_key[0]  # fmt: skip
            inbound = {"inbound": {"channel": "whatsapp", "platform_message_id": f"m{number}",
                                   "platform_user_id": f"44{number}", "chat_id": f"44{number}",
                                   "kind": "text", "text": "hi"}}  # fmt: skip
            connection.execute(tables["messages"].insert().values(
                tenant_id=tenant_id, contact_id=contact, channel="whatsapp", direction=direction,
                text=f"row {number}", payload=inbound if direction == "in" else {},
                platform_message_id=f"m{number}", status=status, created_at=AT,
                processed_at=stamp,
            ))  # fmt: skip


def _stamps(url: str, *columns: str) -> list[tuple[Any, ...]]:
    messages = _tables(url)["messages"]
    with get_engine(url).connect() as connection:
        query = select(*(messages.c[name] for name in columns)).order_by(messages.c.id)
        return [tuple(_utc(v) for v in row) for row in connection.execute(query)]


def _utc(value: Any) -> Any:
    """SQLite gives the stamps back naive (stored as UTC)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def test_revision_follows_0008() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_revision(REVISION).down_revision == "0008_owed_writes"


def test_claim_stamps_move_to_claimed_at_and_back(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0008_owed_writes")
    before = _shape(empty_db_url, "messages")
    _seed_0008(empty_db_url)

    command.upgrade(config, REVISION)
    assert _stamps(empty_db_url, "claimed_at", "processed_at") == [after for _, after in ROWS]
    assert "claimed_at" in {c[0] for c in _shape(empty_db_url, "messages")["columns"]}

    command.downgrade(config, "0008_owed_writes")
    assert _shape(empty_db_url, "messages") == before
    assert _stamps(empty_db_url, "processed_at") == [(stamp,) for (_, _, stamp), _ in ROWS]


def test_a_message_claimed_before_the_upgrade_keeps_its_claim(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0008_owed_writes")
    _seed_0008(empty_db_url)
    command.upgrade(config, "head")
    assert _diff(empty_db_url) == []
    # Within the lease only the unclaimed message is free; past it, the claimed one comes back
    # as taken over from a process that died.
    lease = datetime.now(timezone.utc) - AT + timedelta(hours=1)
    [free] = claim_next(empty_db_url, channel="whatsapp", limit=10, lease=lease)
    assert (free.job.inbound.text, free.previous_claim) == ("hi", None)
    assert free.job.message_id == 1
    mine = frozenset({free.job.message_id})
    [taken_over] = claim_next(empty_db_url, channel="whatsapp", limit=10, lease=timedelta(0),
                              exclude=mine)  # fmt: skip
    assert (taken_over.job.message_id, taken_over.previous_claim) == (2, AT)
