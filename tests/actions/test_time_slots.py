"""Rules that turn time entities into slot values (no Rasa involved)."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from actions import time_slots
from tests.actions.factories import duration_entity, time_entity

LONDON = ZoneInfo("Europe/London")


def test_hour_grain_gives_day_and_time() -> None:
    reading = time_slots.read_time_entity(
        time_entity("tomorrow at 3pm", "2026-12-01T15:00:00.000+00:00"), LONDON
    )
    assert reading == time_slots.TimeReading(date(2026, 12, 1), time(15, 0), None, False)


def test_day_grain_gives_only_the_day() -> None:
    reading = time_slots.read_time_entity(
        time_entity("tomorrow", "2026-12-01T00:00:00.000+00:00", grain="day"), LONDON
    )
    assert reading is not None and reading.day == date(2026, 12, 1) and reading.start is None


def test_interval_gives_time_and_duration_from_inclusive_end() -> None:
    entity = time_entity(
        "from 3 to 4:30pm",
        "2026-12-01T15:00:00.000+00:00",
        grain="minute",
        interval=("2026-12-01T15:00:00.000+00:00", "2026-12-01T16:30:00.000+00:00"),
    )
    reading = time_slots.read_time_entity(entity, LONDON)
    assert reading is not None
    assert (reading.start, reading.duration_minutes) == (time(15, 0), 90)


def test_interval_with_only_duckling_exclusive_to() -> None:
    entity = time_entity("3-4pm", "2026-12-01T15:00:00.000+00:00")
    entity["additional_info"] = {
        "type": "interval",
        "grain": "hour",
        "from": "2026-12-01T15:00:00.000+00:00",
        "to": "2026-12-01T17:00:00.000+00:00",
    }
    reading = time_slots.read_time_entity(entity, LONDON)
    assert reading is not None and reading.duration_minutes == 60


def test_values_are_read_in_the_tenant_zone() -> None:
    reading = time_slots.read_time_entity(
        time_entity("at 3pm", "2026-07-01T14:00:00.000+00:00"), LONDON
    )
    assert reading is not None and reading.start == time(15, 0)  # BST


def test_month_grain_is_too_vague() -> None:
    entity = time_entity("in March", "2027-03-01T00:00:00.000+00:00", grain="month")
    assert time_slots.read_time_entity(entity, LONDON) is None


def test_duration_minutes_accepts_button_strings() -> None:
    assert time_slots.duration_minutes(duration_entity("45 minutes", 2700)) == 45
    assert time_slots.duration_minutes({"entity": "duration", "value": "1800"}) == 30
    assert time_slots.duration_minutes({"entity": "duration", "value": "soon"}) is None


@pytest.mark.parametrize(
    ("phrase", "names_day"),
    [
        ("tomorrow at 3pm", True),
        ("friday at 10", True),
        ("the 3rd at noon", True),
        ("3/12 at 4", True),
        ("at 4pm", False),
        ("half past two", False),
        ("noon", False),
    ],
)
def test_mentions_day(phrase: str, names_day: bool) -> None:
    assert time_slots.mentions_day(phrase) is names_day


@pytest.mark.parametrize(
    ("text", "impossible"),
    [("at 25:00", True), ("14:75", True), ("13pm", True), ("at 3pm", False), ("23:59", False)],
)
def test_impossible_times(text: str, impossible: bool) -> None:
    assert time_slots.looks_like_impossible_time(text) is impossible


@pytest.mark.parametrize(
    ("text", "spans", "title"),
    [
        ("a haircut please", [], "Haircut"),
        ("it's a dentist appointment", [], "Dentist appointment"),
        ("team sync tomorrow at 3", [(10, 23)], "Team sync"),
        ("tomorrow", [(0, 8)], None),
        ("   ", [], None),
    ],
)
def test_clean_title(text: str, spans: list[tuple[int, int]], title: str | None) -> None:
    assert time_slots.clean_title(text, spans) == title


def test_checks() -> None:
    today = date(2026, 11, 24)
    assert time_slots.check_day(date(2026, 11, 23), today) == "utter_date_in_past"
    assert time_slots.check_day(date(2028, 1, 1), today) == "utter_date_too_far"
    assert time_slots.check_day(today, today) is None
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert time_slots.check_start(today, time(11, 0), LONDON, now) == "utter_time_in_past"
    assert time_slots.check_start(today, time(13, 0), LONDON, now) is None
    assert time_slots.check_duration(4) == "utter_duration_out_of_range"
    assert time_slots.check_duration(12 * 60 + 1) == "utter_duration_out_of_range"
    assert time_slots.check_duration(5) is None
    assert time_slots.check_duration(720) is None


def test_summary_formatting() -> None:
    begin, end = time_slots.booking_window("2026-12-03", "15:00", 45, LONDON)
    assert time_slots.describe_window(begin, end, "Europe/London") == (
        "Thu 3 Dec, 15:00-15:45 (Europe/London)"
    )
    assert time_slots.describe_minutes(90) == "1 hour 30 minutes"
    assert time_slots.describe_minutes(45) == "45 minutes"


def test_booking_window_is_dst_correct() -> None:
    begin, end = time_slots.booking_window("2027-03-28", "00:30", 120, LONDON)
    # Clocks go forward at 01:00 GMT: two hours after 00:30 GMT is 03:30 BST.
    assert begin.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert (end - begin).total_seconds() == 7200


def _interval(text: str, frm: str | None, to: str | None, end: str | None, **extra: object):
    entity = time_entity(text, frm or "")
    entity["value"] = frm
    entity["additional_info"] = {"type": "interval", "grain": "hour", "from": frm, "to": to,
                                 "end": end, "open": None, "part_of_day": None,
                                 "period": None, **extra}  # fmt: skip
    return entity


def test_open_after_interval_starts_at_its_bound() -> None:
    entity = _interval("after 4pm tomorrow", "2026-12-01T16:00:00.000+00:00", None, None,
                       open="after")  # fmt: skip
    reading = time_slots.read_time_entity(entity, LONDON)
    assert reading == time_slots.TimeReading(date(2026, 12, 1), time(16, 0), None, False)


@pytest.mark.parametrize(
    ("to", "end", "day"),
    [
        ("2026-12-01T10:00:00.000+00:00", "2026-12-01T09:00:00.000+00:00", date(2026, 12, 1)),
        ("2026-12-02T00:00:00.000+00:00", None, date(2026, 12, 1)),  # "before midnight"
    ],
)
def test_open_before_interval_gives_only_its_day(to: str, end: str | None, day: date) -> None:
    entity = _interval("before 10am tomorrow", None, to, end, open="before")
    assert time_slots.read_time_entity(entity, LONDON) == time_slots.TimeReading(
        day, None, None, False
    )


def test_open_before_a_day_gives_nothing() -> None:
    entity = _interval("before friday", None, "2026-12-04T00:00:00.000+00:00",
                       "2026-12-03T00:00:00.000+00:00", open="before")  # fmt: skip
    entity["additional_info"]["grain"] = "day"
    assert time_slots.read_time_entity(entity, LONDON) is None


def test_part_of_day_gives_only_its_day() -> None:
    entity = _interval("tomorrow afternoon", "2026-12-01T12:00:00.000+00:00",
                       "2026-12-01T19:00:00.000+00:00", "2026-12-01T18:00:00.000+00:00",
                       part_of_day="afternoon")  # fmt: skip
    reading = time_slots.read_time_entity(entity, LONDON)
    assert reading == time_slots.TimeReading(date(2026, 12, 1), None, None, False)


def test_a_week_is_too_vague_to_book() -> None:
    entity = _interval("next week", "2026-12-07T00:00:00.000+00:00",
                       "2026-12-14T00:00:00.000+00:00", "2026-12-13T00:00:00.000+00:00",
                       period="week")  # fmt: skip
    entity["additional_info"]["grain"] = "day"
    assert time_slots.read_time_entity(entity, LONDON) is None


@pytest.mark.parametrize(
    ("text", "names_day"),
    [
        ("tomoro at 3", True),
        ("thursdy at 10", True),
        ("2moro at noon", True),
        ("wednsday 4pm", True),
        ("at 4pm", False),
        ("half past monica", False),
    ],
)
def test_misspelt_day_words_name_a_day(text: str, names_day: bool) -> None:
    assert time_slots.mentions_day(text) is names_day
