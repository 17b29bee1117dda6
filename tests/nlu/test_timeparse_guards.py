import pytest

from nlu.timeparse.guards import blocked_tokens
from nlu.timeparse.tokens import tokenize
from tests.nlu.helpers import times


def _blocked_text(text: str) -> list[str]:
    toks = tokenize(text)
    return [t.text for t, b in zip(toks, blocked_tokens(text, toks), strict=True) if b]


@pytest.mark.parametrize(
    "text",
    [
        # prices: a symbol or code before, a currency word after
        "it costs $45",
        "$45.50 at the door",
        "£30 per hour",
        "€ 12",
        "45€",
        "USD 45",
        "45 dollars",
        "20 bucks",
        "30 quid",
        "5 pounds",
        "Rs. 500",
        "1,250.50 euros",
        # phone numbers
        "call 555-1234",
        "call me at 555-1234",
        "+1 415 555 0100",
        "(415) 555-0100",
        "at 415.555.0100",
        "ring 020 7946 0958",
        "07700 900123",
        "+44 20 7946 0958",
        # addresses and places
        "meet at 2250 Oak Street",
        "123 Main St",
        "at 10 Downing St.",
        "at 4 Priory Close",
        "221B Baker Street",
        "at 12 elm road",
        "14 Rue Street",
        "apt 4",
        "suite 200",
        "room 12",
        "gate 5",
        "table 4",
        "#4",
        "no. 5",
        "flat 3",
    ],
)
def test_prices_phones_and_addresses_are_no_time(text):
    assert times(text) == [], text


def test_only_the_number_tokens_are_blocked():
    assert _blocked_text("suite 5 tomorrow") == ["5"]
    assert _blocked_text("pay $45 at 3pm") == ["45"]
    assert _blocked_text("meet at 2250 Oak Street") == ["2250", "oak", "street"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("suite 5 tomorrow", "tomorrow"),  # the room number does not become 5 o'clock
        ("at 5 on Main Street", "at 5"),  # a time, then where
        ("room 12 at 3pm", "at 3pm"),
        ("tomorrow 0930 - 1045", "tomorrow 0930 - 1045"),  # a spaced range, not a phone
        ("930-1045 tomorrow", "930-1045 tomorrow"),  # quarter hours: a range
        ("19.12.2017 09:30", "19.12.2017 09:30"),  # a date then a time, not digit groups
        ("2018-08-05", "2018-08-05"),
        ("at 4 see Dr Lee", "at 4"),  # "Dr" ends a street only after a capitalised name
        ("$45 for 2 hours at 5pm", "at 5pm"),
        ("that's $7 tomorrow", "tomorrow"),
    ],
)
def test_times_next_to_guarded_numbers_survive(text, said):
    assert [e["text"] for e in times(text)] == [said]


@pytest.mark.parametrize(
    ("text", "said"),
    [("No. 9th of May works", "9th of May"), ("No. 4pm", "4pm"), ("No. 10:15 please", "10:15"),
     ("No. 6 o'clock", "6 o'clock")],
)  # fmt: skip
def test_after_the_answer_no_a_day_or_a_time_stays_one(text, said):
    assert [e["text"] for e in times(text)] == [said]


@pytest.mark.parametrize("text", ["No. 9 is my flat", "house no. 14", "see no. 3 on the list"])
def test_a_number_after_no_dot_stays_a_number(text):
    assert times(text) == []
