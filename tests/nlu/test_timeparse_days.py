import pytest

from nlu.timeparse import extract
from tests.nlu.helpers import DUCK_REF, DUCK_TZ, times, value


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


@pytest.mark.parametrize(
    ("locale", "day"),
    [("en_US", "2013-05-08"), ("en-US", "2013-05-08"), ("en_US.UTF-8", "2013-05-08"),
     ("EN-us", "2013-05-08"), ("en_CA", "2013-05-08"), ("en", "2013-05-08"),
     ("en_GB", "2013-08-05"), ("en-GB", "2013-08-05"), ("en_AU", "2013-08-05"),
     ("en_IE", "2013-08-05"), ("en_IN", "2013-08-05"), ("fr_FR", "2013-08-05")],
)  # fmt: skip
def test_slash_dates_follow_the_tenant_locale(locale, day):
    assert value("5/8", locale=locale).startswith(day)
    assert value("on 5/8 at 3pm", locale=locale).startswith(day + "T15:00")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Friday 15", "2013-02-15"),  # the coming Friday is the 15th
        ("Fri 15th", "2013-02-15"),
        ("Saturday the 16th", "2013-02-16"),
        ("friday, 15", "2013-02-15"),
        ("Friday 15 at 3pm", "2013-02-15T15:00"),
        ("Tuesday 19", "2013-02-19"),
        ("Thursday 14th", "2013-02-14"),
        ("Friday 29", "2013-03-29"),  # the next 29th that is a Friday
        ("Monday 31", "2013-03-31"),  # no Monday 31st within a year: the day of the month
    ],
)
def test_weekday_and_day_of_month(text, day):
    assert value(text).startswith(day)


@pytest.mark.parametrize(("text", "moment"), [("Friday 9", "2013-02-15T09:00"),
                                              ("Friday 18:00", "2013-02-15T18:00")])  # fmt: skip
def test_weekday_and_hour_stays_a_time(text, moment):
    assert value(text).startswith(moment)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("8/May", "2013-05-08"), ("May/8", "2013-05-08"), ("8-May", "2013-05-08"),
        ("7. April", "2013-04-07"), ("3. Jan. 2014 14:30", "2014-01-03T14:30"),
        ("Tuesday, 7.5.", "2013-05-07"), ("7.5. Tuesday", "2013-05-07"),
        ("8.5. at 10am", "2013-05-08T10:00"),
        ("mondays", "2013-02-18"), ("on fridays at 3pm", "2013-02-15T15:00"),
        ("the following Friday", "2013-02-22"), ("following friday", "2013-02-22"),
    ],
)  # fmt: skip
def test_more_day_spellings(text, day):
    assert value(text).startswith(day)


@pytest.mark.parametrize("text", ["it costs 8.5.", "rated 4.5.", "2 mondays ago"])
def test_dotted_numbers_alone_are_no_day(text):
    assert all("2013-05" not in e["value"] for e in times(text))


@pytest.mark.parametrize(
    "text", ["I'd like the second one", "the 2nd one please", "the first option",
             "on the 3rd floor", "my 2nd appointment", "the third time"],
)  # fmt: skip
def test_an_ordinal_before_a_noun_is_a_rank(text):
    assert times(text) == []
