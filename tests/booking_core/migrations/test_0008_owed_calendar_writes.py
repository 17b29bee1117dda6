"""Migration 0008_owed_writes: the "[kind attempt N]" markers in `error` become
`owed_operation` / `owed_attempts`, both ways, on SQLite and PostgreSQL; the worker then
completes the converted rows without reading any marker."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, select

from booking_core.db import migrate
from booking_core.db.session import get_engine
from booking_core.worker import complete_pending
from tests.booking_core.test_core_migrations import _diff, _shape

REVISION = "0008_owed_writes"
AT = datetime(2030, 7, 1, 9, 0, tzinfo=timezone.utc)

#: (status, provider_event_id, error at 0007) -> (owed_operation, owed_attempts, error at 0008)
ROWS: list[tuple[tuple[str, str | None, str | None], tuple[str | None, int, str | None]]] = [
    (("pending", None, "[create attempt 3] Outage: 503"), ("create", 3, "Outage: 503")),
    (("pending", "g1", "[update attempt 0] update in progress"), ("update", 0, None)),
    (("pending", "g2", "[update attempt 5] Outage: 500"), ("update", 5, "Outage: 500")),
    (("pending", None, "[update attempt 2] never written"), ("create", 2, "never written")),
    (("pending", None, "[create attempt 1] one\ntwo"), ("create", 1, "one\ntwo")),
    (("pending", None, None), ("create", 0, None)),  # a crash between commit and call
    (("pending", "g3", None), ("update", 0, None)),
    (("cancelled", "g4", "[delete attempt 4] Outage: 503"), ("delete", 4, "Outage: 503")),
    (("cancelled", "g5", "[delete attempt 0] delete in progress"), ("delete", 0, None)),
    (
        ("cancelled", None, "[delete attempt 0] cancelled during a pending create"),
        ("delete", 0, "cancelled during a pending create"),
    ),
    (("cancelled", "g6", "[create attempt 3] Outage: 503"), (None, 0, "Outage: 503")),
    (("cancelled", "g7", "deleted in the calendar: x"), (None, 0, "deleted in the calendar: x")),
    (("confirmed", "g8", None), (None, 0, None)),
    (("failed", None, "ProviderError: 400 invalid"), (None, 0, "ProviderError: 400 invalid")),
]


def _tables(url: str) -> tuple[Table, Table]:
    meta = MetaData()
    engine = get_engine(url)
    return Table("tenants", meta, autoload_with=engine), Table(
        "calendar_events", meta, autoload_with=engine
    )


def _seed_0007(url: str) -> None:
    tenants, events = _tables(url)
    tenant = {
        "name": "T", "slug": "t", "timezone": "UTC", "locale": "en_GB",
        "calendar_provider": "builtin", "calendar_settings": {}, "business_hours": {},
        "default_event_minutes": 30, "feed_token": "f" * 43, "created_at": AT,
    }  # fmt: skip
    with get_engine(url).begin() as connection:
        tenant_id = connection.execute(tenants.insert().values(**tenant)).inserted_primary_key[0]
        for number, ((status, provider_id, error), _) in enumerate(ROWS):
            start = AT + timedelta(hours=number)
            connection.execute(
                events.insert().values(
                    tenant_id=tenant_id, uid=f"u{number:02d}" + "0" * 24, title=f"Row {number}",
                    start=start, end=start + timedelta(minutes=30), timezone="UTC",
                    provider="builtin", provider_event_id=provider_id, status=status, error=error,
                    created_at=AT, updated_at=AT,
                )
            )  # fmt: skip


def _stored(url: str, *columns: str) -> list[tuple[Any, ...]]:
    _, events = _tables(url)
    with get_engine(url).connect() as connection:
        query = select(*(events.c[name] for name in columns)).order_by(events.c.id)
        return [tuple(row) for row in connection.execute(query)]


def test_owed_from_marker_reads_every_form() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    module = script.get_revision(REVISION).module
    for before, after in ROWS:
        assert module.owed_from_marker(*before) == after, before
    assert script.get_revision(REVISION).down_revision == "0007"


def test_upgrade_converts_markers_and_downgrade_writes_them_back(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0007")
    before = _shape(empty_db_url, "calendar_events")
    _seed_0007(empty_db_url)

    command.upgrade(config, REVISION)
    assert _stored(empty_db_url, "owed_operation", "owed_attempts", "error") == [
        after for _, after in ROWS
    ]
    shape = _shape(empty_db_url, "calendar_events")
    assert "ix_calendar_events_owed" in shape["indexes"]
    assert {"ck_calendar_events_owed_operation", "ck_calendar_events_owed_attempts"} <= set(
        shape["checks"]
    )

    command.downgrade(config, "0007")
    assert _shape(empty_db_url, "calendar_events") == before
    restored = [error for (error,) in _stored(empty_db_url, "error")]
    expected = [
        f"[{op} attempt {n}] {message or op + ' in progress'}" if op else message
        for _, (op, n, message) in ROWS
    ]
    assert restored == expected


def test_worker_completes_converted_rows(empty_db_url: str) -> None:
    """Each owed create, update and delete is finished from the columns alone."""
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0007")
    _seed_0007(empty_db_url)
    command.upgrade(config, "head")
    assert _diff(empty_db_url) == []

    later = AT + timedelta(hours=1)  # past every row's backoff, before any has expired
    report = complete_pending(max_items=50, now=later, database_url=empty_db_url)
    assert (report.completed, report.failed) == (sum(op is not None for _, (op, _, _) in ROWS), 0)
    done = {"create": "confirmed", "update": "confirmed", "delete": "cancelled"}
    rows = _stored(empty_db_url, "status", "owed_operation", "owed_attempts")
    for number, ((status, _, _), (operation, _, _)) in enumerate(ROWS):
        expected = done[operation] if operation else status
        assert rows[number] == (expected, None, 0), ROWS[number]
