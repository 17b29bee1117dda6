"""Calendar arithmetic on naive wall-clock datetimes in the caller's zone."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from nlu.timeparse.lexicon import GRAIN_ORDER

_FIXED = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1),
          "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1),
          "fortnight": timedelta(weeks=2)}  # fmt: skip
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


@dataclass(frozen=True)
class Ctx:
    """Everything resolution needs: the reference wall time, its zone and the policies."""

    ref: datetime  # naive wall-clock time in ``zone``
    zone: tzinfo
    policy: str = "next"  # "next" (Duckling) or "business_hours"
    day_first: bool = True

    @property
    def today(self) -> date:
        """The reference day."""
        return self.ref.date()


def finer(a: str, b: str) -> str:
    """The finer of two grains."""
    return a if GRAIN_ORDER.index(a) <= GRAIN_ORDER.index(b) else b


def grain_below(unit: str) -> str:
    """Duckling's grain for "in <n> <unit>": one step finer than the unit."""
    return {"second": "second", "minute": "second", "hour": "minute", "day": "hour",
            "week": "day", "fortnight": "day", "month": "day", "quarter": "day",
            "year": "month"}[unit]  # fmt: skip


def add_months(d: datetime, n: int) -> datetime:
    """Add calendar months, clamping the day to the month's length."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return d.replace(year=y, month=m, day=min(d.day, _cal.monthrange(y, m)[1]))


def truncate(d: datetime, grain: str) -> datetime:
    """Start of the grain-sized slot that contains d."""
    if grain == "second":
        return d.replace(microsecond=0)
    if grain == "minute":
        return d.replace(second=0, microsecond=0)
    if grain == "hour":
        return d.replace(minute=0, second=0, microsecond=0)
    day = d.replace(hour=0, minute=0, second=0, microsecond=0)
    if grain == "day":
        return day
    if grain in ("week", "fortnight"):
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    return day.replace(day=1, month=1)


def add_grain(d: datetime, grain: str, n: int = 1) -> datetime:
    """Wall-clock addition of n grains."""
    if grain in _FIXED:
        return d + _FIXED[grain] * n
    return add_months(d, _MONTHS[grain] * n)


def shift(ctx: Ctx, d: datetime, n: float, unit: str) -> datetime:
    """Add a duration: elapsed time below a day, calendar arithmetic from a day up."""
    if unit in ("second", "minute", "hour"):
        aware = d.replace(tzinfo=ctx.zone).astimezone(timezone.utc)
        moved = aware + _FIXED[unit] * n
        return moved.astimezone(ctx.zone).replace(tzinfo=None)
    if unit in _FIXED:
        return d + _FIXED[unit] * n
    whole = int(n)
    out = add_months(d, _MONTHS[unit] * whole)
    if n != whole:
        out += timedelta(days=30 * _MONTHS[unit] * (n - whole))
    return out


def valid_date(y: int, m: int, d: int) -> date | None:
    """The date, or None when it does not exist."""
    if not (1 <= m <= 12 and 1 <= d <= 31 and 1 <= y <= 9999):
        return None
    if d > _cal.monthrange(y, m)[1]:
        return None
    return date(y, m, d)


def last_day(y: int, m: int) -> int:
    """Number of days in a month."""
    return _cal.monthrange(y, m)[1]


def at(d: date, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """Naive datetime on a day; hour 24 means midnight at the end of the day."""
    base = datetime(d.year, d.month, d.day)
    return base + timedelta(hours=hour, minutes=minute, seconds=second)
