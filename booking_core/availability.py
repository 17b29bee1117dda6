"""Is a slot free? Busy time from the provider's free/busy and our own rows, judged against the
tenant's (or the service's) hours and booking rules, with the nearest alternatives that satisfy
all of them (`booking_core.scheduling` does the arithmetic, `booking_core.booking_rules` the
rules). The booking form, the confirmation, reschedules and the admin API all ask here.

Scoped to a tenant and a contact: clashes are named only for the contact's own events and the
business's own blocks, anything else is "another appointment". The database transaction is
closed before the provider is asked (a slow provider must not block other writers).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking_core.booking_rules import (
    NO_RULES,
    BookedTime,
    BookingRules,
    RuleRefusal,
    booking_refusals,
    day_blocks,
    earliest_start,
    full_days,
    latest_start,
    padded_busy,
)
from booking_core.calendars.base import BusyInterval, describe_error, needs_reauth
from booking_core.calendars.registry import get_provider
from booking_core.db.repository import find_overlapping_events
from booking_core.db.session import session_scope
from booking_core.db.types import require_aware, utcnow
from booking_core.retry_policy import DEFAULT_RETRY, RetryPolicy, call_with_retry
from booking_core.scheduling import (
    DEFAULT_HORIZON,
    Busy,
    OpeningHours,
    Slot,
    check_slot,
    clash_labels,
    subtract,
)
from booking_core.tenancy import contact_scope, flag_tenant_reauth_soon, terms_of

logger = logging.getLogger(__name__)


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
    #: The booking rules the slot breaks (minimum notice, how far ahead, buffer, daily cap).
    refusals: tuple[RuleRefusal, ...] = ()


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
    #: Our own active bookings (with their buffers and services) and the rules in force.
    booked: list[BookedTime] = field(default_factory=list)
    #: The provider's busy time that is not one of our rows (already in `busy` too).
    elsewhere: list[Busy] = field(default_factory=list)
    rules: BookingRules = NO_RULES
    service_id: int | None = None

    def avoided(self) -> list[Busy]:
        """What a new booking must keep clear of: busy time widened by the buffers, plus the
        days already at their daily cap."""
        padded = padded_busy(self.booked, self.elsewhere, self.rules)
        full = full_days(self.booked, self.zone, self.rules, self.service_id)
        return padded + day_blocks(full, self.zone)


def busy_periods(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    low: datetime,
    high: datetime,
    exclude_event_id: int | None = None,
    service_id: int | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> BusyPeriods:
    """Busy time in [low, high): the provider's free/busy plus our own pending/confirmed rows.

    A booking still waiting for an outage to end occupies its slot. Clashes are named by title
    only for the contact's own events and the business's own blocks in the built-in calendar
    (rows without a contact); anything else is "another appointment", so no other customer's
    title leaks. `exclude_event_id` (one of the contact's events) is left out. Rows are read a
    day beyond the window on each side, so buffers and daily caps see whole days. The hours and
    rules are the service's (`service_id`, one of the tenant's; for a reschedule, the moved
    booking's own service) over the tenant's.
    """
    with session_scope() as session:
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
        zone = ZoneInfo(tenant.timezone)
        day = timedelta(days=1)
        rows = find_overlapping_events(
            session, tenant_id=tenant.id, start=low - day, end=high + day
        )
        excluded: list[BusyInterval] = []
        booked: list[BookedTime] = []
        for row in rows:
            own = contact is not None and row.contact_id == contact.id
            if own and row.id == exclude_event_id:
                excluded.append((row.start, row.end))
                service_id = row.service_id if service_id is None else service_id
                continue
            business_block = row.contact_id is None and row.provider == "builtin"
            booked.append(BookedTime(
                row.start, row.end, row.title if own or business_block else None,
                service_id=row.service_id,
                buffer_before=timedelta(minutes=row.buffer_before_minutes or 0),
                buffer_after=timedelta(minutes=row.buffer_after_minutes or 0),
            ))  # fmt: skip
        busy = [Busy(b.start, b.end, b.title) for b in booked if b.start < high and b.end > low]
        terms = terms_of(session, tenant, service_id)
        session.commit()  # no transaction is held during the provider call

        checked, reauth, error = True, False, None
        elsewhere: list[Busy] = []
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
                    flag_tenant_reauth_soon(session, tenant, exc)
                intervals = []
            known = [(b.start, b.end) for b in busy] + excluded
            elsewhere = [Busy(s, e, None) for s, e in subtract(intervals, known)]
    return BusyPeriods(busy + elsewhere, terms.hours, zone, tenant.timezone, checked, reauth,
                       error, booked=booked, elsewhere=elsewhere, rules=terms.rules,
                       service_id=terms.service_id)  # fmt: skip


def allowed_anchor(
    start: datetime, duration: timedelta, earliest: datetime, latest: datetime | None
) -> datetime:
    """Where to look for alternatives: the request itself, or the nearest allowed edge when it
    is too soon (minimum notice) or too far ahead."""
    if start < earliest:
        return earliest
    if latest is not None and start + duration > latest:
        return max(earliest, latest - duration)
    return start


def check_availability(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    exclude_event_id: int | None = None,
    service_id: int | None = None,
    limit: int = 3,
    horizon: timedelta = DEFAULT_HORIZON,
    retry: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> Availability:
    """Does [start, end) fit the tenant's calendar and hours? If not, why, and what else fits.

    Busy time as `busy_periods` finds it; `exclude_event_id` is for checking a reschedule,
    `service_id` brings that service's hours, buffers and rules. Alternatives satisfy every
    rule. If the provider cannot be asked, `checked` is False and only the database was used.
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
        service_id=service_id,
        retry=retry,
        sleep=sleep,
    )
    refusals = booking_refusals(
        start=start, end=end, now=now, zone=known.zone, rules=known.rules, booked=known.booked,
        service_id=known.service_id,
    )  # fmt: skip
    earliest = earliest_start(now, known.rules)
    latest = latest_start(now, known.zone, known.rules)
    avoided = known.avoided()
    # Too soon or too far ahead: the nearest allowed times are near the allowed edge, whose
    # busy time is read too when it lies outside the window read around the request.
    around = allowed_anchor(start, end - start, earliest, latest)
    if around - horizon < low or around + horizon > high:
        edge = busy_periods(
            tenant_slug=tenant_slug, channel=channel, platform_user_id=platform_user_id,
            low=max(now, around - horizon), high=around + horizon + (end - start),
            exclude_event_id=exclude_event_id, service_id=service_id, retry=retry, sleep=sleep,
        )  # fmt: skip
        avoided += edge.avoided()
    verdict = check_slot(
        start=start,
        end=end,
        busy=avoided,
        hours=known.hours,
        zone=known.zone,
        now=now,
        limit=limit,
        earliest=earliest,
        latest=latest,
        refused=bool(refusals),
        around=around,
    )
    clashes = clash_labels(known.busy, start, end)
    return Availability(
        start=verdict.start,
        end=verdict.end,
        timezone=known.timezone,
        available=not (clashes or verdict.in_past or verdict.outside_hours or refusals),
        clashes=clashes,
        in_past=verdict.in_past,
        outside_hours=verdict.outside_hours,
        alternatives=verdict.alternatives,
        checked=known.checked,
        needs_reauth=known.needs_reauth,
        error=known.error,
        refusals=refusals,
    )
