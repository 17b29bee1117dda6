"""Calendar event crud. Every lookup except the public-uid one is scoped by tenant."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from booking_core.db.models import ACTIVE_EVENT_STATUSES, EVENT_STATUSES, CalendarEvent, Contact
from booking_core.db.types import require_aware, utcnow

MAX_LOCATION_LENGTH = 200
#: Control characters other than TAB, LF and CR (PostgreSQL refuses NUL in text).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_timezone(name: str) -> None:
    """Refuse anything that is not an IANA zone name, so display code can trust the column."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone") from exc


def clean_location(location: str | None) -> str | None:
    """An event's place as stored: stripped, None when empty; ValueError when longer than
    `MAX_LOCATION_LENGTH` characters or holding control characters other than line breaks."""
    if location is None:
        return None
    location = location.strip()
    if not location:
        return None
    if len(location) > MAX_LOCATION_LENGTH:
        raise ValueError(f"location is longer than {MAX_LOCATION_LENGTH} characters")
    if _CONTROL.search(location):
        raise ValueError("location must not contain control characters")
    return location


@dataclass(frozen=True)
class ServiceCopy:
    """What a booking keeps of its terms: the service (None: none), its price then, and the
    buffers in force (the tenant's when there is no service), which keep counting around it."""

    service_id: int | None = None
    price_cents: int | None = None
    currency: str | None = None
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0

    def columns(self) -> dict[str, Any]:
        """The calendar_events columns it fills."""
        return asdict(self)


def create_calendar_event(
    session: Session,
    *,
    tenant_id: int,
    contact_id: int | None,
    title: str,
    start: datetime,
    end: datetime,
    timezone: str,
    provider: str,
    requested_message_id: int | None = None,
    confirmed_message_id: int | None = None,
    idempotency_key: str | None = None,
    location: str | None = None,
    service: ServiceCopy | None = None,
) -> CalendarEvent:
    """Insert a `pending` event owing its provider create, with a fresh uid, and flush it (so
    `id` and `uid` are set).

    `location` (where it takes place, free text) goes through `clean_location`; `service` is
    the tenant's service it books, with the price and buffers of this moment.

    With `idempotency_key`, a second insert of the same key for the tenant raises IntegrityError
    (inside a savepoint, so the caller's transaction survives); see `booking.submit_booking`.
    """
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    if end <= start:
        raise ValueError("end must be after start")
    title = title.strip()
    if not title:
        raise ValueError("title must not be empty")
    check_timezone(timezone)
    location = clean_location(location)
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.tenant_id != tenant_id:
            raise ValueError(f"contact {contact_id} does not belong to tenant {tenant_id}")
    event = CalendarEvent(
        tenant_id=tenant_id,
        contact_id=contact_id,
        title=title,
        location=location,
        start=start,
        end=end,
        timezone=timezone,
        provider=provider,
        status="pending",
        **(service.columns() if service is not None else {}),
        owed_operation="create",
        owed_attempts=0,
        requested_message_id=requested_message_id,
        confirmed_message_id=confirmed_message_id,
        idempotency_key=idempotency_key,
    )
    with session.begin_nested():
        session.add(event)
    return event


def confirm_calendar_event(
    session: Session,
    *,
    event_id: int,
    provider_event_id: str,
    link: str | None,
    confirmed_message_id: int | None = None,
) -> CalendarEvent:
    """Record the provider's id and link and mark the event `confirmed` (nothing owed).

    Raises LookupError for an unknown id and ValueError for a cancelled event (a late provider
    answer must not resurrect it).
    """
    event = session.get(CalendarEvent, event_id)
    if event is None:
        raise LookupError(f"calendar event {event_id} not found")
    if event.status == "cancelled":
        raise ValueError(f"calendar event {event_id} is cancelled")
    event.provider_event_id = provider_event_id
    event.link = link
    event.status = "confirmed"
    event.error = None
    event.owed_operation, event.owed_attempts = None, 0
    if confirmed_message_id is not None:
        event.confirmed_message_id = confirmed_message_id
    event.updated_at = utcnow()
    session.flush()
    return event


def fail_calendar_event(session: Session, *, event_id: int, error: str) -> CalendarEvent:
    """Mark an event `failed` with the provider's error, owing nothing (a retried booking
    request may still confirm it)."""
    event = session.get(CalendarEvent, event_id)
    if event is None:
        raise LookupError(f"calendar event {event_id} not found")
    event.status = "failed"
    event.error = error
    event.owed_operation, event.owed_attempts = None, 0
    event.updated_at = utcnow()
    session.flush()
    return event


def cancel_calendar_event(session: Session, *, tenant_id: int, event_id: int) -> CalendarEvent:
    """Mark an event `cancelled` and free its idempotency key so the slot can be booked again."""
    event = get_calendar_event(session, tenant_id=tenant_id, event_id=event_id)
    if event is None:
        raise LookupError(f"calendar event {event_id} not found")
    event.status = "cancelled"
    event.idempotency_key = None
    event.updated_at = utcnow()
    session.flush()
    return event


def get_calendar_event(session: Session, *, tenant_id: int, event_id: int) -> CalendarEvent | None:
    """The event with this id if it belongs to the tenant, else None."""
    return session.execute(
        select(CalendarEvent).where(
            CalendarEvent.tenant_id == tenant_id, CalendarEvent.id == event_id
        )
    ).scalar_one_or_none()


def get_contact_calendar_event(
    session: Session, *, tenant_id: int, contact_id: int, event_id: int
) -> CalendarEvent | None:
    """The event with this id if it is the contact's (in the tenant), else None."""
    return session.execute(
        select(CalendarEvent).where(
            CalendarEvent.id == event_id,
            CalendarEvent.tenant_id == tenant_id,
            CalendarEvent.contact_id == contact_id,
        )
    ).scalar_one_or_none()


def idempotency_key_taken(
    session: Session, *, tenant_id: int, idempotency_key: str, other_than: int
) -> bool:
    """True when an event other than `other_than` holds this booking-request key."""
    holder = session.execute(
        select(CalendarEvent.id).where(
            CalendarEvent.tenant_id == tenant_id,
            CalendarEvent.idempotency_key == idempotency_key,
            CalendarEvent.id != other_than,
        )
    ).first()
    return holder is not None


def list_contact_events(
    session: Session,
    *,
    tenant_id: int,
    contact_id: int,
    ends_after: datetime,
    starts_before: datetime | None = None,
) -> list[CalendarEvent]:
    """The contact's pending/confirmed events ending after `ends_after` (and starting before
    `starts_before`), in start order."""
    query = select(CalendarEvent).where(
        CalendarEvent.tenant_id == tenant_id,
        CalendarEvent.contact_id == contact_id,
        CalendarEvent.__table__.c.status.in_(ACTIVE_EVENT_STATUSES),
        CalendarEvent.end > require_aware(ends_after, "ends_after"),
    )
    if starts_before is not None:
        query = query.where(CalendarEvent.start < require_aware(starts_before, "starts_before"))
    return list(session.execute(query.order_by(CalendarEvent.start, CalendarEvent.id)).scalars())


def get_calendar_event_by_uid(
    session: Session, *, uid: str, tenant_id: int | None = None
) -> CalendarEvent | None:
    """The event with this public uid (optionally only within one tenant).

    The uid is 128 random bits, so knowing it is the capability the public `.ics` link relies on;
    that is the one lookup that may omit the tenant.
    """
    query = select(CalendarEvent).where(CalendarEvent.uid == uid)
    if tenant_id is not None:
        query = query.where(CalendarEvent.tenant_id == tenant_id)
    return session.execute(query).scalar_one_or_none()


def get_calendar_event_by_idempotency_key(
    session: Session, *, tenant_id: int, idempotency_key: str
) -> CalendarEvent | None:
    """The event created for this booking request key, or None."""
    return session.execute(
        select(CalendarEvent).where(
            CalendarEvent.tenant_id == tenant_id,
            CalendarEvent.idempotency_key == idempotency_key,
        )
    ).scalar_one_or_none()


def list_calendar_events(
    session: Session,
    *,
    tenant_id: int,
    contact_id: int | None = None,
    start_from: datetime | None = None,
    start_before: datetime | None = None,
    status: str | None = None,
) -> list[CalendarEvent]:
    """A tenant's events ordered by start; `start_from` inclusive, `start_before` exclusive."""
    query = select(CalendarEvent).where(CalendarEvent.tenant_id == tenant_id)
    if contact_id is not None:
        query = query.where(CalendarEvent.contact_id == contact_id)
    if start_from is not None:
        query = query.where(CalendarEvent.start >= require_aware(start_from, "start_from"))
    if start_before is not None:
        query = query.where(CalendarEvent.start < require_aware(start_before, "start_before"))
    if status is not None:
        if status not in EVENT_STATUSES:
            raise ValueError(f"unknown event status {status!r}; expected one of {EVENT_STATUSES}")
        query = query.where(CalendarEvent.status == status)
    return list(session.execute(query.order_by(CalendarEvent.start, CalendarEvent.id)).scalars())


def find_overlapping_events(
    session: Session,
    *,
    tenant_id: int,
    start: datetime,
    end: datetime,
    statuses: tuple[str, ...] = ACTIVE_EVENT_STATUSES,
) -> list[CalendarEvent]:
    """Events of the tenant that intersect [start, end) (touching ends do not overlap).

    Only `pending` and `confirmed` events occupy a slot by default.
    """
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    query = (
        select(CalendarEvent)
        .where(
            CalendarEvent.tenant_id == tenant_id,
            # via __table__: the model annotates `status` as its Python type (str).
            CalendarEvent.__table__.c.status.in_(statuses),
            CalendarEvent.start < end,
            CalendarEvent.end > start,
        )
        .order_by(CalendarEvent.start, CalendarEvent.id)
    )
    return list(session.execute(query).scalars())


def count_tenant_events(session: Session, *, tenant_id: int) -> int:
    """How many bookings the tenant has ever had (any status)."""
    query = select(func.count()).where(CalendarEvent.tenant_id == tenant_id)
    return int(session.scalar(query.select_from(CalendarEvent)) or 0)
