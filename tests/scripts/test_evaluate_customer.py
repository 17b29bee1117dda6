"""scripts/evaluate/customer.py: what the simulated customer answers to each question."""

from __future__ import annotations

from datetime import date

import pytest

from scripts.evaluate.customer import Customer, kind_of, plain_date, turn_kind
from scripts.evaluate.sgd import Goal

GOAL = Goal(
    dialogue_id="1_001",
    service="Services_2",
    date=date(2019, 3, 7),
    time="15:30",
    opening="Sounds good, book it",
    title_words=("I need a dentist",),
    date_words=("March 7th will be great!",),
    time_words=(),
)
YES = {"title": "Yes", "payload": "/affirm"}
SUMMARY = "Dentist, Thu 7 Mar, 15:30-16:00 (Europe/London). Shall I book it?"


def say(text: str, buttons: list[dict] | None = None) -> list[dict]:
    return [{"text": text, **({"buttons": buttons} if buttons else {})}]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("What would you like to book?", "title"),
        ("Which day would you like?", "date"),
        ("That date is in the past. Which day would you like?", "date"),
        ("What time should it start?", "time"),
        ("That isn't a valid time of day. Please give a time like 3pm or 15:30.", "time"),
        ("How long should it be?", "duration"),
        (SUMMARY, "confirm"),
        ("Booked: Dentist, Thu 7 Mar, 15:30-16:00 (Europe/London).", "booked"),
        ("Okay, I've stopped. Nothing was booked.", "stopped"),
        ("That time clashes with another appointment. These times are free:", "offer"),
        ("Hi! I can book appointments for you.", "other"),
    ],
)
def test_kind_of(text: str, kind: str) -> None:
    assert kind_of(text) == kind


def test_the_last_question_of_a_turn_counts() -> None:
    messages = say("Sorry, I didn't catch a day there.") + say("What time should it start?")
    assert turn_kind(messages) == "time"
    assert turn_kind(say("Hello") + say("hm")) == "other"


def test_own_words_first_then_the_plain_phrase_which_repeats() -> None:
    customer = Customer(GOAL)
    assert customer.opening() == "Sounds good, book it"
    assert customer.reply(say("What would you like to book?")) == "I need a dentist"
    assert customer.reply(say("What would you like to book?")) == "a dentist appointment"
    assert customer.reply(say("What would you like to book?")) == "a dentist appointment"
    assert customer.reply(say("Which day would you like?")) == "March 7th will be great!"
    assert customer.reply(say("Which day would you like?")) == "Thursday 7 March"
    assert customer.reply(say("What time should it start?")) == "at 15:30"  # no words of its own
    assert customer.plain_phrases == 4


def test_duration_typed_then_the_first_button() -> None:
    customer = Customer(GOAL)
    buttons = [{"title": "30 minutes", "payload": '/inform{"duration": 1800}'}]
    assert customer.reply(say("How long should it be?", buttons)) == "30 minutes"
    assert customer.reply(say("How long should it be?", buttons)) == '/inform{"duration": 1800}'
    assert customer.plain_phrases == 0


def test_a_right_summary_gets_the_yes_button() -> None:
    assert Customer(GOAL).reply(say(SUMMARY, [YES])) == "/affirm"


def test_a_wrong_summary_is_changed_once_per_field() -> None:
    customer = Customer(GOAL)
    wrong = "Dentist, Fri 8 Mar, 16:00-16:30 (Europe/London). Shall I book it?"
    assert customer.reply(say(wrong, [YES])) == "change the date to Thursday 7 March"
    assert customer.reply(say(wrong, [YES])) == "change the time to 15:30"
    assert customer.reply(say(wrong, [YES])) == "/affirm"  # it gave up correcting
    assert customer.corrected == {"date", "time"}
    assert customer.misread == {"date", "time"}  # it never said the 8th nor 16:00


def test_a_summary_with_the_customers_first_choice_is_a_change_of_mind() -> None:
    customer = Customer(Goal(**{**GOAL.__dict__, "stale": frozenset({"2019-03-08"})}))
    wrong = "Dentist, Fri 8 Mar, 15:30-16:00 (Europe/London). Shall I book it?"
    assert customer.reply(say(wrong, [YES])) == "change the date to Thursday 7 March"
    assert customer.corrected == {"date"} and customer.misread == set()


def test_offered_times_pick_the_goal_or_restate_it() -> None:
    customer = Customer(GOAL)
    options = [{"title": "Thu 7 Mar 15:30", "payload": '/inform{"time": "..."}'}]
    text = "That time clashes with another appointment. These times are free:"
    assert customer.reply(say(text, options)) == '/inform{"time": "..."}'
    assert customer.reply(say(text, [])) == "at 15:30"  # as to the time question


def test_anything_else_restates_the_request_and_the_end_is_none() -> None:
    customer = Customer(GOAL)
    assert customer.reply(say("Sorry, I didn't quite get that.")) == (
        "I'd like to book a dentist appointment"
    )
    assert customer.reply(say("Booked: Dentist, Thu 7 Mar, 15:30-16:00.")) is None
    assert customer.outcome == "booked"


def test_plain_date() -> None:
    assert plain_date(date(2019, 3, 1)) == "Friday 1 March"
