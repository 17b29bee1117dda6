import pytest

from tests.nlu.helpers import interval, one, times, value


@pytest.mark.parametrize(
    ("text", "expected", "grain"),
    [
        ("in 45 minutes", "2013-02-12T05:15:00.000-02:00", "second"),
        ("in 2.5 hours", "2013-02-12T07:00:00.000-02:00", "second"),
        ("in a day", "2013-02-13T04:00:00.000-02:00", "hour"),
        ("in 1 week", "2013-02-19T00:00:00.000-02:00", "day"),
        ("3 days ago", "2013-02-09T04:00:00.000-02:00", "hour"),
        ("a week from monday", "2013-02-25T00:00:00.000-02:00", "day"),
        ("15 minutes from 1pm", "2013-02-12T13:15:00.000-02:00", "minute"),
        ("now", "2013-02-12T04:30:00.000-02:00", "second"),
        ("in 15", "2013-02-12T04:45:00.000-02:00", "second"),
    ],
)
def test_relative_instants(text, expected, grain):
    ent = one(text)
    assert ent["value"] == expected
    assert ent["additional_info"]["grain"] == grain


def test_next_n_hours_and_deadlines():
    assert interval("next 3 hours") == (
        "2013-02-12T05:00:00.000-02:00",
        "2013-02-12T08:00:00.000-02:00",
    )
    assert interval("by 2:00pm") == (
        "2013-02-12T04:30:00.000-02:00",
        "2013-02-12T14:00:00.000-02:00",
    )
    assert interval("this week-end")[0] == "2013-02-15T18:00:00.000-02:00"


def test_in_seven_days_at_five():
    assert value("in 7 days at 5pm") == "2013-02-19T17:00:00.000-02:00"


def test_open_intervals():
    after = one("after 3pm on friday")["additional_info"]
    assert after["from"] == "2013-02-15T15:00:00.000-02:00" and after["to"] is None
    before = one("before noon tomorrow")
    assert before["value"] is None
    assert before["additional_info"]["to"] == "2013-02-13T12:00:00.000-02:00"


def test_british_week_expressions():
    assert value("a week on Monday") == "2013-02-25T00:00:00.000-02:00"
    assert value("a week today") == "2013-02-19T00:00:00.000-02:00"


BOOKING = {"bare_hour_policy": "business_hours"}


@pytest.mark.parametrize(
    ("text", "expected", "grain"),
    [("By 16:30", "2013-02-12T16:30:00.000-02:00", "minute"),
     ("by 11am tomorrow", "2013-02-13T11:00:00.000-02:00", "hour"),
     ("by thursday at 3", "2013-02-14T15:00:00.000-02:00", "hour"),
     ("by this friday evening 6", "2013-02-15T18:00:00.000-02:00", "hour"),
     ("by the 20th", "2013-02-20T00:00:00.000-02:00", "day")],
)  # fmt: skip
def test_by_a_time_or_a_day_is_that_time_or_day_in_a_booking(text, expected, grain):
    ent = one(text, **BOOKING)
    assert (ent["value"], ent["additional_info"]["type"]) == (expected, "value")
    assert ent["additional_info"]["grain"] == grain


def test_by_a_part_of_the_day_is_that_part_in_a_booking():
    info = one("by wednesday morning", **BOOKING)["additional_info"]
    assert (info["part_of_day"], info["from"]) == ("morning", "2013-02-13T00:00:00.000-02:00")


@pytest.mark.parametrize(
    ("text", "day"),
    [("by eod", "2013-02-12"), ("by the end of the month", "2013-02-28"),
     ("by end of next week", "2013-02-24"), ("by next week", "2013-02-18")],
)  # fmt: skip
def test_by_a_period_is_its_last_day_or_the_period_in_a_booking(text, day):
    ent = one(text, **BOOKING)
    assert ent["value"][:10] == day
    assert ent["additional_info"]["grain"] == "day"  # never now, to the second


def test_by_stays_duckling_s_deadline_under_the_next_policy():
    assert interval("by 16:30") == ("2013-02-12T04:30:00.000-02:00",
                                    "2013-02-12T16:30:00.000-02:00")  # fmt: skip


@pytest.mark.parametrize("text", ["divide it by 5", "by 5 people", "by the way", "stand by"])
def test_by_without_a_time_is_nothing(text):
    assert [e for e in times(text, **BOOKING) if e["entity"] == "time"] == []
