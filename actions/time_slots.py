"""Turn the time extractor's entities into the booking form's slot values.

Pure functions (no Rasa SDK, no I/O) so the rules are easy to test: which words of a
message set the date, the time and the duration, and what the form says back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# Shared with booking_core.notices; the actions call it as time_slots.describe_window.
from booking_core.display import describe_minutes as describe_minutes
from booking_core.display import describe_window as describe_window
from nlu.timeparse.spelling import ALIASES, correction

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M"
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 12 * 60
MAX_DAYS_AHEAD = 366
SUB_DAY_GRAINS = {"hour", "minute", "second"}
GRAIN_STEP = {
    "second": timedelta(seconds=1),
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
}

# Words that name a day. A time expression without one ("4pm", "half past 2") changes only
# the time of an already chosen day: "change the time to 4pm" must keep Friday.
_DAY_WORDS = re.compile(
    r"\b(today|tonight|tomorrow|tmrw|tmr|yesterday|day|days|week|weeks|weekend|fortnight|"
    r"month|months|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|thurs|thursday|fri|"
    r"friday|sat|saturday|sun|sunday|jan|january|feb|february|mar|march|apr|april|may|jun|"
    r"june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|dec|december|"
    r"\d{1,2}(st|nd|rd|th)|\d{1,4}\s*[/.-]\s*\d{1,2}([/.-]\s*\d{2,4})?)\b",
    re.IGNORECASE,
)
# "25:00", "14:75", "13pm": shaped like a time of day but impossible.
_IMPOSSIBLE_TIME = re.compile(
    r"\b(?:(?:2[4-9]|[3-9]\d):\d{2}|\d{1,2}:[6-9]\d|(?:1[3-9]|2\d)\s*[ap]\.?m\.?)\b",
    re.IGNORECASE,
)
_TITLE_FILLERS = re.compile(
    r"^(?:(?:it'?s|it is|for|just|i want|i'd like|i would like|i need|please|book|schedule|"
    r"make|a|an|the|my|called|named|title|the title is|to)\b\s*)+",
    re.IGNORECASE,
)
_TRAILING_FILLERS = re.compile(
    r"(?:\s*\b(?:please|pls|thanks|thank you|for|at|on|from|to|in)\b)+\s*$", re.IGNORECASE
)


@dataclass(frozen=True)
class TimeReading:
    """What one time entity says about the booking."""

    day: date | None
    start: time | None
    duration_minutes: int | None
    meridiem_assumed: bool


def tz_of(name: str) -> ZoneInfo:
    """The tenant's zone (raises ZoneInfoNotFoundError for a bad name)."""
    return ZoneInfo(name)


def mentions_day(text: str) -> bool:
    """Whether a time expression names a day, as opposed to a bare time of day.

    Typed fast ("tomoro at 3", "thursdy at 10", "2moro"), the day word is read as the time
    parser reads it (its spelling step), so the form does not keep an older day instead.
    """
    if _DAY_WORDS.search(text):
        return True
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        meant = ALIASES.get(word) or correction(word)
        if meant and _DAY_WORDS.fullmatch(meant):
            return True
    return False


# Words that pin a time to today or to now without naming a day: "this afternoon at 3",
# "in 2 hours", "now", "later on".
_TODAY_WORDS = re.compile(
    r"\b(this|now|later|hour|hours|hr|hrs|minute|minutes|min|mins|asap|soon)\b", re.IGNORECASE
)


def fixes_day(text: str) -> bool:
    """Whether a time expression without a day word still fixes the day ("this evening at
    7", "in two hours"), unlike a bare clock time ("at 3", "half past 4 in the afternoon")."""
    return bool(_TODAY_WORDS.search(text))


def looks_like_impossible_time(text: str) -> bool:
    """Whether the text holds a time of day that cannot exist (so the form can say why)."""
    return bool(_IMPOSSIBLE_TIME.search(text))


def _parse_iso(value: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(value).astimezone(zone)


def read_time_entity(entity: Mapping[str, Any], zone: ZoneInfo) -> TimeReading | None:
    """Read a `time` entity (see docs/ARCHITECTURE.md) in the tenant's zone.

    Day grain gives only a day; hour/minute/second grain gives a day and a time;
    an interval also gives a duration (from its inclusive end).  A week ("next week") is too
    vague to book; a part of the day ("tomorrow afternoon") and an interval open at its start
    ("before 10am tomorrow") give only their day, so the form asks for the time.
    """
    info: Mapping[str, Any] = entity.get("additional_info") or {}
    grain = info.get("grain", "minute")
    kind = info.get("type", "value")
    value = entity.get("value")
    try:
        if kind == "interval" and info.get("period"):
            return None
        if kind == "interval" and (info.get("part_of_day") or not info.get("from")):
            bound = info.get("from") or info.get("end") or info.get("to")
            if not bound or (not info.get("from") and grain not in SUB_DAY_GRAINS):
                return None  # "before friday": no day to book
            moment = _parse_iso(str(bound), zone)
            if not info.get("from") and not info.get("end"):
                moment -= timedelta(minutes=1)  # "before midnight" is still that day
            return TimeReading(moment.date(), None, None, False)
        if kind == "interval" and info.get("from"):
            start = _parse_iso(str(info["from"]), zone)
            end_raw = info.get("end")
            if end_raw:
                end = _parse_iso(str(end_raw), zone)
            elif info.get("to"):
                end = _parse_iso(str(info["to"]), zone) - GRAIN_STEP.get(grain, timedelta(0))
            else:
                end = start
            if grain not in SUB_DAY_GRAINS:
                return TimeReading(start.date(), None, None, False)
            minutes = int((end - start).total_seconds() // 60)
            return TimeReading(
                start.date(),
                start.time().replace(second=0, microsecond=0),
                minutes if minutes > 0 else None,
                bool(info.get("meridiem_assumed")),
            )
        if not isinstance(value, str):
            return None
        moment = _parse_iso(value, zone)
    except (TypeError, ValueError):
        return None
    if grain in SUB_DAY_GRAINS:
        return TimeReading(
            moment.date(),
            moment.time().replace(second=0, microsecond=0),
            None,
            bool(info.get("meridiem_assumed")),
        )
    if grain == "day":
        return TimeReading(moment.date(), None, None, False)
    return None  # week/month/year: too vague to book; the form asks for a day


def duration_minutes(entity: Mapping[str, Any]) -> int | None:
    """Minutes of a `duration` entity (value in seconds; a button payload may send a string)."""
    try:
        seconds = float(entity.get("value"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return round(seconds / 60)


def entities_of(entities: Iterable[Mapping[str, Any]], kind: str) -> list[Mapping[str, Any]]:
    """Entities of one type, in text order."""
    found = [e for e in entities if e.get("entity") == kind]
    return sorted(found, key=lambda e: e.get("start") or 0)


def clean_title(text: str, remove_spans: Iterable[tuple[int, int]] = ()) -> str | None:
    """A title from free text: time/duration words and fillers removed, first letter capital."""
    chars = list(text)
    for start, end in remove_spans:
        for i in range(max(start, 0), min(end, len(chars))):
            chars[i] = " "
    cleaned = re.sub(r"\s+", " ", "".join(chars)).strip(" .,!?;:-")
    cleaned = _TITLE_FILLERS.sub("", cleaned)
    cleaned = _TRAILING_FILLERS.sub("", cleaned).strip(" .,!?;:-")
    if not cleaned or len(cleaned) > 80 or not re.search(r"[A-Za-z]", cleaned):
        return None
    return cleaned[0].upper() + cleaned[1:]


def normalise_title(title: str) -> str | None:
    """A DIET-extracted title with its first letter capitalised."""
    return clean_title(title)


def check_day(day: date, today: date) -> str | None:
    """The response name explaining why a day cannot be booked, or None."""
    if day < today:
        return "utter_date_in_past"
    if (day - today).days > MAX_DAYS_AHEAD:
        return "utter_date_too_far"
    return None


def check_start(day: date, start: time, zone: ZoneInfo, now: datetime) -> str | None:
    """The response name explaining why a start cannot be booked, or None."""
    if combine(day, start, zone) <= now:
        return "utter_time_in_past"
    return None


def check_duration(minutes: float) -> str | None:
    """The response name explaining why a duration cannot be booked, or None."""
    if minutes < MIN_DURATION_MINUTES or minutes > MAX_DURATION_MINUTES:
        return "utter_duration_out_of_range"
    return None


def combine(day: date, start: time, zone: ZoneInfo) -> datetime:
    """Wall-clock day and time in the zone as an aware datetime (DST-correct)."""
    return datetime.combine(day, start, tzinfo=zone)


def parse_day(value: str) -> date:
    """The `event_date` slot's value as a date."""
    return datetime.strptime(value, DATE_FORMAT).date()


def parse_start(value: str) -> time:
    """The `event_time` slot's value as a time."""
    return datetime.strptime(value, TIME_FORMAT).time()


def booking_window(
    day: str, start: str, minutes: float, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """Start and end of the booking from the form's slot values."""
    begin = combine(parse_day(day), parse_start(start), zone)
    return begin, begin + timedelta(minutes=minutes)
