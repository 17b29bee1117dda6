"""Booking service: the one place that turns a confirmed request into a stored, written event.

`submit_booking` is synchronous (SQLAlchemy and most calendar clients are); the action server
runs it in a worker thread.

Steps: resolve the tenant (default when no slug), upsert the contact, insert the event as
`pending` (owing its create) and commit, ask the tenant's calendar provider to create it
(`calendar_writes.attempt_write`, retried while the user waits), then store the provider id and
link and mark it `confirmed`. The pending row is committed before the provider call so no
database lock is held during network I/O and a crash leaves a row the worker completes.

Idempotency: a request is identified by a key derived from (tenant, channel, platform user id,
title, start, end; not the location) and stored in `calendar_events.idempotency_key` (unique per
tenant). A retried call with the same arguments (Rasa re-running the action after a timeout, a
user double-tapping "Yes") finds the same row: a confirmed row is returned as is, a pending or
failed one is sent to the provider again with the same uid, which providers use as their
client-side id, so no duplicate is written. Simultaneous identical calls race on the unique key;
the loser reuses the winner's row. Cancelling an event clears its key, so the same slot can be
booked again afterwards.

Outages: when the provider still fails after the retries, or the tenant's credentials were
refused, the row stays `pending` owing its create (`owed_operation`, `owed_attempts`) and the
caller is told the booking is saved and will be completed; `booking_core.worker` finishes it
later with the same uid, so the provider still ends up with exactly one event. Refused
credentials also flag the tenant for its admin (`needs_reauth` in the provider's section of
`calendar_settings`). A permanent refusal fails the row.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.calendar_writes import DONE, FAILED, attempt_write, confirm_written, keep_owed
from booking_core.calendars.registry import get_provider
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.repository import (
    create_calendar_event,
    fail_calendar_event,
    get_calendar_event_by_idempotency_key,
    upsert_contact,
)
from booking_core.db.repository.events import ServiceCopy, check_timezone, clean_location
from booking_core.db.repository.services import get_service
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware
from booking_core.retry_policy import DEFAULT_RETRY, RetryPolicy
from booking_core.tenancy import resolve_tenant, terms_of

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = 255

#: `BookingOutcome.outcome` values: confirmed, or deferred / needs_reauth / failed as the
#: calendar write decided (`booking_core.calendar_writes`).
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class BookingResult:
    """Outcome of a booking; `start`/`end` are aware datetimes in the event's time zone."""

    event_id: int
    uid: str
    link: str
    status: str
    start: datetime
    end: datetime
    location: str | None = None


@dataclass(frozen=True)
class BookingOutcome:
    """What `submit_booking` did; `outcome` is confirmed, deferred, needs_reauth or failed.

    deferred: the provider is unreachable; the booking is saved and the worker completes it.
    needs_reauth: the tenant's calendar credentials were refused; saved, completed after the
    admin reconnects. failed: the provider rejected the event for good (row `failed`).
    """

    outcome: str
    booking: BookingResult
    error: str | None = None

    @property
    def saved(self) -> bool:
        """True when the user can be told the booking is kept (now or later)."""
        return self.outcome != FAILED


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


def _result(event: CalendarEvent) -> BookingResult:
    zone = ZoneInfo(event.timezone)
    return BookingResult(
        event_id=event.id,
        uid=event.uid,
        link=event.link or "",
        status=event.status,
        start=event.start.astimezone(zone),
        end=event.end.astimezone(zone),
        location=event.location,
    )


def _validated(
    title: str, start: datetime, end: datetime, timezone: str
) -> tuple[str, datetime, datetime]:
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
    return title, start, end


def service_copy(session: Session, tenant: Tenant, service_id: int | None) -> ServiceCopy:
    """The booking's copy of its terms: the tenant's service `service_id` (another tenant's id
    counts as none) with its price, and the buffers in force."""
    service = None
    if service_id is not None:
        service = get_service(session, tenant_id=tenant.id, service_id=service_id)
    rules = terms_of(session, tenant, service.id if service is not None else None).rules
    return ServiceCopy(
        service_id=service.id if service is not None else None,
        price_cents=service.price_cents if service is not None else None,
        currency=service.currency if service is not None else None,
        buffer_before_minutes=int(rules.buffer_before.total_seconds() // 60),
        buffer_after_minutes=int(rules.buffer_after.total_seconds() // 60),
    )


def _request_row(
    session: Session,
    tenant: Tenant,
    *,
    channel: str,
    platform_user_id: str,
    display_name: str | None,
    title: str,
    start: datetime,
    end: datetime,
    timezone: str,
    location: str | None,
    service_id: int | None = None,
) -> CalendarEvent:
    """The request's row: found by its key, or inserted (pending, owing its create)."""
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
    event = get_calendar_event_by_idempotency_key(session, tenant_id=tenant.id, idempotency_key=key)
    if event is not None:
        return event
    try:
        return create_calendar_event(
            session,
            tenant_id=tenant.id,
            contact_id=contact.id,
            title=title,
            start=start,
            end=end,
            timezone=timezone,
            provider=tenant.calendar_provider,
            idempotency_key=key,
            location=location,
            service=service_copy(session, tenant, service_id),
        )
    except IntegrityError:
        # A concurrent identical request committed first: continue with its row.
        event = get_calendar_event_by_idempotency_key(
            session, tenant_id=tenant.id, idempotency_key=key
        )
        if event is None:
            raise
        return event


def submit_booking(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    display_name: str | None,
    title: str,
    start: datetime,
    end: datetime,
    timezone: str,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
    location: str | None = None,
    service_id: int | None = None,
) -> BookingOutcome:
    """Store and write one event for a contact, riding out provider outages (see the module
    docstring). `location` is where it takes place (free text, stripped; empty means none);
    `service_id` the tenant's service it books (its price and buffers are kept on the row).

    Never raises for provider trouble: the outcome says confirmed, deferred (saved, completed
    later), needs_reauth (saved, tenant flagged) or failed. Raises ValueError for invalid input
    (naive datetimes, end not after start, unknown zone or channel, empty title, location over
    200 characters) and UnknownTenantError for an unknown slug.
    """
    title, start, end = _validated(title, start, end, timezone)
    location = clean_location(location)
    with session_scope() as session:
        tenant = resolve_tenant(session, tenant_slug)
        event = _request_row(
            session,
            tenant,
            channel=channel,
            platform_user_id=platform_user_id,
            display_name=display_name,
            title=title,
            start=start,
            end=end,
            timezone=timezone,
            location=location,
            service_id=service_id,
        )
        if event.status == "confirmed":
            return BookingOutcome(CONFIRMED, _result(event))
        session.commit()  # the pending row is durable before any network I/O

        provider = get_provider(tenant)
        result = attempt_write(provider, tenant, event, "create", policy=retry, sleep=sleep)
        if result.outcome == DONE:
            confirm_written(session, event, result)
            return BookingOutcome(CONFIRMED, _result(event))
        if result.owed:
            keep_owed(session, tenant, event, result)
            session.commit()
            logger.warning("booking %s saved as pending: %s", event.uid, result.error)
            return BookingOutcome(result.outcome, _result(event), result.error)
        # failed, or gone (the provider has no calendar to write to): the booking fails.
        fail_calendar_event(session, event_id=event.id, error=result.error or result.outcome)
        session.commit()
        return BookingOutcome(FAILED, _result(event), result.error)
