"""Booking service: the one place that turns a confirmed request into a stored, written event.

`book_event` is synchronous (SQLAlchemy and most calendar clients are); the action server runs it
in a worker thread.

Steps: resolve the tenant (default when no slug), upsert the contact, insert the event as `pending`
and commit, ask the tenant's calendar provider to create it, then store the provider id and link
and mark it `confirmed`. The pending row is committed before the provider call so no database
lock is held during network I/O and a crash leaves a visible trace.

Idempotency: a request is identified by a key derived from (tenant, channel, platform user id,
title, start, end) and stored in `calendar_events.idempotency_key` (unique per tenant). A retried
call with the same arguments (Rasa re-running the action after a timeout, a user double-tapping
"Yes") finds the same row: a confirmed row is returned as is, a pending or failed one is sent to
the provider again with the same uid, which providers use as their client-side id, so no duplicate
is written. Simultaneous identical calls race on the unique key; the loser reuses the winner's row.
Cancelling an event clears its key, so the same slot can be booked again afterwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.calendars.registry import get_provider
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.repository import (
    confirm_calendar_event,
    create_calendar_event,
    ensure_default_tenant,
    fail_calendar_event,
    get_calendar_event_by_idempotency_key,
    get_tenant_by_slug,
    upsert_contact,
)
from booking_core.db.repository.events import check_timezone
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware
from booking_core.settings import get_settings

MAX_TITLE_LENGTH = 255


@dataclass(frozen=True)
class BookingResult:
    """Outcome of a booking; `start`/`end` are aware datetimes in the event's time zone."""

    event_id: int
    uid: str
    link: str
    status: str
    start: datetime
    end: datetime


class BookingError(Exception):
    """The calendar provider refused or failed; the event row is kept with status `failed`.

    Calling `book_event` again with the same arguments retries the same event.
    """

    def __init__(self, message: str, *, event_id: int, uid: str, retryable: bool) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.uid = uid
        self.retryable = retryable


class UnknownTenantError(LookupError):
    """No tenant has the requested slug."""


def request_key(
    *,
    tenant_id: int,
    channel: str,
    platform_user_id: str,
    title: str,
    start: datetime,
    end: datetime,
) -> str:
    """Deterministic idempotency key of a booking request (hex SHA-256)."""
    parts = [
        str(tenant_id),
        channel,
        platform_user_id,
        " ".join(title.split()).casefold(),
        require_aware(start, "start").isoformat(),
        require_aware(end, "end").isoformat(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _resolve_tenant(session: Session, tenant_slug: str | None) -> Tenant:
    if tenant_slug is None or tenant_slug == get_settings().default_tenant_slug:
        return ensure_default_tenant(session)
    tenant = get_tenant_by_slug(session, slug=tenant_slug)
    if tenant is None:
        raise UnknownTenantError(f"unknown tenant {tenant_slug!r}")
    return tenant


def _result(event: CalendarEvent) -> BookingResult:
    zone = ZoneInfo(event.timezone)
    return BookingResult(
        event_id=event.id,
        uid=event.uid,
        link=event.link or "",
        status=event.status,
        start=event.start.astimezone(zone),
        end=event.end.astimezone(zone),
    )


def book_event(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    display_name: str | None,
    title: str,
    start: datetime,
    end: datetime,
    timezone: str,
) -> BookingResult:
    """Store and write one event for a contact; see the module docstring for the steps.

    Raises ValueError for invalid input (naive datetimes, end not after start, unknown zone or
    channel, empty title), UnknownTenantError for an unknown slug and BookingError when the
    provider fails.
    """
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    if end <= start:
        raise ValueError("end must be after start")
    check_timezone(timezone)
    title = " ".join(title.split())
    if not title:
        raise ValueError("title must not be empty")
    if len(title) > MAX_TITLE_LENGTH:
        raise ValueError(f"title is longer than {MAX_TITLE_LENGTH} characters")

    with session_scope() as session:
        tenant = _resolve_tenant(session, tenant_slug)
        contact = upsert_contact(
            session,
            tenant_id=tenant.id,
            channel=channel,
            platform_user_id=platform_user_id,
            display_name=display_name,
        )
        key = request_key(
            tenant_id=tenant.id,
            channel=channel,
            platform_user_id=platform_user_id,
            title=title,
            start=start,
            end=end,
        )
        event = get_calendar_event_by_idempotency_key(
            session, tenant_id=tenant.id, idempotency_key=key
        )
        if event is None:
            try:
                event = create_calendar_event(
                    session,
                    tenant_id=tenant.id,
                    contact_id=contact.id,
                    title=title,
                    start=start,
                    end=end,
                    timezone=timezone,
                    provider=tenant.calendar_provider,
                    idempotency_key=key,
                )
            except IntegrityError:
                # A concurrent identical request committed first: continue with its row.
                event = get_calendar_event_by_idempotency_key(
                    session, tenant_id=tenant.id, idempotency_key=key
                )
                if event is None:
                    raise
        if event.status == "confirmed":
            return _result(event)
        session.commit()

        provider = get_provider(tenant)
        try:
            written = provider.create_event(tenant, event)
        except Exception as exc:
            fail_calendar_event(session, event_id=event.id, error=f"{type(exc).__name__}: {exc}")
            session.commit()
            raise BookingError(
                f"calendar provider {provider.name!r} failed: {exc}",
                event_id=event.id,
                uid=event.uid,
                retryable=bool(getattr(exc, "retryable", True)),
            ) from exc
        confirm_calendar_event(
            session,
            event_id=event.id,
            provider_event_id=written.provider_event_id,
            link=written.link,
        )
        return _result(event)
