import pytest

from nlu.timeparse import extract
from nlu.timeparse.duration import Dur, duration
from nlu.timeparse.tokens import tokenize
from tests.nlu.helpers import DUCK_REF, DUCK_TZ, times


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


@pytest.mark.parametrize(
    ("text", "said", "seconds"),
    [
        ("a 90-minute lesson", "90-minute", 5400),
        ("a 20-min consult", "20-min", 1200),
        ("a 2-hr session", "2-hr", 7200),
        ("an hour-long call", "an hour-long", 3600),
        ("a half-hour chat", "a half-hour", 1800),
        ("2-hour workshop", "2-hour", 7200),
        ("a two-hour workshop", "two-hour", 7200),
        ("a 45-minute-long class", "45-minute-long", 2700),
        ("a day-long retreat", "a day-long", 86400),
    ],
)
def test_adjective_durations(text, said, seconds):
    ents = extract(text, DUCK_REF, DUCK_TZ)
    assert [(e["entity"], e["text"], e["value"]) for e in ents] == [("duration", said, seconds)]


@pytest.mark.parametrize("text", ["3-4 hours", "10-15 minutes", "2-3 days"])
def test_a_count_range_before_a_unit_is_no_date(text):
    assert times(text, locale="en_GB") == []
