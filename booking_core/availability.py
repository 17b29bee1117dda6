"""Is a slot free? Busy time from the provider's free/busy and our own rows, judged against the
tenant's hours, with the nearest alternatives (`booking_core.scheduling` does the arithmetic).

Scoped to a tenant and a contact: clashes are named only for the contact's own events and the
business's own blocks, anything else is "another appointment". The database transaction is
closed before the provider is asked (a slow provider must not block other writers).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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
    subtract,
)
from booking_core.tenancy import business_hours, contact_scope, flag_tenant_reauth_soon

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
        tenant, contact = contact_scope(session, tenant_slug, channel, platform_user_id)
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
                    flag_tenant_reauth_soon(session, tenant, exc)
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
    verdict = check_slot(
        start=start,
        end=end,
        busy=known.busy,
        hours=known.hours,
        zone=known.zone,
        now=now,
        limit=limit,
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
        checked=known.checked,
        needs_reauth=known.needs_reauth,
        error=known.error,
    )
