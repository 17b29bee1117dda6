import pytest

from nlu.timeparse import extract
from tests.nlu.helpers import DUCK_REF, DUCK_TZ, value


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("tomorrow", "2013-02-13"),
        ("the day after tomorrow", "2013-02-14"),
        ("tuesday", "2013-02-19"),  # a bare weekday naming today means next week's
        ("this tuesday", "2013-02-12"),  # "this" includes today
        ("tuesday of this week", "2013-02-12"),
        ("next wednesday", "2013-02-20"),
        ("last sunday", "2013-02-10"),
        ("friday after next", "2013-02-22"),
        ("March 3rd 2015", "2015-03-03"),
        ("the 15th of february", "2013-02-15"),
        ("on the first", "2013-03-01"),
        ("Monday, Feb 18", "2013-02-18"),
        ("Thu 15th", "2013-08-15"),
        ("10/31/74", "1974-10-31"),
        ("2015-03-03", "2015-03-03"),
        ("31-Oct-74", "1974-10-31"),
    ],
)
def test_days(text, day):
    assert value(text).startswith(day + "T00:00:00")


def test_numeric_date_order_follows_locale():
    gb = extract("3/4", DUCK_REF, DUCK_TZ, locale="en_GB")[0]["value"]
    us = extract("3/4", DUCK_REF, DUCK_TZ, locale="en_US")[0]["value"]
    assert gb.startswith("2013-04-03") and us.startswith("2013-03-04")
    # an impossible day-first reading falls back to month-first
    assert extract("2/15", DUCK_REF, DUCK_TZ, locale="en_GB")[0]["value"].startswith("2013-02-15")


def test_conflicting_weekday_trusts_the_date():
    # 18 February 2013 is a Monday, not a Wednesday
    assert value("Wednesday 18th February").startswith("2013-02-18")
