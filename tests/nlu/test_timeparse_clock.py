import pytest

from tests.nlu.helpers import interval, one, times, value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 3pm", "2013-02-12T15:00:00.000-02:00"),
        ("3:18a", "2013-02-13T03:18:00.000-02:00"),
        ("15h30", "2013-02-12T15:30:00.000-02:00"),
        ("half past 3 pm", "2013-02-12T15:30:00.000-02:00"),
        ("a quarter to noon", "2013-02-12T11:45:00.000-02:00"),
        ("twenty after 3pm", "2013-02-12T15:20:00.000-02:00"),
        ("half three", "2013-02-12T15:30:00.000-02:00"),
        ("nine fifty nine a m", "2013-02-12T09:59:00.000-02:00"),
        ("330 p.m.", "2013-02-12T15:30:00.000-02:00"),
        ("at midnight", "2013-02-13T00:00:00.000-02:00"),
        ("noon", "2013-02-12T12:00:00.000-02:00"),
        ("3 o'clock", "2013-02-12T15:00:00.000-02:00"),
        ("15:23:24", "2013-02-12T15:23:24.000-02:00"),
        ("Thursday 9 am (BST)", "2013-02-14T06:00:00.000-02:00"),
    ],
)
def test_clock_times(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("3-4pm", "2013-02-12T15:00:00.000-02:00", "2013-02-12T17:00:00.000-02:00"),
        ("11:30-1:30", "2013-02-12T11:30:00.000-02:00", "2013-02-12T13:31:00.000-02:00"),
        ("8am until 6", "2013-02-12T08:00:00.000-02:00", "2013-02-12T19:00:00.000-02:00"),
        ("from 3 to 4:30pm", "2013-02-12T15:00:00.000-02:00", "2013-02-12T16:31:00.000-02:00"),
        (
            "later than 3:30pm but before 6pm",
            "2013-02-12T15:30:00.000-02:00",
            "2013-02-12T18:01:00.000-02:00",
        ),
        ("9:30 - 11:00 CST", "2013-02-12T13:30:00.000-02:00", "2013-02-12T15:01:00.000-02:00"),
    ],
)
def test_time_ranges(text, lo, hi):
    assert interval(text) == (lo, hi)


@pytest.mark.parametrize("text", ["3 30", "three twenty", "4a", "25", "two sixty a m"])
def test_bare_numbers_are_not_times(text):
    assert times(text) == []


def test_at_makes_a_bare_number_a_time():
    assert one("at three twenty")["value"] == "2013-02-12T15:20:00.000-02:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at 8.15", "2013-02-12T08:15:00.000-02:00"),
        ("around 4ish", "2013-02-12T04:00:00.000-02:00"),
        ("at 5", "2013-02-12T05:00:00.000-02:00"),
    ],
)
def test_marked_times(text, expected):
    assert value(text) == expected


@pytest.mark.parametrize("text", ["the total was 17.30", "221B", "version 3.4", "4x4"])
def test_numbers_that_are_not_times(text):
    assert times(text) == []


@pytest.mark.parametrize(
    ("text", "frm", "to"),
    [
        ("Saturday before noon", None, "2013-02-16T12:00"),
        ("before 10am tomorrow", None, "2013-02-13T10:00"),
        ("tomorrow morning before 10", None, "2013-02-13T10:00"),
        ("no later than 10:30 on Friday", None, "2013-02-15T10:30"),
        ("until 3 on monday", None, "2013-02-18T15:00"),
        ("after 4pm", "2013-02-12T16:00", None),
        ("friday after 2", "2013-02-15T14:00", None),
        ("after 6 on friday", "2013-02-15T18:00", None),
        ("from 9 tomorrow", "2013-02-13T09:00", None),
        ("Sunday Feb 17 after 9", "2013-02-17T09:00", None),
    ],
)
def test_open_intervals_keep_their_day(text, frm, to):
    info = one(text, bare_hour_policy="business_hours")["additional_info"]
    assert info["type"] == "interval" and info["open"] == ("after" if frm else "before")
    assert (info["from"] or "")[:16] == (frm or "") and (info["to"] or "")[:16] == (to or "")


@pytest.mark.parametrize("text", ["after 3 days", "before 1030"])
def test_open_intervals_need_a_time_of_day(text):
    assert all(e["additional_info"].get("open") is None for e in times(text))


@pytest.mark.parametrize(
    ("text", "frm", "end"),
    [
        ("six till eight tonight", "2013-02-12T18:00", "2013-02-12T20:00"),
        ("six to eight tonight", "2013-02-12T18:00", "2013-02-12T20:00"),
        ("6 till 8", "2013-02-12T18:00", "2013-02-12T20:00"),  # "till" is only temporal
        ("five until nine tomorrow", "2013-02-13T17:00", "2013-02-13T21:00"),
        ("from 9 to 11am", "2013-02-12T09:00", "2013-02-12T11:00"),
        ("3-4:30pm", "2013-02-12T15:00", "2013-02-12T16:30"),
        ("10 until noon", "2013-02-12T10:00", "2013-02-12T12:00"),
        ("between 2 and 4 on Monday", "2013-02-18T14:00", "2013-02-18T16:00"),
    ],
)
def test_ranges_of_hours(text, frm, end):
    info = one(text, bare_hour_policy="business_hours")["additional_info"]
    assert (info["from"][:16], info["end"][:16]) == (frm, end)


@pytest.mark.parametrize(
    ("text", "moment"),
    [("ten to eight", "T07:50"), ("15 to noon", "T11:45"), ("twenty to 3", "T14:40"),
     ("quarter till 8", "T07:45"), ("ten minutes till 8", "T07:50")],
)  # fmt: skip
def test_minutes_before_the_hour(text, moment):
    assert moment in value(text)


@pytest.mark.parametrize(("text", "kind"), [("not before 10am", "after"),
                                            ("not after 6pm on friday", "before")])  # fmt: skip
def test_negated_bounds_flip(text, kind):
    assert one(text)["additional_info"]["open"] == kind


@pytest.mark.parametrize(
    ("text", "moment"),
    [("twelve noon", "2013-02-12T12:00"), ("12 midnight", "2013-02-13T00:00"),
     ("at 12 noon tomorrow", "2013-02-13T12:00")],
)  # fmt: skip
def test_twelve_noon_and_midnight(text, moment):
    assert value(text).startswith(moment)


def test_noonish():
    assert value("noonish").startswith("2013-02-12T12:00")


@pytest.mark.parametrize(
    ("text", "kind", "bound"),
    [("from 3pm onwards", "after", "2013-02-12T15:00"),
     ("3pm onwards", "after", "2013-02-12T15:00"),
     ("10 or later tomorrow", "after", "2013-02-13T10:00"),
     ("friday 2pm at the earliest", "after", "2013-02-15T14:00"),
     ("noon at the latest", "before", "2013-02-12T12:00"),
     ("4pm or earlier on friday", "before", "2013-02-15T16:00")],
)  # fmt: skip
def test_bounds_said_after_the_time(text, kind, bound):
    info = one(text, bare_hour_policy="business_hours")["additional_info"]
    assert info["open"] == kind and (info["from"] or info["to"]).startswith(bound)


def test_a_bare_number_or_later_needs_a_day():
    assert times("10 or later") == []


@pytest.mark.parametrize(
    ("text", "hour"),
    [('we could do 7 o"clock in the evening', 19), ("ok, 11 o`clock in the morning", 11),
     ("at 12 o\u2018clock in the afternoon", 12), ("2 oclock in the afternoon", 14),
     ("9 o clock in the morning", 9), ("ten o\u2019clock tonight", 22)],
)  # fmt: skip
def test_oclock_however_typed_keeps_its_part_of_day(text, hour):
    (ent,) = times(text)
    assert ent["text"].endswith(("evening", "morning", "afternoon", "tonight"))
    assert ent["value"][11:16] == f"{hour:02d}:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19pm", "19:00"), ("16 pm", "16:00"), ("22am", "22:00"), ("at 14:45pm", "14:45"),
     ("tomorrow 18p.m.", "18:00")],
)  # fmt: skip
def test_a_24_hour_hour_with_am_or_pm_is_the_24_hour_hour(text, expected):
    ent = one(text)
    assert ent["value"][11:16] == expected
    assert ent["additional_info"]["meridiem_assumed"] is False


@pytest.mark.parametrize("text", ["25pm", "0pm", "19p", "room 19pm"])
def test_impossible_or_weak_24_hour_meridiems_stay_nothing(text):
    assert times(text) == []


@pytest.mark.parametrize(("text", "hour"), [("eight-ish", "08:00"), ("3pm-ish", "15:00"),
                                            ("noon-ish tomorrow", "12:00")])  # fmt: skip
def test_hyphenated_ish_reads_like_ish(text, hour):
    assert one(text)["value"][11:16] == hour
