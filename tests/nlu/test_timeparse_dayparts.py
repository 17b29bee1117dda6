import pytest

from tests.nlu.helpers import interval, times, value


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("tonight", "2013-02-12T18:00:00.000-02:00", "2013-02-13T00:00:00.000-02:00"),
        ("tomorrow afternoon", "2013-02-13T12:00:00.000-02:00", "2013-02-13T19:00:00.000-02:00"),
        ("last night", "2013-02-11T18:00:00.000-02:00", "2013-02-12T00:00:00.000-02:00"),
        ("monday early morning", "2013-02-18T00:00:00.000-02:00", "2013-02-18T09:00:00.000-02:00"),
        ("after lunch", "2013-02-12T13:00:00.000-02:00", "2013-02-12T17:00:00.000-02:00"),
    ],
)
def test_parts_of_day_are_intervals(text, lo, hi):
    assert interval(text) == (lo, hi)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8 tonight", "2013-02-12T20:00:00.000-02:00"),
        ("tomorrow evening at 5", "2013-02-13T17:00:00.000-02:00"),
        ("3 in the morning", "2013-02-13T03:00:00.000-02:00"),
        ("this morning @ 10", "2013-02-12T10:00:00.000-02:00"),
    ],
)
def test_part_of_day_settles_am_pm(text, expected):
    assert value(text) == expected


def test_greeting_is_not_a_time():
    assert times("good morning") == []
