"""The built-in calendar: the `calendar_events` row is the event.

Creating or updating an event writes nothing else; the provider id is the row's uid and the link is
the admin API's `.ics` download for it. Free/busy comes from the tenant's confirmed rows.

Database reads use the session the tenant object is attached to (so they see the caller's
uncommitted rows), or a new session on `database_url` for a detached tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session, object_session

from booking_core.calendars.base import BusyInterval, ProviderEvent, ProviderResult, merge_intervals
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.repository import find_overlapping_events, get_calendar_event_by_uid
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware
from booking_core.settings import get_settings


def ics_link(uid: str) -> str:
    """Public URL of an event's `.ics` file on the admin API."""
    return f"{get_settings().admin_api_url}/api/v1/events/{uid}.ics"


class BuiltinCalendarProvider:
    """Calendar kept in the project's own database."""

    name = "builtin"

    def __init__(self, database_url: str | None = None) -> None:
        self.database_url = database_url

    @contextmanager
    def _session(self, tenant: Tenant) -> Iterator[Session]:
        attached = object_session(tenant)
        if attached is not None:
            yield attached
            return
        with session_scope(self.database_url) as session:
            yield session

    def _result(self, event: CalendarEvent) -> ProviderResult:
        if not event.uid:
            raise ValueError("event has no uid yet: flush it before calling the provider")
        return ProviderResult(provider_event_id=event.uid, link=ics_link(event.uid))

    def create_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        """Nothing to write: the row is the event; idempotent by construction."""
        return self._result(event)

    def update_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        """Nothing to write: the caller updates the row."""
        return self._result(event)

    def delete_event(self, tenant: Tenant, event: CalendarEvent) -> None:
        """Nothing to delete: the caller marks the row cancelled."""

    def get_event(self, tenant: Tenant, provider_event_id: str) -> ProviderEvent | None:
        """Read the row with this uid from the tenant's events."""
        with self._session(tenant) as session:
            event = get_calendar_event_by_uid(session, uid=provider_event_id, tenant_id=tenant.id)
            if event is None:
                return None
            return ProviderEvent(
                provider_event_id=event.uid,
                title=event.title,
                start=event.start,
                end=event.end,
                status=event.status,
                link=event.link,
                location=event.location,
            )

    def free_busy(self, tenant: Tenant, start: datetime, end: datetime) -> list[BusyInterval]:
        """Confirmed events intersecting [start, end), clipped and merged."""
        start = require_aware(start, "start")
        end = require_aware(end, "end")
        with self._session(tenant) as session:
            events = find_overlapping_events(
                session, tenant_id=tenant.id, start=start, end=end, statuses=("confirmed",)
            )
            return merge_intervals([(e.start, e.end) for e in events], start, end)
