"""Finding a contact's own bookings: by a spoken title hint and day, and the agenda of a window
(read back from the provider, so changes made in the calendar itself are shown and stored).

Every function is scoped to a tenant AND a contact (channel + platform user id): a contact only
ever sees their own events, and an event id of someone else behaves exactly like a missing one.
Synchronous; the action server runs them in a worker thread.
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

from sqlalchemy.orm import Session

from booking_core.calendars.base import describe_error, needs_reauth
from booking_core.calendars.registry import get_provider
from booking_core.db.models import CalendarEvent, Contact, Tenant
from booking_core.db.repository import (
    cancel_calendar_event,
    get_contact_calendar_event,
    list_contact_events,
)
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.errors import EventNotFoundError
from booking_core.retry_policy import DEFAULT_RETRY, RetryPolicy, call_with_retry
from booking_core.tenancy import contact_scope, flag_tenant_reauth_soon

logger = logging.getLogger(__name__)

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
class Agenda:
    """The contact's own events in a window; `verified` says the provider confirmed them."""

    events: tuple[EventSummary, ...]
    verified: bool
    needs_reauth: bool = False
    error: str | None = None


def summary(event: CalendarEvent) -> EventSummary:
    """The conversation's view of a stored event."""
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


def own_event(
    session: Session, tenant: Tenant, contact: Contact | None, event_id: int
) -> CalendarEvent:
    """The contact's event with this id; EventNotFoundError for any other (or no contact)."""
    event = None
    if contact is not None:
        event = get_contact_calendar_event(
            session, tenant_id=tenant.id, contact_id=contact.id, event_id=event_id
        )
    if event is None:
        raise EventNotFoundError(f"event {event_id} not found")
    return event


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
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
        if contact is None:
            return []
        ends_after, starts_before = start_from, None
        if day is not None:
            zone = ZoneInfo(tenant.timezone)
            day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            starts_before = datetime.combine(
                day + timedelta(days=1), datetime.min.time(), tzinfo=zone
            )
            ends_after = max(start_from, day_start)
        rows = list_contact_events(
            session,
            tenant_id=tenant.id,
            contact_id=contact.id,
            ends_after=ends_after,
            starts_before=starts_before,
        )
        summaries = [summary(row) for row in rows]
    if title_hint and any(w not in GENERIC_WORDS for w in _tokens(title_hint)):
        scored = [(title_score(title_hint, s.title), s) for s in summaries]
        matched = [(score, s) for score, s in scored if score >= TITLE_MATCH_THRESHOLD]
        matched.sort(key=lambda pair: (-round(pair[0], 3), pair[1].start))
        summaries = [s for _, s in matched]
    return summaries[:limit]


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
                flag_tenant_reauth_soon(session, tenant, exc)
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
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
        if contact is None:
            return Agenda(events=(), verified=True)
        rows = list_contact_events(
            session,
            tenant_id=tenant.id,
            contact_id=contact.id,
            ends_after=day_start,
            starts_before=day_end,
        )
        session.commit()
        verified, reauth, error = True, False, None
        if verify and tenant.calendar_provider != "builtin" and rows:
            rows, verified, reauth, error = _reconcile(session, tenant, rows, retry, sleep)
        events = sorted(
            (summary(r) for r in rows if r.start < day_end and r.end > day_start),
            key=lambda s: (s.start, s.event_id),
        )
    return Agenda(events=tuple(events), verified=verified, needs_reauth=reauth, error=error)
