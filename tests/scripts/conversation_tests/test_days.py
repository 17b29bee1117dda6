"""scripts/conversation_tests/days.py: relative days resolve as the assistant reads them."""

from __future__ import annotations

from datetime import date

import pytest

from scripts.conversation_tests.days import DayError, fill_days, resolve_day

SUNDAY = date(2026, 12, 6)
WEDNESDAY = date(2026, 12, 9)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", SUNDAY, SUNDAY),
        ("Tomorrow", SUNDAY, date(2026, 12, 7)),
        ("in 3 days", SUNDAY, date(2026, 12, 9)),
        ("in 1 day", SUNDAY, date(2026, 12, 7)),
        # A weekday: the next one after today, never today.
        ("wednesday", SUNDAY, date(2026, 12, 9)),
        ("wednesday", WEDNESDAY, date(2026, 12, 16)),
        ("thursday", WEDNESDAY, date(2026, 12, 10)),
        # next <weekday>: that day of next week (Monday to Sunday).
        ("next wednesday", SUNDAY, date(2026, 12, 9)),
        ("next wednesday", WEDNESDAY, date(2026, 12, 16)),
        ("next  Monday", WEDNESDAY, date(2026, 12, 14)),
        ("next sunday", SUNDAY, date(2026, 12, 13)),
        ("2027-01-15", SUNDAY, date(2027, 1, 15)),
    ],
)
def test_days(text: str, today: date, expected: date) -> None:
    assert resolve_day(text, today) == expected


@pytest.mark.parametrize("text", ["someday", "next week", "in two days", "2027-02-30", ""])
def test_unknown_days_name_the_forms_allowed(text: str) -> None:
    with pytest.raises(DayError, match="next <weekday>"):
        resolve_day(text, SUNDAY)


def test_placeholders_take_the_assistants_format_or_the_one_given() -> None:
    assert fill_days("Haircut, {next wednesday}, 15:00", SUNDAY) == "Haircut, Wed 9 Dec, 15:00"
    assert fill_days("on {friday:%d %B}!", SUNDAY) == "on 11 December!"
    assert fill_days("no braces here", SUNDAY) == "no braces here"
    with pytest.raises(DayError):
        fill_days("{someday}", SUNDAY)
