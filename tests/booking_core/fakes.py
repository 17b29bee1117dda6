"""A fake external calendar and helpers for the booking services' tests (availability, lookup,
changes, the worker): an in-memory provider with injectable failures standing in for Google,
registered for tenant "shop"; the real Google provider is exercised against a stand-in server
in tests/integration.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from booking_core.booking import submit_booking
from booking_core.calendars import registry
from booking_core.calendars.base import (
    BusyInterval,
    ProviderError,
    ProviderEvent,
    ProviderResult,
    merge_intervals,
)
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.session import session_scope
from booking_core.retry_policy import RetryPolicy

LONDON = ZoneInfo("Europe/London")
FAST = RetryPolicy(attempts=3, base_delay=0.0)
NOW = datetime(2030, 7, 1, 8, 0, tzinfo=LONDON)  # a Monday morning
DAY = date(2030, 7, 1)


def at(hhmm: str, day: date = DAY) -> datetime:
    return datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=LONDON)


class FakeAuthError(ProviderError):
    """What a provider raises for revoked credentials."""

    needs_reauth = True

    def __init__(self) -> None:
        super().__init__("token revoked", retryable=False)
        self.reason = "invalid_grant"


class GoneError(ProviderError):
    def __init__(self) -> None:
        super().__init__("event gone", retryable=False)
        self.reason = "gone"


def outage() -> ProviderError:
    return ProviderError("503 backend error", retryable=True)


class FakeCalendar:
    """External calendar in memory; `failures` are raised by the next calls, in order."""

    name = "fake"

    def __init__(self) -> None:
        self.events: dict[str, dict[str, Any]] = {}
        self.others: list[BusyInterval] = []
        self.failures: list[BaseException] = []
        self.calls: list[tuple[str, str]] = []

    def _call(self, op: str, key: str) -> None:
        self.calls.append((op, key))
        if self.failures:
            raise self.failures.pop(0)

    def _result(self, key: str) -> ProviderResult:
        return ProviderResult(provider_event_id=key, link=f"https://fake.example/{key}")

    def create_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        key = f"fk{event.uid}"
        self._call("create", key)
        self.events.setdefault(
            key,
            {"title": event.title, "start": event.start, "end": event.end, "status": "confirmed"},
        )
        return self._result(key)

    def update_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        key = event.provider_event_id or f"fk{event.uid}"
        self._call("update", key)
        if key not in self.events or self.events[key]["status"] == "cancelled":
            raise GoneError()
        self.events[key].update(title=event.title, start=event.start, end=event.end)
        return self._result(key)

    def delete_event(self, tenant: Tenant, event: CalendarEvent) -> None:
        key = event.provider_event_id or f"fk{event.uid}"
        self._call("delete", key)
        if key in self.events:
            self.events[key]["status"] = "cancelled"

    def get_event(self, tenant: Tenant, provider_event_id: str) -> ProviderEvent | None:
        self._call("get", provider_event_id)
        data = self.events.get(provider_event_id)
        if data is None:
            return None
        return ProviderEvent(
            provider_event_id=provider_event_id,
            title=data["title"],
            start=data["start"],
            end=data["end"],
            status=data["status"],
        )

    def free_busy(self, tenant: Tenant, start: datetime, end: datetime) -> list[BusyInterval]:
        self._call("free_busy", "")
        mine = [(e["start"], e["end"]) for e in self.events.values() if e["status"] != "cancelled"]
        return merge_intervals(mine + self.others, start, end)

    def active(self) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["status"] == "confirmed"]


def install_fake(monkeypatch: pytest.MonkeyPatch) -> FakeCalendar:
    """Register the fake provider and add tenant "shop" using it (next to the built-in default)."""
    calendar = FakeCalendar()
    factories = {**registry._FACTORIES, "fake": lambda tenant, url: calendar}
    monkeypatch.setattr(registry, "_FACTORIES", factories)
    with session_scope() as session:
        session.add(
            Tenant(
                name="Shop",
                slug="shop",
                timezone="Europe/London",
                calendar_provider="fake",
                calendar_settings={"fake": {"token": "x"}},
            )
        )
    return calendar



def book(slug: str | None = "shop", user: str = "ann", title: str = "Dentist", **kw: Any) -> int:
    outcome = submit_booking(
        tenant_slug=slug,
        channel="whatsapp",
        platform_user_id=user,
        display_name=user.title(),
        title=title,
        start=kw.get("start", at("10:00")),
        end=kw.get("end", at("11:00")),
        timezone="Europe/London",
        retry=FAST,
    )
    return outcome.booking.event_id


def row(event_id: int) -> CalendarEvent:
    with session_scope() as session:
        event = session.get(CalendarEvent, event_id)
        assert event is not None
        return event


def tenant_settings(slug: str) -> dict:
    with session_scope() as session:
        tenant = session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one()
        return dict(tenant.calendar_settings)


ANN = {"tenant_slug": "shop", "channel": "whatsapp", "platform_user_id": "ann"}
BOB = {"tenant_slug": "shop", "channel": "whatsapp", "platform_user_id": "bob"}
