"""Days in test conversations: written relative to today, resolved in the tenant's time zone.

A conversation says "next wednesday" to the bot, so its expectations must name the same day
whenever it runs. Days are written as `today`, `tomorrow`, `in N days`, a weekday (`friday`:
the next Friday after today, never today), `next <weekday>` (that day of next week, weeks
running Monday to Sunday, as the assistant reads it) or an ISO date (`2027-01-15`).

Expected texts and button titles may hold `{<day>}` or `{<day>:<strftime format>}`, replaced by
the day in the assistant's own format (`Wed 9 Dec`) or the one given (`{friday:%d %B}`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: How the assistant writes a day in its summaries and offers ("Wed 9 Dec").
DAY_FORMAT = "%a %-d %b"
_IN_DAYS = re.compile(r"in (\d+) days?")
_PLACEHOLDER = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")


class DayError(ValueError):
    """A day the format does not know."""


def resolve_day(text: str, today: date) -> date:
    """The date `text` names (see the module), relative to `today`."""
    words = " ".join(str(text).lower().split())
    if words == "today":
        return today
    if words == "tomorrow":
        return today + timedelta(days=1)
    in_days = _IN_DAYS.fullmatch(words)
    if in_days:
        return today + timedelta(days=int(in_days.group(1)))
    if words in WEEKDAYS:
        ahead = (WEEKDAYS.index(words) - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    if words.startswith("next ") and words[5:] in WEEKDAYS:
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=WEEKDAYS.index(words[5:]))
    try:
        return date.fromisoformat(words)
    except ValueError:
        raise DayError(
            f"unknown day {text!r}: use today, tomorrow, in N days, a weekday, "
            "next <weekday> or YYYY-MM-DD"
        ) from None


def fill_days(text: str, today: date) -> str:
    """`text` with every `{<day>}` / `{<day>:<format>}` replaced (see the module)."""

    def replace(match: re.Match[str]) -> str:
        day = resolve_day(match.group(1), today)
        return day.strftime(match.group(2) or DAY_FORMAT)

    return _PLACEHOLDER.sub(replace, text)
