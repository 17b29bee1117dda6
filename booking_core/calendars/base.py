"""The interface every calendar provider implements.

A provider gets the tenant (for its credentials/settings in `tenant.calendar_settings`) and the
stored `CalendarEvent` row. The row's `uid` (base32hex) should be sent as the provider-side client
id where the provider supports one, so a retried create is idempotent on the provider side too.
Providers never commit the caller's session; the booking service owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from booking_core.db.models import CalendarEvent, Tenant

#: (start, end) of a busy period, timezone-aware UTC, end exclusive.
BusyInterval = tuple[datetime, datetime]


@dataclass(frozen=True)
class ProviderResult:
    """What a provider returns after writing an event: its id there and a link for the user."""

    provider_event_id: str
    link: str


@dataclass(frozen=True)
class ProviderEvent:
    """An event as the provider sees it (for reconciliation and reschedule/cancel flows)."""

    provider_event_id: str
    title: str
    start: datetime
    end: datetime
    status: str
    link: str | None = None
    location: str | None = None


class ProviderError(Exception):
    """A provider call failed; `retryable` says whether the same call may succeed later."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def needs_reauth(exc: BaseException) -> bool:
    """True for a refused credential: a provider error's `needs_reauth = True` (duck-typed, so
    callers need no provider import), or HTTP 401."""
    return bool(getattr(exc, "needs_reauth", False)) or getattr(exc, "status", None) == 401


def describe_error(exc: BaseException) -> str:
    """One line for the `error` column and logs."""
    return f"{type(exc).__name__}: {exc}"[:1500]


@runtime_checkable
class CalendarProvider(Protocol):
    """Calendar backend of one tenant."""

    name: str

    def create_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        """Write a new event (title, times, `location` when set); must be idempotent for the
        same `event.uid`."""
        ...

    def update_event(self, tenant: Tenant, event: CalendarEvent) -> ProviderResult:
        """Write the row's current title/start/end (and location) to the existing provider
        event."""
        ...

    def delete_event(self, tenant: Tenant, event: CalendarEvent) -> None:
        """Remove (or cancel) the provider event; deleting a missing event is not an error."""
        ...

    def get_event(self, tenant: Tenant, provider_event_id: str) -> ProviderEvent | None:
        """The provider's view of one event, or None when it does not exist."""
        ...

    def free_busy(self, tenant: Tenant, start: datetime, end: datetime) -> list[BusyInterval]:
        """Busy periods inside [start, end), sorted and merged, clipped to the window."""
        ...


def merge_intervals(
    intervals: list[BusyInterval], start: datetime, end: datetime
) -> list[BusyInterval]:
    """Clip intervals to [start, end), sort them and merge overlapping or touching ones."""
    clipped = sorted((max(s, start), min(e, end)) for s, e in intervals if s < end and e > start)
    merged: list[BusyInterval] = []
    for s, e in clipped:
        if merged and s <= merged[-1][1]:
            if e > merged[-1][1]:
                merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
