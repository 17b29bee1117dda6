"""free_times: free starts inside a window, around busy time, inside opening hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking_core.free_times import free_times
from tests.booking_core.factories import book_event

LONDON = ZoneInfo("Europe/London")


def _wednesday_next_week() -> datetime:
    today = datetime.now(LONDON).date()
    day = today + timedelta(days=7 - today.weekday() + 2)
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


def _free(start: datetime, end: datetime, minutes: int = 60) -> list[datetime]:
    found = free_times(
        tenant_slug=None, channel="rest", platform_user_id="asker",
        start=start, end=end, duration=timedelta(minutes=minutes),
    )  # fmt: skip
    return [slot.start for slot in found.slots]


def test_the_window_start_is_offered_and_busy_time_is_skipped(db_settings: str) -> None:
    day = _wednesday_next_week()
    assert _free(day.replace(hour=12), day.replace(hour=18))[0] == day.replace(hour=12)
    book_event(
        tenant_slug=None, channel="rest", platform_user_id="someone else", display_name=None,
        title="Taken", start=day.replace(hour=12), end=day.replace(hour=14),
        timezone="Europe/London",
    )  # fmt: skip
    starts = _free(day.replace(hour=12), day.replace(hour=18))
    assert starts and starts == sorted(starts)
    assert all(s >= day.replace(hour=14) for s in starts)
    assert all(day.replace(hour=12) <= s < day.replace(hour=18) for s in starts)


def test_nothing_outside_opening_hours_or_in_the_past(db_settings: str) -> None:
    day = _wednesday_next_week()
    assert _free(day.replace(hour=18), day.replace(hour=23)) == []  # default hours 9-17
    saturday = day + timedelta(days=3)
    assert _free(saturday.replace(hour=9), saturday.replace(hour=17)) == []
    past = datetime.now(LONDON) - timedelta(days=2)
    assert _free(past.replace(hour=9), past.replace(hour=17)) == []


def test_a_bad_duration_is_refused(db_settings: str) -> None:
    day = _wednesday_next_week()
    with pytest.raises(ValueError):
        _free(day.replace(hour=9), day.replace(hour=17), minutes=0)
