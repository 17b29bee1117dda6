"""Conversation-facing services: availability, finding, rescheduling, cancelling, agenda.

All functions are synchronous (the action server runs them in a worker thread) and every one is
scoped to a tenant AND a contact (channel + platform user id): a contact only ever sees, moves or
cancels their own events, and an event id of someone else behaves exactly like a missing one.

Database transactions are closed before any provider call (SQLite's write lock is taken at BEGIN,
and a slow provider must not block other writers). A change that must reach an external provider
is first committed with a marker in `error` ("[update attempt N] ..." / "[delete attempt N] ..."),
so a crash or an outage leaves a row that `booking_core.worker` knows how to finish.
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.booking import (
    DEFAULT_RETRY,
    DEFERRED,
    FAILED,
    NEEDS_REAUTH,
    RetryPolicy,
    _resolve_tenant,
    call_with_retry,
    describe_error,
    flag_tenant_reauth,
    is_retryable,
    needs_reauth,
    pending_marker,
    provider_for_event,
    request_key,
)
from booking_core.calendars.base import BusyInterval
from booking_core.calendars.registry import get_provider
from booking_core.db.models import ACTIVE_EVENT_STATUSES, CalendarEvent, Contact, Tenant
from booking_core.db.repository import (
    cancel_calendar_event,
    confirm_calendar_event,
    find_overlapping_events,
    get_contact_by_platform_id,
)
from booking_core.db.repository.contacts import check_channel
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.scheduling import (
    DEFAULT_HORIZON,
    Busy,
    OpeningHours,
    Slot,
    check_slot,
    parse_business_hours,
    subtract,
)

logger = logging.getLogger(__name__)

#: `ChangeResult.outcome` values besides deferred/needs_reauth/failed from booking.py.
DONE = "done"
#: The provider event no longer exists (deleted in the calendar itself).
GONE = "gone"
#: Words that say "an event" without naming it: "cancel my meeting" has no title hint.
GENERIC_WORDS = frozenset(
    {
        "my",
        "the",
        "a",
        "an",
        "this",
        "that",
        "our",
        "me",
        "i",
        "appointment",
        "appointments",
        "appt",
        "meeting",
        "meetings",
        "booking",
        "bookings",
        "event",
        "events",
        "session",
        "reservation",
        "slot",
        "one",
    }
)
TITLE_MATCH_THRESHOLD = 0.72


class EventNotFoundError(LookupError):
    """No such event for this contact (also raised for other contacts' and tenants' events)."""


class EventNotChangeableError(ValueError):
    """The event is cancelled or failed, or the requested change is invalid (e.g. in the past)."""


@dataclass(frozen=True)
class EventSummary:
    """A contact's event as the conversation shows it (times in the event's zone)."""

    event_id: int
    uid: str
    title: str
    start: datetime
    end: datetime
    timezone: str
    status: str
    link: str | None
    #: True while a provider write (create/update) is still owed: "saved, being completed".
    pending: bool


@dataclass(frozen=True)
class Availability:
    """Verdict on a requested slot, with up to three nearest alternatives (tenant zone)."""

    start: datetime
    end: datetime
    timezone: str
    available: bool
    clashes: tuple[str, ...]
    in_past: bool
    outside_hours: bool
    alternatives: tuple[Slot, ...]
    #: False when the external calendar could not be asked (then only our own rows were checked).
    checked: bool = True
    needs_reauth: bool = False
    error: str | None = None


@dataclass(frozen=True)
class ChangeResult:
    """Outcome of a reschedule or cancel: done, deferred, needs_reauth, failed or gone."""

    outcome: str
    event: EventSummary
    previous_start: datetime | None = None
    previous_end: datetime | None = None
    error: str | None = None

    @property
    def saved(self) -> bool:
        """True when the change stands (now, or once the provider is reachable again)."""
        return self.outcome in (DONE, DEFERRED, NEEDS_REAUTH)


@dataclass(frozen=True)
class Agenda:
    """The contact's own events in a window; `verified` says the provider confirmed them."""

    events: tuple[EventSummary, ...]
    verified: bool
    needs_reauth: bool = False
    error: str | None = None


def _summary(event: CalendarEvent) -> EventSummary:
    zone = ZoneInfo(event.timezone)
    return EventSummary(
        event_id=event.id,
        uid=event.uid,
        title=event.title,
        start=event.start.astimezone(zone),
        end=event.end.astimezone(zone),
        timezone=event.timezone,
        status=event.status,
        link=event.link,
        pending=event.status == "pending",
    )


def business_hours(tenant: Tenant) -> OpeningHours:
    """The tenant's opening hours; invalid stored JSON falls back to the default (logged)."""
    try:
        return parse_business_hours(tenant.business_hours)
    except ValueError as exc:
        logger.warning("tenant %s: invalid business hours (%s); using defaults", tenant.slug, exc)
        return parse_business_hours(None)


def _scope(
    session: Session, tenant_slug: str | None, channel: str, platform_user_id: str
) -> tuple[Tenant, Contact | None]:
    check_channel(channel)
    tenant = _resolve_tenant(session, tenant_slug)
    contact = get_contact_by_platform_id(
        session, tenant_id=tenant.id, channel=channel, platform_user_id=platform_user_id
    )
    return tenant, contact


def _own_event(
    session: Session, tenant: Tenant, contact: Contact | None, event_id: int
) -> CalendarEvent:
    if contact is None:
        raise EventNotFoundError(f"event {event_id} not found")
    event = session.execute(
        select(CalendarEvent).where(
            CalendarEvent.id == event_id,
            CalendarEvent.tenant_id == tenant.id,
            CalendarEvent.contact_id == contact.id,
        )
    ).scalar_one_or_none()
    if event is None:
        raise EventNotFoundError(f"event {event_id} not found")
    return event


def _flag(session: Session, tenant: Tenant, exc: BaseException) -> None:
    try:
        flag_tenant_reauth(session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=exc)
        session.commit()
    except Exception:  # flagging is best effort; the caller still reports the failure
        session.rollback()
        logger.exception("could not flag tenant %s for re-authorisation", tenant.slug)


# --- availability ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BusyPeriods:
    """What stands in the way of a booking in a window, and the hours it must fit in."""

    busy: list[Busy]
    hours: OpeningHours
    zone: ZoneInfo
    timezone: str
    #: False when the external calendar could not be asked (then only our own rows count).
    checked: bool
    needs_reauth: bool
    error: str | None


def busy_periods(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    low: datetime,
    high: datetime,
    exclude_event_id: int | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> BusyPeriods:
    """Busy time in [low, high): the provider's free/busy plus our own pending/confirmed rows.

    A booking still waiting for an outage to end occupies its slot. Clashes are named by title
    only for the contact's own events and the business's own blocks in the built-in calendar
    (rows without a contact); anything else is "another appointment", so no other customer's
    title leaks. `exclude_event_id` (one of the contact's events) is left out.
    """
    with session_scope() as session:
        tenant, contact = _scope(session, tenant_slug, channel, platform_user_id)
        rows = find_overlapping_events(session, tenant_id=tenant.id, start=low, end=high)
        excluded: list[BusyInterval] = []
        busy: list[Busy] = []
        for row in rows:
            own = contact is not None and row.contact_id == contact.id
            if own and row.id == exclude_event_id:
                excluded.append((row.start, row.end))
                continue
            business_block = row.contact_id is None and row.provider == "builtin"
            title = row.title if own or business_block else None
            busy.append(Busy(row.start, row.end, title))
        hours = business_hours(tenant)
        zone = ZoneInfo(tenant.timezone)
        session.commit()  # no transaction is held during the provider call

        checked, reauth, error = True, False, None
        if tenant.calendar_provider != "builtin":
            provider = get_provider(tenant)
            try:
                intervals = call_with_retry(
                    lambda: provider.free_busy(tenant, low, high), retry, sleep=sleep
                )
            except Exception as exc:
                checked, reauth, error = False, needs_reauth(exc), describe_error(exc)
                logger.warning("free/busy of tenant %s failed: %s", tenant.slug, error)
                if reauth:
                    _flag(session, tenant, exc)
                intervals = []
            known = [(b.start, b.end) for b in busy] + excluded
            busy += [Busy(s, e, None) for s, e in subtract(intervals, known)]
    return BusyPeriods(busy, hours, zone, tenant.timezone, checked, reauth, error)


def check_availability(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    exclude_event_id: int | None = None,
    limit: int = 3,
    horizon: timedelta = DEFAULT_HORIZON,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> Availability:
    """Does [start, end) fit the tenant's calendar and hours? If not, why, and what else fits.

    Busy time as `busy_periods` finds it; `exclude_event_id` is for checking a reschedule.
    If the provider cannot be asked, `checked` is False and only the database was used.
    """
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    if end <= start:
        raise ValueError("end must be after start")
    now = require_aware(now or utcnow(), "now")
    low = min(start, max(now, start - horizon))
    high = max(end, start + horizon)
    known = busy_periods(
        tenant_slug=tenant_slug,
        channel=channel,
        platform_user_id=platform_user_id,
        low=low,
        high=high,
        exclude_event_id=exclude_event_id,
        retry=retry,
        sleep=sleep,
    )
    busy, hours, zone = known.busy, known.hours, known.zone
    checked, reauth, error = known.checked, known.needs_reauth, known.error

    verdict = check_slot(
        start=start, end=end, busy=busy, hours=hours, zone=zone, now=now, limit=limit
    )
    return Availability(
        start=verdict.start,
        end=verdict.end,
        timezone=known.timezone,
        available=verdict.free,
        clashes=verdict.clashes,
        in_past=verdict.in_past,
        outside_hours=verdict.outside_hours,
        alternatives=verdict.alternatives,
        checked=checked,
        needs_reauth=reauth,
        error=error,
    )


# --- finding ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def title_score(hint: str, title: str) -> float:
    """0..1 similarity of a spoken hint ("dentist appt") to a stored title ("Dentist").

    Generic words are ignored; each remaining hint word scores its best title word (prefixes
    and typos count), and the whole-string ratio is used when it is higher. 1.0 for no hint.
    """
    words = [w for w in _tokens(hint) if w not in GENERIC_WORDS]
    if not words:
        return 1.0
    title_words = _tokens(title) or [""]

    def word_score(word: str) -> float:
        best = 0.0
        for candidate in title_words:
            if candidate == word:
                return 1.0
            if len(word) >= 3 and (candidate.startswith(word) or word.startswith(candidate)):
                best = max(best, 0.9)
            best = max(best, difflib.SequenceMatcher(None, word, candidate).ratio())
        return best

    per_word = sum(word_score(w) for w in words) / len(words)
    whole = difflib.SequenceMatcher(None, " ".join(words), " ".join(title_words)).ratio()
    return max(per_word, whole)


def find_contact_events(
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    title_hint: str | None = None,
    day: date | None = None,
    start_from: datetime | None = None,
    *,
    limit: int = 10,
) -> list[EventSummary]:
    """The contact's upcoming events (not ended before `start_from`, default now).

    `day` keeps events overlapping that local date (tenant zone). With a `title_hint` only
    events that match it fuzzily are returned, best match first; without one, in start order.
    Several results mean the conversation should ask which one.
    """
    start_from = require_aware(start_from or utcnow(), "start_from")
    with session_scope() as session:
        tenant, contact = _scope(session, tenant_slug, channel, platform_user_id)
        if contact is None:
            return []
        query = select(CalendarEvent).where(
            CalendarEvent.tenant_id == tenant.id,
            CalendarEvent.contact_id == contact.id,
            CalendarEvent.__table__.c.status.in_(ACTIVE_EVENT_STATUSES),
            CalendarEvent.end > start_from,
        )
        if day is not None:
            zone = ZoneInfo(tenant.timezone)
            day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
            query = query.where(CalendarEvent.start < day_end, CalendarEvent.end > day_start)
        rows = list(
            session.execute(query.order_by(CalendarEvent.start, CalendarEvent.id)).scalars()
        )
        summaries = [_summary(row) for row in rows]
    if title_hint and any(w not in GENERIC_WORDS for w in _tokens(title_hint)):
        scored = [(title_score(title_hint, s.title), s) for s in summaries]
        matched = [(score, s) for score, s in scored if score >= TITLE_MATCH_THRESHOLD]
        matched.sort(key=lambda pair: (-round(pair[0], 3), pair[1].start))
        summaries = [s for _, s in matched]
    return summaries[:limit]


# --- reschedule ------------------------------------------------------------------------------


def _free_key(
    session: Session, tenant: Tenant, contact: Contact, event: CalendarEvent
) -> str | None:
    """The booking-request key of the event's new times, unless another row already holds it."""
    key = request_key(
        tenant_id=tenant.id,
        channel=contact.channel,
        platform_user_id=contact.platform_user_id,
        title=event.title,
        start=event.start,
        end=event.end,
    )
    holder = session.execute(
        select(CalendarEvent.id).where(
            CalendarEvent.tenant_id == tenant.id,
            CalendarEvent.idempotency_key == key,
            CalendarEvent.id != event.id,
        )
    ).first()
    return None if holder else key


def reschedule_event(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    event_id: int,
    new_start: datetime,
    new_end: datetime,
    now: datetime | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> ChangeResult:
    """Move one of the contact's events: provider update (patch) and row update.

    The row is committed with the new times and status `pending` first; on success it is
    `confirmed` again (outcome done). On an outage it stays pending for the worker (deferred),
    on refused credentials the tenant is flagged (needs_reauth); a permanent refusal restores
    the old times (failed), and an event deleted in the calendar is marked cancelled (gone).
    Raises EventNotFoundError, EventNotChangeableError (cancelled/failed event, past or empty
    slot). Availability is the caller's job (`check_availability(exclude_event_id=...)`).
    """
    new_start = require_aware(new_start, "new_start")
    new_end = require_aware(new_end, "new_end")
    if new_end <= new_start:
        raise EventNotChangeableError("the new end must be after the new start")
    if new_start < require_aware(now or utcnow(), "now"):
        raise EventNotChangeableError("the new time is in the past")
    with session_scope() as session:
        tenant, contact = _scope(session, tenant_slug, channel, platform_user_id)
        event = _own_event(session, tenant, contact, event_id)
        assert contact is not None  # _own_event raised otherwise
        if event.status not in ACTIVE_EVENT_STATUSES:
            raise EventNotChangeableError(f"the event is {event.status}")
        before = (event.start, event.end, event.status, event.error, event.idempotency_key)
        if (event.start, event.end) == (new_start, new_end):
            return ChangeResult(DONE, _summary(event), event.start, event.end)
        event.start, event.end = new_start, new_end
        event.idempotency_key = _free_key(session, tenant, contact, event)
        event.updated_at = utcnow()
        external = event.provider != "builtin"
        written_before = event.provider_event_id is not None or event.status == "confirmed"
        if not external or not written_before:
            # Built-in: the row is the event. Never written: the pending create uses the row.
            session.flush()
            outcome = DONE if not external else DEFERRED
            return ChangeResult(outcome, _summary(event), before[0], before[1])
        event.status = "pending"
        event.error = pending_marker("update", 0, "update in progress")
        try:
            session.commit()
        except IntegrityError as exc:  # a concurrent booking took the key meanwhile
            session.rollback()
            raise EventNotChangeableError("the event changed meanwhile; try again") from exc

        provider = provider_for_event(tenant, event)
        try:
            written = call_with_retry(
                lambda: provider.update_event(tenant, event), retry, sleep=sleep
            )
        except Exception as exc:
            message = describe_error(exc)
            if needs_reauth(exc) or is_retryable(exc):
                reauth = needs_reauth(exc)
                if reauth:
                    flag_tenant_reauth(
                        session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=exc
                    )
                event.error = pending_marker("update", retry.attempts, message)
                event.updated_at = utcnow()
                outcome = NEEDS_REAUTH if reauth else DEFERRED
                return ChangeResult(outcome, _summary(event), before[0], before[1], message)
            if getattr(exc, "reason", None) == "gone":
                cancel_calendar_event(session, tenant_id=tenant.id, event_id=event.id)
                event.start, event.end = before[0], before[1]
                event.error = f"deleted in the calendar: {message}"
                return ChangeResult(GONE, _summary(event), before[0], before[1], message)
            event.start, event.end, event.status, _, key = before
            event.error = f"reschedule refused: {message}"
            event.idempotency_key = key
            event.updated_at = utcnow()
            return ChangeResult(FAILED, _summary(event), before[0], before[1], message)
        confirm_calendar_event(
            session,
            event_id=event.id,
            provider_event_id=written.provider_event_id,
            link=written.link or event.link,
        )
        return ChangeResult(DONE, _summary(event), before[0], before[1])


# --- cancel ----------------------------------------------------------------------------------


def cancel_event(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    event_id: int,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> ChangeResult:
    """Cancel one of the contact's events: row `cancelled` and provider delete.

    The row is cancelled (its slot freed) first, with a "[delete attempt N]" marker while the
    provider delete is owed; an outage leaves the marker for the worker (deferred), refused
    credentials flag the tenant (needs_reauth), a permanent refusal restores the event (failed).
    Cancelling a cancelled event is a no-op (done). Raises EventNotFoundError.
    """
    with session_scope() as session:
        tenant, contact = _scope(session, tenant_slug, channel, platform_user_id)
        event = _own_event(session, tenant, contact, event_id)
        if event.status == "cancelled":
            outcome = DEFERRED if (event.error or "").startswith("[delete attempt") else DONE
            return ChangeResult(outcome, _summary(event))
        before = (event.status, event.error, event.idempotency_key)
        cancel_calendar_event(session, tenant_id=tenant.id, event_id=event.id)
        external = event.provider != "builtin"
        if not external or before[0] == "failed":
            event.error = None
            return ChangeResult(DONE, _summary(event))
        event.error = pending_marker("delete", 0, "delete in progress")
        session.commit()

        provider = provider_for_event(tenant, event)
        try:
            call_with_retry(lambda: provider.delete_event(tenant, event), retry, sleep=sleep)
        except Exception as exc:
            message = describe_error(exc)
            if needs_reauth(exc) or is_retryable(exc):
                reauth = needs_reauth(exc)
                if reauth:
                    flag_tenant_reauth(
                        session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=exc
                    )
                event.error = pending_marker("delete", retry.attempts, message)
                event.updated_at = utcnow()
                outcome = NEEDS_REAUTH if reauth else DEFERRED
                return ChangeResult(outcome, _summary(event), error=message)
            event.status = before[0]
            event.error = f"cancel refused: {message}"
            event.idempotency_key = before[2]
            event.updated_at = utcnow()
            try:
                session.flush()
            except IntegrityError:  # the slot was re-booked meanwhile with the same request
                session.rollback()
                event = _own_event(session, tenant, contact, event_id)
                event.status, event.error = before[0], f"cancel refused: {message}"
            return ChangeResult(FAILED, _summary(event), error=message)
        event.error = None
        event.updated_at = utcnow()
        return ChangeResult(DONE, _summary(event))


# --- agenda ----------------------------------------------------------------------------------


def _reconcile(
    session: Session,
    tenant: Tenant,
    rows: Sequence[CalendarEvent],
    retry: RetryPolicy,
    sleep: Callable[[float], None],
) -> tuple[list[CalendarEvent], bool, bool, str | None]:
    """Check confirmed rows against the provider; apply moves, renames and deletions made there."""
    provider = get_provider(tenant)
    kept: list[CalendarEvent] = []
    verified, reauth, error = True, False, None
    for row in rows:
        if not verified or row.status != "confirmed" or row.provider != tenant.calendar_provider:
            kept.append(row)
            continue
        provider_id = row.provider_event_id or row.uid
        try:
            seen = call_with_retry(
                lambda: provider.get_event(tenant, provider_id),  # noqa: B023 - called at once
                retry,
                sleep=sleep,
            )
        except Exception as exc:
            verified, reauth, error = False, needs_reauth(exc), describe_error(exc)
            if reauth:
                _flag(session, tenant, exc)
            kept.append(row)
            continue
        if seen is None or seen.status == "cancelled":
            cancel_calendar_event(session, tenant_id=tenant.id, event_id=row.id)
            row.error = "deleted in the calendar"
            continue
        if (seen.start, seen.end) != (row.start, row.end) and seen.end > seen.start:
            row.start, row.end = seen.start, seen.end
            row.updated_at = utcnow()
        if seen.title and seen.title != row.title:
            row.title = seen.title[:255]
            row.updated_at = utcnow()
        kept.append(row)
    session.flush()
    return kept, verified, reauth, error


def agenda(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    day_start: datetime,
    day_end: datetime,
    verify: bool = True,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> Agenda:
    """The contact's own pending/confirmed events overlapping [day_start, day_end).

    Never another contact's or another tenant's. With an external provider and `verify`, each
    confirmed event is read back from the provider so moves, renames and deletions made in the
    calendar itself are shown (and stored); if the provider cannot be reached the stored rows
    are returned with `verified=False`. Also answers "am I free Friday afternoon?" (no events).
    """
    day_start = require_aware(day_start, "day_start")
    day_end = require_aware(day_end, "day_end")
    if day_end <= day_start:
        raise ValueError("day_end must be after day_start")
    with session_scope() as session:
        tenant, contact = _scope(session, tenant_slug, channel, platform_user_id)
        if contact is None:
            return Agenda(events=(), verified=True)
        rows = list(
            session.execute(
                select(CalendarEvent)
                .where(
                    CalendarEvent.tenant_id == tenant.id,
                    CalendarEvent.contact_id == contact.id,
                    CalendarEvent.__table__.c.status.in_(ACTIVE_EVENT_STATUSES),
                    CalendarEvent.start < day_end,
                    CalendarEvent.end > day_start,
                )
                .order_by(CalendarEvent.start, CalendarEvent.id)
            ).scalars()
        )
        session.commit()
        verified, reauth, error = True, False, None
        if verify and tenant.calendar_provider != "builtin" and rows:
            rows, verified, reauth, error = _reconcile(session, tenant, rows, retry, sleep)
        events = sorted(
            (_summary(r) for r in rows if r.start < day_end and r.end > day_start),
            key=lambda s: (s.start, s.event_id),
        )
    return Agenda(events=tuple(events), verified=verified, needs_reauth=reauth, error=error)
