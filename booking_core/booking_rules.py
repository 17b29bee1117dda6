"""A business's booking rules: pure functions, so each rule and their combinations are tested
with fixed times (DST days included) and every caller judges a request the same way.

Rules are stored as JSON on the tenant (`Tenant.booking_rules`) and, overriding it key by key,
on a service (`Service.booking_rules`):

    {"min_notice_minutes": 120, "max_advance_days": 60, "buffer_before_minutes": 10,
     "buffer_after_minutes": 15, "daily_cap": 8, "change_cutoff_hours": 24}

Every key is optional; a missing or null key means no such rule. `parse_booking_rules` is the
one validator: the admin API checks with it what `applied_rules` will read.

How each rule is judged (in absolute time unless said):
- minimum notice: a booking may not start sooner than `min_notice` after now;
- how far ahead: its start's local date (tenant zone) is at most `max_advance_days` after
  today's local date, as Calendly and Cal.com count "60 days into the future";
- buffers: between this booking and any other busy time there must be at least the larger of
  this booking's buffer on that side and the other booking's own buffer on its side; the
  buffers count as busy in free/busy and in the alternatives offered;
- daily cap: at most `daily_cap` active bookings per local date (of the service when the cap is
  the service's own, else of the tenant), so a 23- or 25-hour DST day is still one day;
- change cut-off: a booking may not be cancelled or moved less than `change_cutoff` before it
  starts (then the assistant offers the business's contact instead).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from booking_core.db.types import require_aware
from booking_core.scheduling import Busy

#: JSON keys -> (smallest, largest) accepted value.
RULE_LIMITS: dict[str, tuple[int, int]] = {
    "min_notice_minutes": (0, 60 * 24 * 365),
    "max_advance_days": (0, 365 * 5),
    "buffer_before_minutes": (0, 24 * 60),
    "buffer_after_minutes": (0, 24 * 60),
    "daily_cap": (1, 1000),
    "change_cutoff_hours": (0, 24 * 365),
}

NOTICE = "min_notice"
ADVANCE = "max_advance"
BUFFER = "buffer"
DAILY_CAP = "daily_cap"
CHANGE_CUTOFF = "change_cutoff"


@dataclass(frozen=True)
class BookingRules:
    """The rules one booking is judged by (None: no such rule)."""

    min_notice: timedelta = timedelta(0)
    max_advance_days: int | None = None
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    daily_cap: int | None = None
    #: True when `daily_cap` is the service's own (count that service's bookings only).
    cap_per_service: bool = False
    change_cutoff: timedelta = timedelta(0)


NO_RULES = BookingRules()


@dataclass(frozen=True)
class RuleRefusal:
    """Which rule a request breaks (`rule` is one of the constants above) and why, in words."""

    rule: str
    reason: str


@dataclass(frozen=True)
class BookedTime:
    """An active booking as the rules see it: its time, its own buffers and its service."""

    start: datetime
    end: datetime
    title: str | None = None
    service_id: int | None = None
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


def parse_booking_rules(raw: Mapping[str, Any] | None) -> dict[str, int | None]:
    """The validated JSON form (unknown keys, non-integers and out-of-range values raise a
    ValueError naming the key, so an admin API can reject them on save)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"booking rules: expected an object, got {raw!r}")
    clean: dict[str, int | None] = {}
    for key, value in raw.items():
        if key not in RULE_LIMITS:
            raise ValueError(f"booking rules: unknown rule {key!r} (use {', '.join(RULE_LIMITS)})")
        if value is None:
            clean[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"booking rules: {key} must be a whole number, got {value!r}")
        low, high = RULE_LIMITS[key]
        if not low <= value <= high:
            raise ValueError(f"booking rules: {key} must be between {low} and {high}")
        clean[key] = value
    return clean


def applied_rules(
    tenant_rules: Mapping[str, Any] | None, service_rules: Mapping[str, Any] | None = None
) -> BookingRules:
    """The tenant's rules with the service's own values on top (a key the service sets, even
    to null, wins). Invalid stored JSON raises ValueError (callers log and fall back)."""
    tenant = parse_booking_rules(tenant_rules)
    service = parse_booking_rules(service_rules)
    merged = {**tenant, **service}

    def minutes(key: str) -> timedelta:
        return timedelta(minutes=merged.get(key) or 0)

    return BookingRules(
        min_notice=minutes("min_notice_minutes"),
        max_advance_days=merged.get("max_advance_days"),
        buffer_before=minutes("buffer_before_minutes"),
        buffer_after=minutes("buffer_after_minutes"),
        daily_cap=merged.get("daily_cap"),
        cap_per_service="daily_cap" in service and service["daily_cap"] is not None,
        change_cutoff=timedelta(hours=merged.get("change_cutoff_hours") or 0),
    )


def _utc(value: datetime, name: str) -> datetime:
    """Aware datetimes in one zone subtract and compare by the wall clock; in UTC by time."""
    return require_aware(value, name).astimezone(timezone.utc)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def earliest_start(now: datetime, rules: BookingRules) -> datetime:
    """The first instant a booking may start (minimum notice, in real time: UTC arithmetic)."""
    return _utc(now, "now") + rules.min_notice


def latest_start(now: datetime, zone: ZoneInfo, rules: BookingRules) -> datetime | None:
    """The instant after the last local date a booking may start on (None: no limit)."""
    if rules.max_advance_days is None:
        return None
    today = require_aware(now, "now").astimezone(zone).date()
    last = today + timedelta(days=rules.max_advance_days + 1)
    return _midnight(last, zone)


def padded_busy(
    booked: Iterable[BookedTime], other_busy: Iterable[Busy], rules: BookingRules
) -> list[Busy]:
    """Busy time as a new booking under `rules` must avoid: each booking widened by the larger
    of its own buffer and the new booking's buffer on that side; other busy time (the
    provider's free/busy) by the new booking's buffers only."""
    busy = [
        Busy(
            _utc(item.start, "start") - max(item.buffer_before, rules.buffer_after),
            _utc(item.end, "end") + max(item.buffer_after, rules.buffer_before),
            item.title,
        )
        for item in booked
    ]
    busy += [
        Busy(
            _utc(item.start, "start") - rules.buffer_after,
            _utc(item.end, "end") + rules.buffer_before,
            item.title,
        )
        for item in other_busy
    ]
    return busy


def full_days(
    booked: Iterable[BookedTime],
    zone: ZoneInfo,
    rules: BookingRules,
    service_id: int | None = None,
) -> frozenset[date]:
    """Local dates that already hold `daily_cap` bookings (of `service_id` when the cap is the
    service's own)."""
    if rules.daily_cap is None:
        return frozenset()
    counts: dict[date, int] = {}
    for item in booked:
        if rules.cap_per_service and item.service_id != service_id:
            continue
        day = item.start.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return frozenset(day for day, count in counts.items() if count >= rules.daily_cap)


def day_blocks(days: Iterable[date], zone: ZoneInfo, label: str = "fully booked") -> list[Busy]:
    """Whole local days as busy time (a DST day lasts 23 or 25 hours)."""
    return [
        Busy(_midnight(day, zone), _midnight(day + timedelta(days=1), zone), label)
        for day in sorted(set(days))
    ]


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def _spoken(delta: timedelta) -> str:
    """A rule's length as people say it: "90 minutes", "2 hours", "48 hours", "7 days"."""
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 72 * 60 and minutes % (24 * 60) == 0:
        return _count(minutes // (24 * 60), "day")
    if minutes >= 60 and minutes % 60 == 0:
        return _count(minutes // 60, "hour")
    return _count(minutes, "minute")


def booking_refusals(
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: ZoneInfo,
    rules: BookingRules,
    booked: Iterable[BookedTime] = (),
    service_id: int | None = None,
) -> tuple[RuleRefusal, ...]:
    """Every rule [start, end) breaks, in the order a customer would want to hear them.

    Clashes with busy time are not rules (the caller's clash check names them), except a clash
    with a buffer alone, which is reported here so the customer hears why a free-looking slot
    is refused."""
    start, end, now = _utc(start, "start"), _utc(end, "end"), _utc(now, "now")
    refusals: list[RuleRefusal] = []
    if start >= now and start < earliest_start(now, rules):
        refusals.append(RuleRefusal(
            NOTICE, f"bookings need {_spoken(rules.min_notice)} notice"))  # fmt: skip
    latest = latest_start(now, zone, rules)
    if latest is not None and start >= latest:
        ahead = _count(rules.max_advance_days or 0, "day")
        refusals.append(RuleRefusal(ADVANCE, f"bookings open at most {ahead} ahead"))
    booked = list(booked)
    if start.astimezone(zone).date() in full_days(booked, zone, rules, service_id):
        refusals.append(RuleRefusal(DAILY_CAP, "that day is fully booked"))
    raw_clash = any(_utc(b.start, "start") < end and _utc(b.end, "end") > start for b in booked)
    padded = padded_busy(booked, (), rules)
    if not raw_clash and any(b.start < end and b.end > start for b in padded):
        refusals.append(RuleRefusal(BUFFER, "it leaves too little time between appointments"))
    return tuple(refusals)


def change_refusal(
    *, event_start: datetime, now: datetime, rules: BookingRules
) -> RuleRefusal | None:
    """The cut-off a cancellation or a move of a booking starting at `event_start` breaks."""
    event_start, now = _utc(event_start, "event_start"), _utc(now, "now")
    if rules.change_cutoff <= timedelta(0) or event_start <= now:
        return None
    if event_start - now < rules.change_cutoff:
        return RuleRefusal(
            CHANGE_CUTOFF,
            f"bookings can be changed or cancelled only up to {_spoken(rules.change_cutoff)} "
            "before they start",
        )
    return None
