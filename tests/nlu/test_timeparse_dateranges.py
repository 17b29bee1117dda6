import pytest

from tests.nlu.helpers import times


def _days(text: str, **kw) -> tuple[str, str]:
    (ent,) = times(text, **kw)
    info = ent["additional_info"]
    assert (info["type"], info["grain"], ent["text"]) == ("interval", "day", text)
    return info["from"][:10], info["end"][:10]


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        # weekdays: the second is the first such day on or after the first
        ("Tuesday - Friday", "2013-02-19", "2013-02-22"),  # a bare Tuesday is next week's
        ("from Wednesday to Friday", "2013-02-13", "2013-02-15"),
        ("friday until monday", "2013-02-15", "2013-02-18"),
        ("this Tuesday - next Friday", "2013-02-12", "2013-02-22"),
        ("next Tuesday - Friday", "2013-02-19", "2013-02-22"),
        # a bare day number takes the other end's month
        ("Aug 5 - 16", "2013-08-05", "2013-08-16"),
        ("from Aug 5 to 16", "2013-08-05", "2013-08-16"),
        ("5 to 16 Aug", "2013-08-05", "2013-08-16"),
        ("from 5 to 16 Aug", "2013-08-05", "2013-08-16"),
        ("15-18 Nov", "2013-11-15", "2013-11-18"),
        ("Jan 28 - 3", "2014-01-28", "2014-02-03"),  # into the next month
        # whole dates, across a year end
        ("August 5th - August 16th", "2013-08-05", "2013-08-16"),
        ("between dec 20 and jan 3", "2013-12-20", "2014-01-03"),
        ("2018/08/05 to 2018/08/16", "2018-08-05", "2018-08-16"),
        ("from the 2018/08/05 to the 2018/08/16", "2018-08-05", "2018-08-16"),
        ("starting 2018/08/05 until 2018/08/16", "2018-08-05", "2018-08-16"),
        ("from 08/05 to 08/16", "2013-08-05", "2013-08-16"),
        # days of this month
        ("from the 20th to the 25th", "2013-02-20", "2013-02-25"),
        ("the 28th - 3rd", "2013-02-28", "2013-03-03"),
        ("from Aug 5 to the 16th", "2013-08-05", "2013-08-16"),
        ("15th - 18th", "2013-02-15", "2013-02-18"),
        # a year said once, at the end
        ("Aug 5 - Aug 16 2017", "2017-08-05", "2017-08-16"),
    ],
)
def test_ranges_of_days(text, first, last):
    assert _days(text) == (first, last)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [("5.8. - 16.8.", "2013-08-05", "2013-08-16"), ("5. - 16.8.", "2013-08-05", "2013-08-16"),
     ("5.8. - 16.8.2018", "2018-08-05", "2018-08-16"),
     ("16.02.2018 - 21.02.2018", "2018-02-16", "2018-02-21")],
)  # fmt: skip
def test_day_first_dotted_ranges(text, first, last):
    assert _days(text, locale="en_GB") == (first, last)


def test_dated_times_make_one_interval():
    (ent,) = times("August 5th 8h - August 16th 13h")
    info = ent["additional_info"]
    assert (info["from"][:16], info["end"][:16]) == ("2013-08-05T08:00", "2013-08-16T13:00")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("from 9 to 5", ["from 9 to 5"]),  # hours stay an hour range
        ("Monday to Friday 9 to 5", ["Monday to Friday"]),  # a bare "9 to 5" is latent
        ("2 - 15", ["2 - 15"]),  # a numeric date (month-first here), not a range
        ("friday - call me", ["friday"]),
    ],
)
def test_what_is_not_a_range_of_days(text, said):
    assert [e["text"] for e in times(text)] == said


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("change my facial from tuesday to thursday", ["tuesday", "thursday"]),
        ("i want to move my booking on the 12th to the 15th", ["the 12th", "the 15th"]),
        ("can you reschedule my booking on thursday to friday", ["thursday", "friday"]),
        ("Can I move my 3pm to 4pm?", ["3pm", "4pm"]),
        # the verb's sentence only, and "-" still makes a range
        ("I moved. I am away from the 20th to the 25th", ["from the 20th to the 25th"]),
        ("move it to 3-4pm tomorrow", ["3-4pm tomorrow"]),
    ],
)
def test_after_a_move_verb_x_to_y_is_old_and_new(text, said):
    assert [e["text"] for e in times(text)] == said
