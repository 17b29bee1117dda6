"""Migration 0010_claimed_by: the claimer column comes and goes on SQLite and PostgreSQL, and a
claim made before the upgrade (no claimer) still waits for its lease."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import command
from alembic.script import ScriptDirectory

from booking_core.db import migrate
from booking_core.messaging.inbox import claim_next
from tests.booking_core.migrations.test_0009_claimed_at import AT, ROWS, _seed_0008, _stamps
from tests.booking_core.test_core_migrations import _shape

REVISION = "0010_claimed_by"


def test_revision_follows_0009() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_revision(REVISION).down_revision == "0009_claimed_at"


def test_the_claimer_column_comes_and_goes(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0008_owed_writes")
    _seed_0008(empty_db_url)
    command.upgrade(config, "0009_claimed_at")
    before = _shape(empty_db_url, "messages")
    command.upgrade(config, REVISION)
    assert _shape(empty_db_url, "messages") != before
    assert _stamps(empty_db_url, "claimed_by") == [(None,)] * len(ROWS)
    # A claim of the old code has no claimer: it is nobody's to take back before the lease.
    lease = datetime.now(timezone.utc) - AT + timedelta(hours=1)
    [free] = claim_next(empty_db_url, channel="whatsapp", limit=10, lease=lease)
    assert free.previous_claim is None
    command.downgrade(config, "0009_claimed_at")
    assert _shape(empty_db_url, "messages") == before
