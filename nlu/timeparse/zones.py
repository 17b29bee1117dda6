"""Time-zone names: IANA zones via zoneinfo, or fixed offsets such as "-02:00"."""

from __future__ import annotations

import re
from datetime import timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

_OFFSET_RE = re.compile(r"^(?:utc|gmt)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)


@lru_cache(maxsize=256)
def get_zone(name: str) -> tzinfo:
    """Resolve "Europe/London", "UTC", "Z", "+01:00", "-0230"; raises ValueError otherwise."""
    text = name.strip()
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    m = _OFFSET_RE.match(text)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes))
    try:
        return ZoneInfo(text)
    except Exception as exc:  # zoneinfo raises several types for bad keys
        raise ValueError(f"unknown time zone: {name!r}") from exc


def offset_name(offset: timedelta | None) -> str:
    """Format an offset as "+HH:MM" (for reftimes that only carry an offset)."""
    total = int((offset or timedelta(0)).total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    total = abs(total)
    return f"{sign}{total // 60:02d}:{total % 60:02d}"
