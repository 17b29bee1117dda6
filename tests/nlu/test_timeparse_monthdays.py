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


@pytest.mark.parametrize(
    ("text", "frm", "to"),
    [
        ("next week", "2013-02-18", "2013-02-25"),  # Monday to Sunday (exclusive Monday)
        ("this week", "2013-02-12", "2013-02-18"),  # from today (a Tuesday) to Sunday
        ("last week", "2013-02-04", "2013-02-11"),
        ("the week after next", "2013-02-25", "2013-03-04"),
        ("the week of the 14th", "2013-02-12", "2013-02-18"),  # this week: from today
        ("week of march 20th", "2013-03-18", "2013-03-25"),
    ],
)
def test_a_week_is_its_days(text, frm, to):
    info = extract(text, DUCK_REF, DUCK_TZ)[0]["additional_info"]
    assert (info["type"], info["grain"], info["period"]) == ("interval", "day", "week")
    assert (info["from"][:10], info["to"][:10]) == (frm, to)


@pytest.mark.parametrize(("text", "day"), [("next week friday", "2013-02-22"),
                                           ("this week thursday", "2013-02-14")])  # fmt: skip
def test_a_week_and_a_weekday_is_that_day(text, day):
    assert value(text).startswith(day)


def test_the_week_of_a_later_day_is_all_of_it():
    info = extract("the week of the 28th", DUCK_REF, DUCK_TZ)[0]["additional_info"]
    assert (info["from"][:10], info["to"][:10]) == ("2013-02-25", "2013-03-04")


@pytest.mark.parametrize(
    ("text", "day"),
    [("eom", "2013-02-28"), ("end of the month", "2013-02-28"), ("end of this month", "2013-02-28"),
     ("end of next month", "2013-03-31"), ("end of april", "2013-04-30"),
     ("end of january", "2014-01-31"), ("eoy", "2013-12-31"), ("end of the year", "2013-12-31"),
     ("at the end of the month at 3pm", "2013-02-28T15:00")],
)  # fmt: skip
def test_the_end_of_a_month_or_year_is_its_last_day(text, day):
    assert value(text).startswith(day)


def test_by_the_end_of_the_month_stays_a_deadline():
    info = extract("by the end of the month", DUCK_REF, DUCK_TZ)[0]["additional_info"]
    assert info["type"] == "interval" and info["to"].startswith("2013-03-01")
