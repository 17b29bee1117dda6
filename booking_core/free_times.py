"""Free starts inside a window ("Friday afternoon", "after 4pm"), for offering as buttons.

A customer who names a part of a day, or asks "anything free on Friday?", wants a choice of
times, not a booking of the whole afternoon. Busy time and opening hours come from
`availability.busy_periods`, so the times offered are the ones the confirmation step accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from booking_core.availability import busy_periods
from booking_core.booking_rules import earliest_start, latest_start
from booking_core.db.types import require_aware, utcnow
from booking_core.scheduling import Slot, free_slots

#: Candidates considered before keeping those inside the window (nearest first).
_CANDIDATES = 24


@dataclass(frozen=True)
class FreeTimes:
    """Free slots in the window, earliest first; `checked` False: the calendar did not answer."""

    slots: tuple[Slot, ...]
    timezone: str
    checked: bool = True


def free_times(
    *,
    tenant_slug: str | None,
    channel: str,
    platform_user_id: str,
    start: datetime,
    end: datetime,
    duration: timedelta,
    now: datetime | None = None,
    limit: int = 3,
    service_id: int | None = None,
) -> FreeTimes:
    """Up to `limit` free slots of `duration` starting in [start, end), inside opening hours
    (the service's, when given) and satisfying every booking rule."""
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    now = require_aware(now or utcnow(), "now")
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    known = busy_periods(
        tenant_slug=tenant_slug,
        channel=channel,
        platform_user_id=platform_user_id,
        low=max(start, now),
        high=end + duration,
        service_id=service_id,
    )
    low = max(start, earliest_start(now, known.rules))
    if low >= end:
        return FreeTimes((), known.timezone, known.checked)
    # free_slots never offers `around` itself: anchor a minute early so the window's first
    # free time can be offered, and look as far as the window reaches.
    around = low - timedelta(minutes=1)
    candidates = free_slots(
        busy=known.avoided(),
        hours=known.hours,
        zone=known.zone,
        duration=duration,
        around=around,
        now=now,
        limit=_CANDIDATES,
        horizon=end - around,
        latest=latest_start(now, known.zone, known.rules),
    )
    inside = sorted(
        (slot for slot in candidates if low <= slot.start < end),
        key=lambda slot: slot.start,
    )
    return FreeTimes(tuple(inside[:limit]), known.timezone, known.checked)
