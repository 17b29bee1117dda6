"""Time expressions that name a window to choose in, not a time to book.

Pure functions (no Rasa SDK, no I/O). "Friday afternoon", "tomorrow morning", "after 4pm" and
"before noon" say when the customer can come; booking the whole afternoon (12:00-18:00) or
exactly 16:00 would be wrong. The form keeps the day and offers the free times inside the
window as buttons instead (actions/free_time_offers.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from actions.time_slots import SUB_DAY_GRAINS

#: A closed interval this long without a clock number is a part of day ("afternoon").
PART_OF_DAY_MIN = timedelta(hours=2)
_CLOCK_NUMBER = re.compile(r"\d|\b(?:noon|midday|midnight)\b", re.IGNORECASE)
#: Words of a question that asks for free times rather than for one's own bookings.
_FREE_WORDS = re.compile(
    r"\b(?:free|available|availability|availabilities|open|opening|openings|slots?|space|"
    r"spaces|gaps?|room|fit me in|squeeze me in|vacanc(?:y|ies)|times?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeWindow:
    """[start, end) in the tenant's zone; either bound may be open (None)."""

    day: date
    start: datetime | None
    end: datetime | None
    phrase: str

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Both bounds, an open one closed at the edge of the day."""
        midnight = datetime.combine(self.day, datetime.min.time(), tzinfo=zone)
        return (self.start or midnight, self.end or midnight + timedelta(days=1))

    def to_slot(self) -> dict[str, Any]:
        """The `time_window` slot's value (ISO strings, JSON-safe)."""
        return {
            "day": self.day.isoformat(),
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "phrase": self.phrase,
        }


def _instant(raw: Any, zone: ZoneInfo) -> datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return datetime.fromisoformat(raw).astimezone(zone)
    except ValueError:
        return None


def read_time_window(entity: Mapping[str, Any], zone: ZoneInfo) -> TimeWindow | None:
    """The window a `time` entity names, or None when it names a time (or a whole day)."""
    info: Mapping[str, Any] = entity.get("additional_info") or {}
    if info.get("type") != "interval" or info.get("grain", "minute") not in SUB_DAY_GRAINS:
        return None
    # `to` is exclusive and grain-aligned, `end` inclusive; either closes the interval.
    start = _instant(info.get("from"), zone)
    end = _instant(info.get("to"), zone) or _instant(info.get("end"), zone)
    phrase = str(entity.get("text") or "")
    if start is None and end is None:
        return None
    if start is not None and end is not None:
        named_clock = bool(_CLOCK_NUMBER.search(phrase))
        if named_clock or end - start < PART_OF_DAY_MIN:
            return None  # "3 to 4:30pm" is a booking, not a window
        day = start.date()
    elif start is not None:
        day = start.date()
    else:
        assert end is not None  # one bound at least, checked above
        day = (end - timedelta(minutes=1)).date()
    return TimeWindow(day, start, end, phrase)


def window_in(entities: Iterable[Mapping[str, Any]], zone: ZoneInfo) -> TimeWindow | None:
    """The first window among a message's `time` entities."""
    for entity in entities:
        if entity.get("entity") == "time":
            window = read_time_window(entity, zone)
            if window is not None:
                return window
    return None


def window_from_slot(value: Any, zone: ZoneInfo) -> TimeWindow | None:
    """The `time_window` slot's value read back; None when unset or unreadable."""
    if not isinstance(value, Mapping):
        return None
    try:
        day = date.fromisoformat(str(value.get("day")))
    except ValueError:
        return None
    start, end = _instant(value.get("from"), zone), _instant(value.get("to"), zone)
    return TimeWindow(day, start, end, str(value.get("phrase") or ""))


#: "Am I free", "is my diary free", "do I have time": about one's own bookings (the agenda).
_OWN_CALENDAR = re.compile(
    r"\b(?:am i|i'?m|my|do i have|have i got|have i|i have)\b", re.IGNORECASE
)


#: "Do you have any appointments on the 3rd?", "has she got anything at 11?": what the
#: business has, asked of the business.
_BUSINESS_HAS = re.compile(
    r"\b(?:do|does|have|has|would|will|could|can)\s+(?:you|they|he|she|the\s+\w+)\s+"
    r"(?:have|got|had|get|do)\s+(?:any|anything|an|a|some|something)\b",
    re.IGNORECASE,
)


def asks_for_free_times(text: str) -> bool:
    """ "Anything free on Friday?", "do you have availability": a question for the business's
    free times, not for the customer's own bookings ("am I free on Friday?")."""
    asked = _FREE_WORDS.search(text) or _BUSINESS_HAS.search(text)
    return bool(asked) and not _OWN_CALENDAR.search(text)
