import pytest

from nlu.timeparse.duration import Dur, duration
from nlu.timeparse.tokens import tokenize


def longest(text):
    toks = tokenize(text)
    found = duration(toks, 0)
    if not found:
        return None
    end, dur = max(found, key=lambda p: p[0])
    return end == len(toks), dur


@pytest.mark.parametrize(
    ("text", "seconds", "unit"),
    [
        ("45 minutes", 2700, "minute"),
        ("90 mins", 5400, "minute"),
        ("2h", 7200, "hour"),
        ("an hour and a half", 5400, "minute"),
        ("half an hour", 1800, "minute"),
        ("1.5 hrs", 5400, "minute"),
        ("3/4 h", 2700, "minute"),
        ("1 hour thirty", 5400, "minute"),
        ("2 years and 3 months", 27 * 30 * 86400, "month"),
        ("a fortnight", 14 * 86400, "day"),
        ("5 and a half minutes", 330, "second"),
        ("one and three quarters of an hour", 6300, "minute"),
        ("1 year, 2 days, 3 hours and 4 seconds", 31719604, "second"),
    ],
)
def test_durations(text, seconds, unit):
    whole, dur = longest(text)
    assert whole
    assert round(dur.seconds) == seconds
    assert dur.normalized()[1] == unit


@pytest.mark.parametrize("text", ["minutes", "for months", "I second that", "a m"])
def test_not_durations(text):
    result = longest(text)
    assert result is None or not result[0]


def test_normalized_prefers_whole_numbers():
    assert Dur(((1.5, "hour"),)).normalized() == (90, "minute")
    assert Dur(((3, "quarter"),)).normalized() == (3, "quarter")


def test_glued_hours_and_minutes_and_hyphenated_half():
    assert round(longest("1h30")[1].seconds) == 5400
    assert round(longest("half-hour")[1].seconds) == 1800
