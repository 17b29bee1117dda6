from datetime import datetime, timedelta, timezone

import pytest

from nlu.timeparse.calendar import Ctx
from nlu.timeparse.grammar import Parser
from nlu.timeparse.resolve import resolve_phrase
from tests.nlu.helpers import one, times

CTX = Ctx(datetime(2013, 2, 12, 4, 30), timezone(timedelta(hours=-2)))


def longest(text):
    p = Parser(text, CTX)
    return max(p.phrase(0), key=lambda r: (r[0], -r[1].parts))


def test_pieces_combine_in_any_order():
    for text in ("at 7:30 PM on Fri, Sep 20", "Fri, Sep 20 at 7:30 PM"):
        end, ph = longest(text)
        assert end == len(Parser(text, CTX).toks)
        res = resolve_phrase(CTX, ph)
        assert res is not None and res.dt == datetime(2013, 9, 20, 19, 30)


def test_fewer_pieces_win_between_equal_readings():
    # "march 3 2015" is one day with a year, not "march 3" at 20:15
    _, ph = longest("march 3 2015")
    assert ph.parts == 1 and ph.date is not None and ph.date.year == 2015


def test_clashing_pieces_do_not_combine():
    p = Parser("3pm 4pm", CTX)
    assert max(end for end, _ in p.phrase(0)) == 2


def test_latent_only_phrases_are_not_offered():
    assert Parser("two three", CTX).phrase(0) == []


@pytest.mark.parametrize(
    ("text", "said"),
    [("on the 27th for one night", "the 27th"), ("friday for 2 people", "friday"),
     ("tomorrow for 3pm", "tomorrow for 3pm")],
)  # fmt: skip
def test_a_bare_number_after_for_is_a_count(text, said):
    assert [e["text"] for e in times(text)] == [said]


@pytest.mark.parametrize(
    ("text", "said"),
    [("the evening one", []), ("the 10th one", []), ("tomorrow at one", ["tomorrow at one"]),
     ("one pm", ["one pm"]), ("friday one o'clock", ["friday one o'clock"])],
)  # fmt: skip
def test_a_bare_one_is_a_pronoun(text, said):
    assert [e["text"] for e in times(text)] == said


@pytest.mark.parametrize(
    ("text", "moment"),
    [("2026-12-05T10:00", "2026-12-05T10:00:00"), ("2026-12-05T10:00:30", "2026-12-05T10:00:30")],
)
def test_iso_date_and_time(text, moment):
    (ent,) = times(text)
    assert ent["text"] == text and ent["value"].startswith(moment)


@pytest.mark.parametrize(
    ("text", "said", "hour"),
    [("one in the afternoon works", "one in the afternoon", "13:00"),
     ("could you do one this afternoon?", None, None),
     ("what about one in the afternoon", "about one in the afternoon", "13:00"),
     ("Is one in the morning too early?", "one in the morning", "01:00"),
     ("say one this afternoon?", "one this afternoon", "13:00"),
     ("change it to one in the afternoon", "one in the afternoon", "13:00")],
)  # fmt: skip
def test_one_before_a_part_of_the_day_is_an_hour(text, said, hour):
    found = [e for e in times(text) if e["additional_info"]["type"] == "value"]
    if said is None:  # "do one": a pronoun after a verb
        assert found == []
        return
    assert [(e["text"], e["value"][11:16]) for e in found] == [(said, hour)]


@pytest.mark.parametrize(
    "text",
    ["the second one", "book one in the afternoon", "there is one in the evening",
     "one of them in the morning", "I'd like one in the afternoon", "the evening one",
     "one afternoon next week", "is there one tonight"],
)  # fmt: skip
def test_one_as_a_pronoun_stays_no_hour(text):
    assert [e for e in times(text) if e["additional_info"]["type"] == "value"
            and e["additional_info"]["grain"] == "hour"] == []  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [("four fifteen in the afternoon", "16:15"), ("seven forty this evening", "19:40"),
     ("tomorrow eleven thirty", "11:30"), ("9 45 in the morning", "09:45")],
)  # fmt: skip
def test_spoken_minutes_with_a_day_or_a_part_of_the_day(text, expected):
    assert one(text)["value"][11:16] == expected


@pytest.mark.parametrize("text", ["four fifteen", "table for 2 30 minutes", "7 45"])
def test_spoken_minutes_alone_stay_no_time(text):
    assert [e for e in times(text) if e["additional_info"]["grain"] == "minute"] == []
