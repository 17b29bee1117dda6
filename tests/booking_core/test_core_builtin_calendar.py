"""Built-in calendar provider and the provider registry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from booking_core.calendars import CalendarProvider, get_provider, register_provider
from booking_core.calendars.base import merge_intervals
from booking_core.calendars.builtin import BuiltinCalendarProvider
from booking_core.calendars.registry import UnknownProviderError
from booking_core.db import repository as repo
from booking_core.db.models import Tenant
from booking_core.db.session import session_scope

UTC = timezone.utc
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _book(session, tenant: Tenant, start: datetime, minutes: int, confirm: bool = True, **kw):
    provider = get_provider(tenant)
    event = repo.create_calendar_event(
        session,
        tenant_id=tenant.id,
        contact_id=None,
        title="Slot",
        start=start,
        end=start + timedelta(minutes=minutes),
        timezone="Europe/London",
        provider=provider.name,
        **kw,
    )
    if confirm:
        result = provider.create_event(tenant, event)
        repo.confirm_calendar_event(
            session,
            event_id=event.id,
            provider_event_id=result.provider_event_id,
            link=result.link,
        )
    return event


def test_registry_returns_builtin(db_settings: str) -> None:
    with session_scope() as session:
        tenant = repo.ensure_default_tenant(session)
        provider = get_provider(tenant)
    assert isinstance(provider, BuiltinCalendarProvider)
    assert isinstance(provider, CalendarProvider)


def test_unknown_provider(db_settings: str) -> None:
    tenant = Tenant(name="x", slug="x", calendar_provider="exchange-2003")
    with pytest.raises(UnknownProviderError, match="exchange-2003"):
        get_provider(tenant)


def test_register_provider(db_settings: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from booking_core.calendars import registry

    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))
    tenant = Tenant(name="x", slug="x", calendar_provider="fake")
    sentinel = BuiltinCalendarProvider()
    register_provider("fake", lambda tenant, url: sentinel)
    assert get_provider(tenant) is sentinel


def test_create_get_and_free_busy(db_settings: str) -> None:
    with session_scope() as session:
        tenant = repo.ensure_default_tenant(session)
        event = _book(session, tenant, T0, 30, location="2250 Oak Street")
        _book(session, tenant, T0 + timedelta(minutes=30), 30)  # touches: merged
        _book(session, tenant, T0 + timedelta(hours=3), 60)
        _book(session, tenant, T0 + timedelta(hours=5), 60, confirm=False)  # pending: free
        assert event.provider_event_id == event.uid
        assert event.link == f"http://testserver/api/v1/events/{event.uid}.ics"
        provider = get_provider(tenant)
        seen = provider.get_event(tenant, event.uid)
        assert seen is not None and (seen.title, seen.status, seen.start) == (
            "Slot",
            "confirmed",
            T0,
        )
        assert seen.location == "2250 Oak Street"
        assert provider.get_event(tenant, "nope") is None
        tenant_id = tenant.id

    # A detached tenant makes the provider open its own session on DATABASE_URL.
    with session_scope() as session:
        detached = repo.get_tenant(session, tenant_id=tenant_id)
    assert detached is not None
    busy = BuiltinCalendarProvider().free_busy(
        detached, T0 + timedelta(minutes=15), T0 + timedelta(hours=3, minutes=30)
    )
    assert busy == [
        (T0 + timedelta(minutes=15), T0 + timedelta(hours=1)),
        (T0 + timedelta(hours=3), T0 + timedelta(hours=3, minutes=30)),
    ]


def test_free_busy_ignores_other_tenants(db_settings: str) -> None:
    with session_scope() as session:
        tenant = repo.ensure_default_tenant(session)
        other = Tenant(name="o", slug="o")
        session.add(other)
        session.flush()
        _book(session, other, T0, 60)
        assert get_provider(tenant).free_busy(tenant, T0, T0 + timedelta(days=1)) == []


def test_merge_intervals() -> None:
    h = timedelta(hours=1)
    assert merge_intervals(
        [(T0 + 2 * h, T0 + 3 * h), (T0, T0 + h), (T0 + h / 2, T0 + h * 1.5)], T0, T0 + 10 * h
    ) == [(T0, T0 + 1.5 * h), (T0 + 2 * h, T0 + 3 * h)]
    assert merge_intervals([(T0 - h, T0)], T0, T0 + h) == []
