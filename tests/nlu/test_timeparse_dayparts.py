import pytest

from tests.nlu.helpers import interval, one, times, value


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


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("morning 10", "2013-02-12T10:00"),
        ("night 9", "2013-02-12T21:00"),
        ("evening 7.30", "2013-02-12T19:30"),
        ("this evening 7", "2013-02-12T19:00"),
        ("tomorrow morning 8.30", "2013-02-13T08:30"),
        ("tomorrow afternoon 3", "2013-02-13T15:00"),
    ],
)
def test_part_of_day_then_an_hour(text, moment):
    assert value(text).startswith(moment)


@pytest.mark.parametrize(
    ("text", "name", "frm"),
    [
        ("afternoon", "afternoon", "2013-02-12T12:00"),
        ("morning please", "morning", "2013-02-12T00:00"),
        ("late evening", "late evening", "2013-02-12T21:00"),
        ("very early afternoon", "early afternoon", "2013-02-12T12:00"),
        ("forenoon", "forenoon", "2013-02-12T09:00"),
        ("friday late", "evening", "2013-02-15T18:00"),
        ("december 6 early", "morning", "2013-12-06T00:00"),
    ],
)
def test_part_of_day_as_a_whole_answer(text, name, frm):
    info = one(text)["additional_info"]
    assert (info["part_of_day"], info["from"][:16]) == (name, frm)


@pytest.mark.parametrize(
    "text",
    ["good morning", "Morning, can I book a haircut please", "book afternoon tea",
     "the evening class", "I will be late", "a night out", "cancel the evening one",
     "evening 1", "hey, evening", "evening!", "hi there, good afternoon"],
)  # fmt: skip
def test_greetings_modifiers_and_early_late_in_a_sentence_are_no_time(text):
    assert times(text) == []


@pytest.mark.parametrize(
    ("text", "name", "frm"),
    [("Saturday am", "morning", "2013-02-16T00:00"), ("Friday pm", "afternoon", "2013-02-15T12:00"),
     ("tomorrow a.m.", "morning", "2013-02-13T00:00")],
)  # fmt: skip
def test_a_day_with_am_or_pm_is_its_morning_or_afternoon(text, name, frm):
    info = one(text)["additional_info"]
    assert (info["part_of_day"], info["from"][:16]) == (name, frm)


def test_am_pm_after_an_hour_stay_the_hour():
    assert value("tomorrow 3 pm").startswith("2013-02-13T15:00")
    assert [e["text"] for e in times("i am free tomorrow")] == ["tomorrow"]


@pytest.mark.parametrize(
    ("text", "hour"),
    [("at evening 5", "17:00"), ("around afternoon 2:30", "14:30"), ("evening 4", "16:00"),
     ("about morning 9", "09:00"), ("the evening 6:15 slot", "18:15"), ("night 10", "22:00"),
     ("morning around 11", "11:00"), ("afternoon, at 3", "15:00"), ("afternoon 12", "12:00"),
     ("Friday at evening 7", "19:00")],
)  # fmt: skip
def test_a_part_of_the_day_before_the_hour_settles_am_pm(text, hour):
    ent = one(text) if text != "the evening 6:15 slot" else times(text)[0]
    assert ent["value"][11:16] == hour
    assert ent["additional_info"]["meridiem_assumed"] is False


@pytest.mark.parametrize(
    "text", ["evening 2", "morning 13", "the evening one", "afternoon, 2 of us"]
)
def test_an_hour_the_part_of_the_day_cannot_mean_is_no_time(text):
    assert [e for e in times(text) if e["additional_info"]["type"] == "value"] == []


@pytest.mark.parametrize(
    ("text", "name", "frm"),
    [("Early", "morning", "2013-02-12T00:00"), ("late please", "evening", "2013-02-12T18:00"),
     ("very late.", "evening", "2013-02-12T18:00"),
     ("early if possible", "morning", "2013-02-12T00:00")],
)  # fmt: skip
def test_early_or_late_as_the_whole_answer_is_the_morning_or_evening(text, name, frm):
    info = one(text)["additional_info"]
    assert (info["part_of_day"], info["from"][:16]) == (name, frm)


@pytest.mark.parametrize(
    "text",
    ["I'm running late", "sorry, late again", "late fee", "Late!", "is it too late",
     "an early start", "early next week"],
)  # fmt: skip
def test_early_or_late_inside_a_sentence_is_no_part_of_the_day(text):
    assert [e for e in times(text) if e["additional_info"].get("part_of_day")] == []
