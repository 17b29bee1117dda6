"""time_windows: parts of days and open intervals are windows to choose in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from actions.time_windows import asks_for_free_times, read_time_window, window_from_slot

LONDON = ZoneInfo("Europe/London")


def _interval(text: str, start: str | None, end: str | None) -> dict[str, object]:
    info = {"type": "interval", "grain": "hour", "from": start, "to": end}
    return {"entity": "time", "text": text, "value": start, "additional_info": info}


def test_a_part_of_day_is_a_window() -> None:
    entity = _interval("friday afternoon", "2026-12-11T12:00:00+00:00", "2026-12-11T19:00:00+00:00")
    window = read_time_window(entity, LONDON)
    assert window is not None and window.day == date(2026, 12, 11)
    assert window.bounds(LONDON) == (
        datetime(2026, 12, 11, 12, tzinfo=LONDON),
        datetime(2026, 12, 11, 19, tzinfo=LONDON),
    )


def test_open_intervals_are_windows_closed_at_the_day() -> None:
    after = read_time_window(_interval("after 4pm", "2026-12-11T16:00:00+00:00", None), LONDON)
    assert after is not None
    assert after.bounds(LONDON)[1] == datetime(2026, 12, 12, tzinfo=LONDON)
    before = read_time_window(
        _interval("before noon tomorrow", None, "2026-12-05T12:00:00+00:00"), LONDON
    )
    assert before is not None and before.day == date(2026, 12, 5)
    assert before.bounds(LONDON)[0] == datetime(2026, 12, 5, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("from 3 to 4:30pm", "2026-12-11T15:00:00+00:00", "2026-12-11T16:30:00+00:00"),
        ("9 to 5", "2026-12-11T09:00:00+00:00", "2026-12-11T17:00:00+00:00"),
        ("an hour slot", "2026-12-11T09:00:00+00:00", "2026-12-11T10:00:00+00:00"),
    ],
)
def test_clock_intervals_are_bookings_not_windows(text: str, start: str, end: str) -> None:
    assert read_time_window(_interval(text, start, end), LONDON) is None


def test_values_and_days_are_not_windows() -> None:
    value = {"entity": "time", "text": "3pm", "value": "2026-12-11T15:00:00+00:00",
             "additional_info": {"type": "value", "grain": "hour"}}  # fmt: skip
    assert read_time_window(value, LONDON) is None
    day = {**_interval("monday to friday", "2026-12-07T00:00:00+00:00", None)}
    day["additional_info"] = {"type": "interval", "grain": "day", "from": "2026-12-07"}
    assert read_time_window(day, LONDON) is None


def test_the_slot_round_trips() -> None:
    entity = _interval("after 4pm", "2026-12-11T16:00:00+00:00", None)
    window = read_time_window(entity, LONDON)
    assert window is not None
    assert window_from_slot(window.to_slot(), LONDON) == window
    assert window_from_slot(None, LONDON) is None
    assert window_from_slot({"day": "not a day"}, LONDON) is None


@pytest.mark.parametrize(
    ("text", "free"),
    [
        ("anything free Friday afternoon?", True),
        ("do you have availability tomorrow", True),
        ("any openings after 4pm?", True),
        ("am I free on Friday?", False),
        ("is my diary free next week", False),
        ("what's on my calendar tomorrow", False),
        ("Do you have any appointments on the 3rd at 10?", True),
        ("has the groomer got anything on Saturday?", True),
        ("do I have any appointments on the 3rd?", False),
    ],
)
def test_free_time_questions(text: str, free: bool) -> None:
    assert asks_for_free_times(text) is free
