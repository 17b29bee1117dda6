"""Migration 0011_services_and_rules: the services table and the new tenant and booking columns
come and go on SQLite and PostgreSQL, and rows written before it keep their values with no
rules (an existing tenant behaves as before)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, inspect, select

from booking_core.db import migrate
from booking_core.db.session import get_engine
from tests.booking_core.test_core_migrations import _diff, _shape

REVISION = "0011_services_and_rules"
AT = datetime(2026, 3, 29, 9, 0, tzinfo=timezone.utc)


def _seed_0010(url: str) -> None:
    meta = MetaData()
    engine = get_engine(url)
    tenants = Table("tenants", meta, autoload_with=engine)
    events = Table("calendar_events", meta, autoload_with=engine)
    with engine.begin() as connection:
        tenant_id = connection.execute(tenants.insert().values(
            name="Salon", slug="salon", timezone="Europe/London", locale="en_GB",
            calendar_provider="builtin", calendar_settings={}, business_hours={},
            default_event_minutes=30, feed_token="f" * 43, created_at=AT,
        )).inserted_primary_key[0]  # fmt: skip
        connection.execute(events.insert().values(
            tenant_id=tenant_id, uid="u" * 26, title="Haircut", start=AT,
            end=AT + timedelta(minutes=30), timezone="Europe/London", provider="builtin",
            status="confirmed", owed_attempts=0, created_at=AT, updated_at=AT,
        ))  # fmt: skip


def test_revision_follows_0010_and_is_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert script.get_revision(REVISION).down_revision == "0010_claimed_by"
    assert script.get_current_head() == REVISION


def test_services_and_rules_come_and_go_keeping_rows(empty_db_url: str) -> None:
    config = migrate.alembic_config(empty_db_url)
    command.upgrade(config, "0010_claimed_by")
    _seed_0010(empty_db_url)
    before = {t: _shape(empty_db_url, t) for t in ("tenants", "calendar_events")}
    command.upgrade(config, REVISION)
    assert _diff(empty_db_url) == []
    meta = MetaData()
    engine = get_engine(empty_db_url)
    tenants = Table("tenants", meta, autoload_with=engine)
    events = Table("calendar_events", meta, autoload_with=engine)
    with engine.connect() as connection:
        tenant = connection.execute(select(tenants.c.booking_rules, tenants.c.address)).one()
        event = connection.execute(select(events)).one()._mapping
    assert tuple(tenant) == ({}, None)
    assert (event["title"], event["service_id"], event["price_cents"]) == ("Haircut", None, None)
    assert (event["buffer_before_minutes"], event["buffer_after_minutes"]) == (0, 0)
    assert "services" in inspect(engine).get_table_names()
    command.downgrade(config, "0010_claimed_by")
    assert "services" not in inspect(get_engine(empty_db_url)).get_table_names()
    assert {t: _shape(empty_db_url, t) for t in ("tenants", "calendar_events")} == before
