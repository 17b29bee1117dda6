"""title_answer: an answer to the title question is the title unless it is clearly not."""

from __future__ import annotations

import pytest

from actions.title_answer import (
    is_command,
    is_question,
    read_title_answer,
    split_location,
    tidy_title,
    title_and_location,
)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Piano recital", "stop"),
        ("Coffee with the landlord", "nlu_fallback"),
        ("Jazz night with Sam", "goodbye"),
        ("Knitting circle", "out_of_scope"),
        ("Hello Kitty cake tasting", "greet"),
        ("No-show review with the team", "deny"),
        ("Thank-you lunch for Ana", "thank"),
    ],
)
def test_a_fragment_is_the_title_whatever_the_intent(text: str, intent: str) -> None:
    assert read_title_answer(text, intent, 0.95, []).title == text[0].upper() + text[1:]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("stop", "stop"),
        ("never mind", "stop"),
        ("forget it", "stop"),
        ("help", "help"),
        ("yes please", "affirm"),
        ("ok", "affirm"),
        ("no thanks", "deny"),
        ("nope", "deny"),
    ],
)
def test_clear_commands_are_not_titles(text: str, intent: str) -> None:
    assert is_command(text, intent, 0.9)
    assert read_title_answer(text, intent, 0.9, []).title is None


def test_a_command_needs_the_classifier_and_the_words() -> None:
    assert not is_command("stop", "stop", 0.2)  # the classifier is unsure
    assert not is_command("Piano recital", "stop", 0.99)  # no stop word in it
    assert not is_command("no show review meeting with the whole sales team", "deny", 0.99)


@pytest.mark.parametrize(
    ("text", "intent", "question"),
    [
        ("anything free Friday afternoon?", "check_availability", True),
        ("what can you do", "help", True),
        ("are you a bot?", "bot_challenge", True),
        ("what's the weather like in paris", "out_of_scope", True),
        ("Piano recital?", "schedule_event", False),
        ("Who's afraid of Virginia Woolf rehearsal", "inform", False),
    ],
)
def test_questions(text: str, intent: str, question: bool) -> None:
    assert is_question(text, intent) is question


def test_only_a_time_is_no_title() -> None:
    entities = [{"entity": "time", "start": 0, "end": 15}]
    assert read_title_answer("tomorrow at 3pm", "inform", 0.9, entities).title is None


def test_time_words_leave_the_title() -> None:
    entities = [{"entity": "time", "start": 14, "end": 29}]
    answer = read_title_answer("Piano lesson, tomorrow at 3pm", "inform", 0.9, entities)
    assert answer.title == "Piano lesson"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("put dentist checkup as the title", "Dentist checkup"),
        ("it's a haircut please", "Haircut"),
        ("call it team sync", "Team sync"),
        ("the title is Budget review", "Budget review"),
        ("ok so it's a meeting with Steve", "Meeting with Steve"),
        ("just a quick chat, thanks", "Quick chat"),
        ("  ", None),
        ("please", None),
        # a booking word with a common noun reads service first; a name is kept
        ("an appointment with a dentist", "Dentist appointment"),
        ("session with a personal trainer", "Personal trainer session"),
        ("appointment for a haircut", "Haircut appointment"),
        ("appointment with Dr Patel", "Appointment with Dr Patel"),
        ("meeting with the bank", "Meeting with the bank"),
        # visiting someone: the someone is what is booked
        ("visit a doctor", "Doctor"),
        ("I need to see the optician", "Optician"),
        ("go to the vet", "Vet"),
        ("see-saw repair", "See-saw repair"),
    ],
)
def test_filler_is_removed(text: str, title: str | None) -> None:
    assert tidy_title(text) == title


@pytest.mark.parametrize(
    ("text", "rest", "place"),
    [
        (
            "coffee with the landlord at 2250 Oak Street",
            "coffee with the landlord",
            "2250 Oak Street",
        ),
        ("viewing at 14b Elm Rd, Springfield", "viewing", "14b Elm Rd, Springfield"),
        ("meeting with steve at the office", "meeting with steve", "the office"),
        ("dinner at Luigi's", "dinner", "Luigi's"),
        ("haircut", "haircut", None),
        ("Oak Street clean-up", "Oak Street clean-up", None),
    ],
)
def test_a_place_is_taken_out_of_the_title(text: str, rest: str, place: str | None) -> None:
    got_rest, got_place = split_location(text)
    assert (got_rest.strip(), got_place) == (rest, place)


def test_a_learned_title_keeps_no_address() -> None:
    answer = title_and_location("cleaning at 2250 Oak Street", "book a cleaning at 2250 Oak Street")
    assert (answer.title, answer.location) == ("Cleaning", "2250 Oak Street")
    answer = title_and_location("cleaning", "a cleaning at 12 High Street on monday")
    assert (answer.title, answer.location) == ("Cleaning", "12 High Street")


@pytest.mark.parametrize("slip", ["I", "Perfect, I", "Let's try", "Could I", "Works. I", "it"])
def test_a_title_of_only_function_words_is_none(slip: str) -> None:
    assert tidy_title(slip) is None


def test_a_generic_learned_title_is_asked_about_but_a_generic_answer_is_taken() -> None:
    assert title_and_location("appointment", "i'd like an appointment").title is None
    assert title_and_location("dentist appointment", "a dentist appointment").title == (
        "Dentist appointment"
    )
    assert read_title_answer("an appointment", "inform", 0.9, []).title == "Appointment"
