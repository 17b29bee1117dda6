"""Booking service: the one place that turns a confirmed request into a stored, written event.

`book_event` is synchronous (SQLAlchemy and most calendar clients are); the action server runs it
in a worker thread.

Steps: resolve the tenant (default when no slug), upsert the contact, insert the event as `pending`
and commit, ask the tenant's calendar provider to create it, then store the provider id and link
and mark it `confirmed`. The pending row is committed before the provider call so no database
lock is held during network I/O and a crash leaves a visible trace.

Idempotency: a request is identified by a key derived from (tenant, channel, platform user id,
title, start, end; not the location) and stored in `calendar_events.idempotency_key` (unique per
tenant). A retried call with the same arguments (Rasa re-running the action after a timeout, a
user double-tapping "Yes") finds the same row: a confirmed row is returned as is, a pending or
failed one is sent to the provider again with the same uid, which providers use as their
client-side id, so no duplicate is written. Simultaneous identical calls race on the unique key;
the loser reuses the winner's row. Cancelling an event clears its key, so the same slot can be
booked again afterwards.

Outages: `submit_booking` (what the conversation calls) wraps the same steps with retries and
backoff on retryable provider errors. When the provider still fails, or the tenant's credentials
were refused, the row stays `pending` with a marker in `error` ("[create attempt N] ...") and the
caller is told the booking is saved and will be completed; `booking_core.worker.complete_pending`
finishes it later with the same uid, so the provider still ends up with exactly one event.
Refused credentials also flag the tenant for its admin (`needs_reauth` in the provider's section
of `calendar_settings`). `book_event` keeps its original contract: one attempt, row `failed`,
BookingError raised.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.calendars.base import CalendarProvider
from booking_core.calendars.builtin import BuiltinCalendarProvider
from booking_core.calendars.registry import get_provider, register_provider
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
from booking_core.db.repository.events import check_timezone, clean_location
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.settings import get_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_TITLE_LENGTH = 255

#: `BookingOutcome.outcome` / `ChangeResult.outcome` values.
CONFIRMED = "confirmed"
DEFERRED = "deferred"
NEEDS_REAUTH = "needs_reauth"
FAILED = "failed"


def _google_factory(tenant: Tenant, database_url: str | None) -> CalendarProvider:
    """Lazy: google-api-python-client is imported only when a tenant actually uses Google."""
    from booking_core.calendars.google import default_provider

    return default_provider()


register_provider("google", _google_factory)


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and exponential backoff for provider calls made while a user waits."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 4.0


#: Short enough to answer inside a conversation turn (about 2 s of waiting plus the calls).
DEFAULT_RETRY = RetryPolicy()
NO_RETRY = RetryPolicy(attempts=1)


def is_retryable(exc: BaseException) -> bool:
    """Provider errors say so themselves; bare network errors are retryable, anything else not."""
    return bool(getattr(exc, "retryable", isinstance(exc, OSError)))


def needs_reauth(exc: BaseException) -> bool:
    """True for a provider's credentials error (duck-typed: `needs_reauth = True`)."""
    return bool(getattr(exc, "needs_reauth", False))


def call_with_retry(
    call: Callable[[], T],
    policy: RetryPolicy = DEFAULT_RETRY,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call`, retrying retryable errors with exponential backoff (Retry-After honoured,
    capped at `max_delay`); the last error is raised unchanged."""
    attempt = 1
    while True:
        try:
            return call()
        except Exception as exc:
            if attempt >= policy.attempts or not is_retryable(exc):
                raise
            delay = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            hinted = getattr(exc, "retry_after", None)
            if isinstance(hinted, (int, float)):
                delay = min(policy.max_delay, max(delay, float(hinted)))
            logger.info("provider call failed (%s), retry %d in %.1fs", exc, attempt, delay)
            if delay > 0:
                sleep(delay)
            attempt += 1


_MARKER = re.compile(r"^\[(create|update|delete) attempt (\d+)\] ")


def pending_marker(kind: str, attempt: int, message: str) -> str:
    """`error` text of a row whose provider write is still owed: "[kind attempt N] message"."""
    return f"[{kind} attempt {attempt}] {message}"[:2000]


def parse_marker(error: str | None) -> tuple[str, int] | None:
    """(kind, attempts) from a pending marker, or None when the error is not one."""
    match = _MARKER.match(error or "")
    return (match.group(1), int(match.group(2))) if match else None


def describe_error(exc: BaseException) -> str:
    """One line for the `error` column and logs."""
    return f"{type(exc).__name__}: {exc}"[:1500]


def flag_tenant_reauth(
    session: Session, *, tenant_id: int, provider: str, exc: BaseException
) -> bool:
    """Mark the tenant's provider section `needs_reauth` with the reason, for its admin.

    Skipped (False) when the stored credential changed since it failed (the admin reconnected
    meanwhile); compared through the error's `fingerprint` when it carries one.
    """
    from booking_core.calendars.google import settings_fingerprint

    # populate_existing: re-read under the lock, never write back a stale copy of the settings.
    tenant = session.execute(
        select(Tenant)
        .where(Tenant.id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if tenant is None:
        return False
    settings = dict(tenant.calendar_settings or {})
    section = dict(settings.get(provider) or {})
    fingerprint = getattr(exc, "fingerprint", None)
    if fingerprint and settings_fingerprint(section) != fingerprint:
        return False
    reason = str(getattr(exc, "reason", None) or exc)[:500]
    if section.get("needs_reauth") and section.get("reauth_reason") == reason:
        return True
    section.update(needs_reauth=True, reauth_reason=reason, reauth_flagged_at=utcnow().isoformat())
    settings[provider] = section
    tenant.calendar_settings = settings  # a new dict: JSON columns only see reassignment
    session.flush()
    logger.warning(
        "tenant %s flagged: %s calendar needs re-authorisation (%s)", tenant.slug, provider, reason
    )
    return True


def provider_for_event(
    tenant: Tenant, event: CalendarEvent, *, database_url: str | None = None
) -> CalendarProvider:
    """The provider that holds `event`: the tenant's current one, or the built-in calendar for
    rows written before the tenant switched (those have nothing external to change)."""
    if event.provider == tenant.calendar_provider or event.provider_event_id is None:
        return get_provider(tenant, database_url=database_url)
    if event.provider == "builtin":
        return BuiltinCalendarProvider(database_url)
    raise ValueError(
        f"event {event.uid} lives in {event.provider!r} but the tenant now uses "
        f"{tenant.calendar_provider!r}"
    )


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


class BookingError(Exception):
    """The calendar provider refused or failed; the event row is kept with status `failed`.

    Calling `book_event` again with the same arguments retries the same event.
    """

    def __init__(self, message: str, *, event_id: int, uid: str, retryable: bool) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.uid = uid
        self.retryable = retryable


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


def _book(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    display_name: str | None,
    title: str,
    start: datetime,
    end: datetime,
    timezone: str,
    policy: RetryPolicy,
    defer: bool,
    sleep: Callable[[float], None] = time.sleep,
    location: str | None = None,
) -> BookingOutcome:
    """The booking steps; `defer` keeps a row pending on outage instead of failing it."""
    title, start, end = _validated(title, start, end, timezone)
    location = clean_location(location)
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
                    location=location,
                )
            except IntegrityError:
                # A concurrent identical request committed first: continue with its row.
                event = get_calendar_event_by_idempotency_key(
                    session, tenant_id=tenant.id, idempotency_key=key
                )
                if event is None:
                    raise
        if event.status == "confirmed":
            return BookingOutcome(CONFIRMED, _result(event))
        session.commit()  # the pending row is durable before any network I/O

        provider = get_provider(tenant)
        try:
            written = call_with_retry(
                lambda: provider.create_event(tenant, event), policy, sleep=sleep
            )
        except Exception as exc:
            message = describe_error(exc)
            reauth = needs_reauth(exc)
            if reauth:
                flag_tenant_reauth(
                    session, tenant_id=tenant.id, provider=tenant.calendar_provider, exc=exc
                )
            if defer and (reauth or getattr(exc, "retryable", True)):
                attempts = policy.attempts if not reauth else 1
                event.status = "pending"
                event.error = pending_marker("create", attempts, message)
                event.updated_at = utcnow()
                session.flush()
                session.commit()
                logger.warning("booking %s saved as pending: %s", event.uid, message)
                return BookingOutcome(NEEDS_REAUTH if reauth else DEFERRED, _result(event), message)
            fail_calendar_event(session, event_id=event.id, error=message)
            session.commit()
            if defer:
                return BookingOutcome(FAILED, _result(event), message)
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
        return BookingOutcome(CONFIRMED, _result(event))


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
    location: str | None = None,
) -> BookingResult:
    """Store and write one event for a contact; see the module docstring for the steps.

    `location` is where it takes place (free text, stripped; empty means none). Raises
    ValueError for invalid input (naive datetimes, end not after start, unknown zone or channel,
    empty title, location over 200 characters), UnknownTenantError for an unknown slug and
    BookingError when the provider fails.
    """
    return _book(
        tenant_slug=tenant_slug,
        channel=channel,
        platform_user_id=platform_user_id,
        display_name=display_name,
        title=title,
        start=start,
        end=end,
        timezone=timezone,
        policy=NO_RETRY,
        defer=False,
        location=location,
    ).booking


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
) -> BookingOutcome:
    """Book like `book_event`, but ride out provider outages (see the module docstring).

    Never raises for provider trouble: the outcome says confirmed, deferred (saved, completed
    later), needs_reauth (saved, tenant flagged) or failed. Still raises ValueError and
    UnknownTenantError for invalid requests.
    """
    return _book(
        tenant_slug=tenant_slug,
        channel=channel,
        platform_user_id=platform_user_id,
        display_name=display_name,
        title=title,
        start=start,
        end=end,
        timezone=timezone,
        policy=retry,
        defer=True,
        sleep=sleep,
        location=location,
    )
