"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, select

from booking_core.db import migrate
from booking_core.db.models import Tenant, metadata
from booking_core.db.session import get_engine, session_scope


def _diff(url: str) -> list:
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_matches_models(empty_db_url: str) -> None:
    migrated = migrate.upgrade(empty_db_url)
    assert migrated.split("?")[0] in empty_db_url
    assert _diff(empty_db_url) == []
    tables = set(inspect(get_engine(empty_db_url)).get_table_names())
    assert {"tenants", "contacts", "messages", "calendar_events", "alembic_version"} <= tables


def test_upgrade_is_repeatable_and_creates_default_tenant(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from booking_core.settings import get_settings

    monkeypatch.setenv("DEFAULT_TENANT_SLUG", "default")
    get_settings.cache_clear()
    try:
        migrate.upgrade(empty_db_url)
        migrate.upgrade(empty_db_url)
    finally:
        get_settings.cache_clear()
    with session_scope(empty_db_url) as session:
        assert session.scalars(select(Tenant.slug)).all() == ["default"]


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert set(inspect(get_engine(empty_db_url)).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert _diff(empty_db_url) == []


def _shape(url: str, table: str) -> dict[str, Any]:
    found = inspect(get_engine(url))
    return {
        "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
        "checks": sorted(c["name"] for c in found.get_check_constraints(table)),
        "uniques": sorted(c["name"] for c in found.get_unique_constraints(table)),
        "indexes": sorted(i["name"] for i in found.get_indexes(table)),
        "fks": sorted(f["name"] for f in found.get_foreign_keys(table)),
    }


def test_0007_event_location_keeps_rows_both_ways(empty_db_url: str) -> None:
    """Existing bookings get no location; going back to 0006 drops only the column."""
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0006")
    before = _shape(empty_db_url, "calendar_events")
    engine = get_engine(empty_db_url)
    old = MetaData()
    tenants = Table("tenants", old, autoload_with=engine)
    events = Table("calendar_events", old, autoload_with=engine)
    at = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
    tenant_row = {
        "name": "T",
        "slug": "t",
        "timezone": "UTC",
        "locale": "en_GB",
        "calendar_provider": "builtin",
        "calendar_settings": {},
        "business_hours": {},
        "default_event_minutes": 30,
        "feed_token": "f" * 43,
        "created_at": at,
    }
    event_row = {
        "uid": "u" * 26,
        "title": "Old booking",
        "start": at,
        "end": at.replace(hour=16),
        "timezone": "UTC",
        "provider": "builtin",
        "status": "confirmed",
        "created_at": at,
        "updated_at": at,
    }
    with engine.begin() as connection:
        inserted = connection.execute(tenants.insert().values(**tenant_row))
        event_row["tenant_id"] = inserted.inserted_primary_key[0]
        connection.execute(events.insert().values(**event_row))

    command.upgrade(config, "0007")
    column = {c["name"]: c for c in inspect(engine).get_columns("calendar_events")}["location"]
    assert column["nullable"] is True and column["type"].length == 200
    new = Table("calendar_events", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        assert connection.execute(select(new.c.title, new.c.location)).all() == [
            ("Old booking", None)
        ]
        connection.execute(new.update().values(location="2250 Oak Street"))

    command.downgrade(config, "0006")
    assert _shape(empty_db_url, "calendar_events") == before
    with engine.connect() as connection:
        assert connection.execute(select(events.c.title)).scalars().all() == ["Old booking"]
    command.upgrade(config, "head")
    assert _diff(empty_db_url) == []


def test_single_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_cli_prints_database(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'cli.db'}"
    assert migrate.main([url]) == 0
    assert f"migrated {url} to head" in capsys.readouterr().out
    assert (tmp_path / "sub" / "cli.db").exists()
