"""Timezone-aware datetimes survive a round trip on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from booking_core.db import repository as repo
from booking_core.db.models import Tenant
from booking_core.db.session import session_scope


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 12, 1, 15, 0, 0, 123456, tzinfo=timezone.utc),
        datetime(2026, 7, 1, 15, 0, tzinfo=ZoneInfo("Europe/London")),  # BST, +01:00
        datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
)
def test_round_trip_is_same_instant_in_utc(db_url: str, start: datetime) -> None:
    with session_scope(db_url) as session:
        tenant = Tenant(name="t", slug="t")
        session.add(tenant)
        session.flush()
        event = repo.create_calendar_event(
            session,
            tenant_id=tenant.id,
            contact_id=None,
            title="x",
            start=start,
            end=start + timedelta(minutes=45),
            timezone="Europe/London",
            provider="builtin",
        )
        event_id, tenant_id = event.id, tenant.id
    with session_scope(db_url) as session:
        loaded = repo.get_calendar_event(session, tenant_id=tenant_id, event_id=event_id)
        assert loaded is not None
        assert loaded.start == start
        assert loaded.start.utcoffset() == timedelta(0)
        assert loaded.end - loaded.start == timedelta(minutes=45)
        assert loaded.created_at.tzinfo is not None


def test_sqlite_stores_naive_utc_text(sqlite_url: str) -> None:
    start = datetime(2026, 7, 1, 15, 0, tzinfo=ZoneInfo("Europe/London"))
    with session_scope(sqlite_url) as session:
        tenant = Tenant(name="t", slug="t")
        session.add(tenant)
        session.flush()
        repo.create_calendar_event(
            session,
            tenant_id=tenant.id,
            contact_id=None,
            title="x",
            start=start,
            end=start + timedelta(hours=1),
            timezone="Europe/London",
            provider="builtin",
        )
    with session_scope(sqlite_url) as session:
        raw = session.execute(text("SELECT start FROM calendar_events")).scalar_one()
    assert raw.startswith("2026-07-01 14:00:00")


def test_naive_datetime_refused_at_flush(db_url: str) -> None:
    with pytest.raises(Exception, match="naive"), session_scope(db_url) as session:
        session.add(Tenant(name="t", slug="t", created_at=datetime(2026, 1, 1)))
        session.flush()
