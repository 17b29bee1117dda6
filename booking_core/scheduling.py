"""Free slots and clash descriptions: pure functions over busy intervals and business hours.

Nothing here does I/O, so the rules (what counts as a clash, which alternatives are offered) are
tested with fixed times; `booking_core.availability.check_availability` feeds it the provider's
free/busy and the database rows.

Business hours (`Tenant.business_hours`) map weekday keys to opening ranges in the tenant's zone:

    {"mon": ["09:00", "17:00"], "sat": [["09:00", "12:00"], ["13:00", "15:00"]], "sun": []}

Days are "mon".."sun" or full names (any case); times are two-digit "HH:MM" from "00:00" to
"24:00", which as a closing time means midnight; a day that is missing, empty or null is closed.
An empty or missing mapping means the default, Monday to Friday 09:00-17:00
(`DEFAULT_BUSINESS_HOURS`), because a new tenant that has not configured anything still expects
office hours, not round-the-clock slots. `parse_business_hours` is the one rule: the admin API
validates with it what the scheduler will read.

Time zones: openings are wall-clock times of each local date, turned into instants per date, so a
09:00 opening is 09:00 on both sides of a DST change. Durations and the slot grid are in absolute
time (a 60-minute appointment lasts 60 real minutes even across a change). A wall-clock time that
does not exist (spring forward) resolves to the instant after the gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from booking_core.db.models import DEFAULT_BUSINESS_HOURS
from booking_core.db.types import require_aware

#: What the contact hears about a busy period that is not their own.
DEFAULT_CLASH_LABEL = "another appointment"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_ALIASES = {name: index for index, name in enumerate(WEEKDAYS)} | {
    full: index
    for index, full in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
#: Busy ends and starts used as candidate slot edges are rounded to this many minutes.
EDGE_ROUNDING_MINUTES = 5
DEFAULT_HORIZON = timedelta(days=7)

#: Weekday (0 = Monday) -> sorted, merged opening ranges in minutes after local midnight.
OpeningHours = dict[int, tuple[tuple[int, int], ...]]
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Busy:
    """A busy period; `title` is shown to the contact, None means "another appointment"."""

    start: datetime
    end: datetime
    title: str | None = None


@dataclass(frozen=True)
class Slot:
    """A free period (aware datetimes in the tenant's zone)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class SlotCheck:
    """Whether a requested slot can be booked, why not, and the nearest alternatives."""

    start: datetime
    end: datetime
    clashes: tuple[str, ...]
    in_past: bool
    outside_hours: bool
    alternatives: tuple[Slot, ...]

    @property
    def free(self) -> bool:
        """True when nothing stands in the way of booking the requested slot."""
        return not (self.clashes or self.in_past or self.outside_hours)


def _minutes(value: Any, where: str) -> int:
    if not isinstance(value, str) or not _HHMM.match(value.strip()):
        raise ValueError(f"business hours {where}: {value!r} is not HH:MM")
    hours, minutes = (int(part) for part in value.strip().split(":"))
    total = hours * 60 + minutes
    if total > 24 * 60:
        raise ValueError(f"business hours {where}: {value!r} is after 24:00")
    return total


def _ranges(value: Any, where: str) -> list[tuple[int, int]]:
    if value is None or value == []:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"business hours {where}: expected a list, got {value!r}")
    pairs = [value] if value and isinstance(value[0], str) else list(value)
    ranges: list[tuple[int, int]] = []
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"business hours {where}: expected [open, close], got {pair!r}")
        start, end = _minutes(pair[0], where), _minutes(pair[1], where)
        if end <= start:
            raise ValueError(f"business hours {where}: {pair[1]} is not after {pair[0]}")
        ranges.append((start, end))
    return ranges


def parse_business_hours(raw: Mapping[str, Any] | None) -> OpeningHours:
    """Validate the JSON form (see the module docstring); empty/None gives the default hours.

    Raises ValueError naming the bad entry, so an admin API can reject it on save.
    """
    if not raw:
        raw = DEFAULT_BUSINESS_HOURS
    hours: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for key, value in raw.items():
        day = _DAY_ALIASES.get(str(key).strip().lower())
        if day is None:
            raise ValueError(f"business hours: unknown day {key!r} (use {', '.join(WEEKDAYS)})")
        hours[day].extend(_ranges(value, str(key)))
    merged: OpeningHours = {}
    for day, ranges in hours.items():
        out: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[day] = tuple(out)
    return merged


def _local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """UTC instant of a wall-clock time on a local date; 1440 minutes is the next midnight."""
    day = day + timedelta(days=minutes // (24 * 60))
    minutes %= 24 * 60
    wall = datetime.combine(day, time(minutes // 60, minutes % 60))
    # fold=0 (PEP 495): a skipped wall time (spring forward) uses the offset before the change,
    # i.e. lands after the gap; a repeated one (fall back) is its first occurrence.
    return wall.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)


def opening_windows(
    hours: OpeningHours, zone: ZoneInfo, start: datetime, end: datetime
) -> list[Interval]:
    """Opening periods (UTC) that intersect [start, end), merged across midnight, unclipped."""
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    windows: list[Interval] = []
    day = first
    while day <= last:
        for open_at, close_at in hours.get(day.weekday(), ()):
            w_start = _local_instant(day, open_at, zone)
            w_end = _local_instant(day, close_at, zone)
            if w_end <= w_start:
                continue
            if windows and w_start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], w_end))
            else:
                windows.append((w_start, w_end))
        day += timedelta(days=1)
    return [(s, e) for s, e in windows if s < end and e > start]


def within_hours(hours: OpeningHours, zone: ZoneInfo, start: datetime, end: datetime) -> bool:
    """True when [start, end) lies inside one opening period."""
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    return any(s <= start and end <= e for s, e in opening_windows(hours, zone, start, end))


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and merge overlapping or touching intervals (UTC)."""
    out: list[Interval] = []
    for s, e in sorted((require_aware(s, "start"), require_aware(e, "end")) for s, e in intervals):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def subtract(intervals: Iterable[Interval], minus: Iterable[Interval]) -> list[Interval]:
    """The parts of `intervals` not covered by `minus` (both merged first)."""
    holes = merge(minus)
    result: list[Interval] = []
    for s, e in merge(intervals):
        cursor = s
        for hs, he in holes:
            if he <= cursor or hs >= e:
                continue
            if hs > cursor:
                result.append((cursor, hs))
            cursor = max(cursor, he)
            if cursor >= e:
                break
        if cursor < e:
            result.append((cursor, e))
    return result


def clash_labels(busy: Sequence[Busy], start: datetime, end: datetime) -> tuple[str, ...]:
    """What the slot collides with, in start order, each label once."""
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    labels: list[str] = []
    for item in sorted(busy, key=lambda b: (b.start, b.end)):
        if item.start < end and item.end > start:
            label = item.title or DEFAULT_CLASH_LABEL
            if label not in labels:
                labels.append(label)
    return tuple(labels)


def default_step(duration: timedelta) -> timedelta:
    """Grid of candidate starts: quarter hours for short slots, half hours otherwise."""
    return timedelta(minutes=15) if duration <= timedelta(minutes=15) else timedelta(minutes=30)


def _round(value: datetime, *, up: bool) -> datetime:
    unit = EDGE_ROUNDING_MINUTES * 60
    seconds = int(value.timestamp())
    rest = seconds % unit
    if rest == 0 and value.microsecond == 0:
        return value
    base = seconds - rest + (unit if up else 0)
    return datetime.fromtimestamp(base, timezone.utc)


def free_slots(
    *,
    busy: Sequence[Busy],
    hours: OpeningHours,
    zone: ZoneInfo,
    duration: timedelta,
    around: datetime,
    now: datetime,
    limit: int = 3,
    step: timedelta | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
    latest: datetime | None = None,
) -> list[Slot]:
    """Up to `limit` free slots of `duration`, nearest to `around`, inside business hours.

    Candidates are the grid from each opening (every `step`), the ends of busy periods and the
    starts of busy periods minus the duration (so "right after" and "right before" a clash are
    offered). Slots never start before `now`, at `around` itself or at/after `latest` (a
    booking rule's "how far ahead"). Nearest first, preferring alternatives that do not overlap
    each other so the options are really different.
    """
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")
    around = require_aware(around, "around")
    now = require_aware(now, "now")
    step = step or default_step(duration)
    low = max(now, around - horizon)
    high = around + horizon
    if latest is not None:
        high = min(high, require_aware(latest, "latest") - timedelta(microseconds=1))
    if high <= low:
        return []
    taken = merge((b.start, b.end) for b in busy)
    windows = opening_windows(hours, zone, low, high)

    candidates: set[datetime] = set()
    for w_start, w_end in windows:
        point = w_start
        while point + duration <= w_end:
            candidates.add(point)
            point += step
        for b_start, b_end in taken:
            for edge in (_round(b_end, up=True), _round(b_start - duration, up=False)):
                if w_start <= edge and edge + duration <= w_end:
                    candidates.add(edge)

    def is_free(point: datetime) -> bool:
        finish = point + duration
        return all(not (s < finish and e > point) for s, e in taken)

    ordered = sorted(
        (p for p in candidates if low <= p <= high and p != around and is_free(p)),
        key=lambda p: (abs(p - around), p),
    )
    chosen: list[datetime] = []
    for point in ordered:  # first pass: options that do not overlap each other
        if len(chosen) == limit:
            break
        if all(point + duration <= c or c + duration <= point for c in chosen):
            chosen.append(point)
    for point in ordered:  # fill up when the day is too full for disjoint options
        if len(chosen) == limit:
            break
        if point not in chosen:
            chosen.append(point)
    chosen.sort(key=lambda p: (abs(p - around), p))
    return [Slot(p.astimezone(zone), (p + duration).astimezone(zone)) for p in chosen]


def check_slot(
    *,
    start: datetime,
    end: datetime,
    busy: Sequence[Busy],
    hours: OpeningHours,
    zone: ZoneInfo,
    now: datetime,
    limit: int = 3,
    step: timedelta | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
    earliest: datetime | None = None,
    latest: datetime | None = None,
    refused: bool = False,
    around: datetime | None = None,
) -> SlotCheck:
    """Clash/past/hours verdict for [start, end) and, when it is not free (or a booking rule
    `refused` it), alternatives starting in [earliest or now, latest), nearest to `around`
    (default: the requested start)."""
    start = require_aware(start, "start")
    end = require_aware(end, "end")
    if end <= start:
        raise ValueError("end must be after start")
    now = require_aware(now, "now")
    clashes = clash_labels(busy, start, end)
    in_past = start < now
    outside = not within_hours(hours, zone, start, end)
    alternatives: list[Slot] = []
    if clashes or in_past or outside or refused:
        alternatives = free_slots(
            busy=busy,
            hours=hours,
            zone=zone,
            duration=end - start,
            around=around or start,
            now=max(now, earliest) if earliest is not None else now,
            limit=limit,
            step=step,
            horizon=horizon,
            latest=latest,
        )
    return SlotCheck(
        start=start.astimezone(zone),
        end=end.astimezone(zone),
        clashes=clashes,
        in_past=in_past,
        outside_hours=outside,
        alternatives=tuple(alternatives),
    )
