from datetime import date, datetime, timedelta, timezone

from nlu.timeparse.calendar import Ctx
from nlu.timeparse.model import DateSpec, Open, Phrase, Pod, Range, Span, Tod, Value
from nlu.timeparse.resolve import (
    day_candidates,
    future_ok,
    place_tod,
    resolve_phrase,
    tod_hours,
)

ZONE = timezone(timedelta(hours=-2))
REF = datetime(2013, 2, 12, 4, 30)  # a Tuesday
NEXT = Ctx(REF, ZONE, "next")
BUSINESS = Ctx(REF, ZONE, "business_hours")


def test_bare_hour_policies():
    five = Tod(5, ambiguous=True, latent=True)
    assert tod_hours(five, "next") == [5, 17]
    assert tod_hours(five, "business_hours") == [17]
    assert tod_hours(Tod(9, ambiguous=True), "business_hours") == [9]
    assert tod_hours(Tod(12, ambiguous=True), "business_hours") == [12]


def test_future_ok_duckling_keeps_running_hour():
    assert future_ok(NEXT, datetime(2013, 2, 12, 4, 23), "minute")
    assert not future_ok(BUSINESS, datetime(2013, 2, 12, 4, 23), "minute")
    assert not future_ok(NEXT, datetime(2013, 2, 12, 3, 18), "minute")


def test_bare_weekday_skips_today():
    tuesday = DateSpec(weekday=1, not_today=True)
    assert next(iter(day_candidates(tuesday, NEXT))) == date(2013, 2, 19)
    this_tuesday = DateSpec(weekday=1)
    assert next(iter(day_candidates(this_tuesday, NEXT))) == date(2013, 2, 12)


def test_weekday_and_date_search_prefers_future_then_recent_past():
    fri_jul_18 = DateSpec(month=7, day=18, weekday=4)
    assert next(iter(day_candidates(fri_jul_18, NEXT))) == date(2014, 7, 18)
    sun_feb_10 = DateSpec(month=2, day=10, weekday=6)
    assert next(iter(day_candidates(sun_feb_10, NEXT))) == date(2013, 2, 10)


def test_place_tod_rolls_forward():
    three_am = Tod(3, 18, grain="minute")
    assert place_tod(NEXT, three_am, None) == (datetime(2013, 2, 13, 3, 18), False)
    five = Tod(5, ambiguous=True)
    assert place_tod(BUSINESS, five, None) == (datetime(2013, 2, 12, 17), True)


def test_resolve_phrase_pod_and_range():
    tonight = Pod("night", 18, 24, "pm", DateSpec(fixed=date(2013, 2, 12), is_today=True))
    res = resolve_phrase(NEXT, Phrase(pod=tonight))
    assert res == Span(datetime(2013, 2, 12, 18), datetime(2013, 2, 13), "hour", pod="night")
    rng = Range(Tod(3, ambiguous=True), Tod(16, 30, grain="minute"))
    res = resolve_phrase(NEXT, Phrase(rng=rng))
    assert isinstance(res, Span)
    assert (res.start, res.end) == (datetime(2013, 2, 12, 15), datetime(2013, 2, 12, 16, 31))


def test_resolve_open_keeps_the_day():
    noon = Open(after=False, tod=Tod(12))
    res = resolve_phrase(NEXT, Phrase(date=DateSpec(weekday=5, not_today=True), opn=noon))
    assert res == Span(None, datetime(2013, 2, 16, 12), "hour")
    four = Open(after=True, tod=Tod(4, ambiguous=True))
    res = resolve_phrase(BUSINESS, Phrase(opn=four))
    assert res == Span(datetime(2013, 2, 12, 16), None, "hour", True)


def test_resolve_day_value():
    res = resolve_phrase(NEXT, Phrase(date=DateSpec(fixed=date(2013, 2, 13))))
    assert res == Value(datetime(2013, 2, 13), "day")


def test_a_full_past_date_keeps_its_time():
    spec = DateSpec(year=2012, month=11, day=13)
    assert place_tod(NEXT, Tod(13, 30, grain="minute"), spec) == (
        datetime(2012, 11, 13, 13, 30), False)  # fmt: skip


def test_weekday_with_a_date_points_back_only_a_month():
    # Sunday 10 Feb 2013 was two days ago; Tuesday 13 Nov 2012 is months back: a slip
    recent = DateSpec(month=2, day=10, weekday=6)
    assert next(day_candidates(recent, NEXT)) == date(2013, 2, 10)
    old = DateSpec(month=11, day=13, weekday=1)
    assert next(day_candidates(old, NEXT)) == date(2013, 11, 13)


def test_a_wholly_past_day_reads_an_hour_as_a_business_day_s():
    spec = DateSpec(year=2011, month=6, day=3)
    assert place_tod(NEXT, Tod(8, ambiguous=True), spec) == (datetime(2011, 6, 3, 8), True)
    assert place_tod(NEXT, Tod(4, ambiguous=True), spec) == (datetime(2011, 6, 3, 16), True)
    yesterday = DateSpec(fixed=date(2013, 2, 11))
    assert place_tod(NEXT, Tod(10, 15, grain="minute", ambiguous=True), yesterday) == (
        datetime(2013, 2, 11, 10, 15), True)  # fmt: skip


def test_today_with_every_reading_gone_keeps_the_last():
    late = Ctx(datetime(2013, 2, 12, 23, 30), ZONE, "next")
    today = DateSpec(fixed=date(2013, 2, 12), is_today=True)
    assert place_tod(late, Tod(11, ambiguous=True), today) == (datetime(2013, 2, 12, 23), True)
