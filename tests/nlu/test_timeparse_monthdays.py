import pytest

from nlu.timeparse import extract
from nlu.timeparse.monthdays import nth_day, nth_weekday
from tests.nlu.helpers import DUCK_REF, DUCK_TZ, value


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("first tuesday of october", "2013-10-01"),
        ("last day of october 2015", "2015-10-31"),
        ("20th of next month", "2013-03-20"),
        ("3 fridays from now", "2013-03-01"),
        ("2 thursdays ago", "2013-01-31"),
    ],
)
def test_days_inside_a_month_or_counted(text, day):
    assert value(text).startswith(day + "T00:00:00")


def test_nth_helpers_roll_to_the_next_year():
    today = DUCK_REF.date()
    assert str(nth_weekday(today, 1, None, 0, 1)) == "2014-01-06"  # January 2013 has gone
    assert str(nth_day(today, 2, 2013, -1)) == "2013-02-28"


def test_months_have_a_month_grain():
    ent = extract("march", DUCK_REF, DUCK_TZ)[0]
    assert ent["additional_info"]["grain"] == "month"
    assert ent["value"].startswith("2013-03-01")


def test_fixed_date_holidays():
    assert value("christmas eve at 5pm") == "2013-12-24T17:00:00.000-02:00"
    assert value("new year's day").startswith("2014-01-01")
