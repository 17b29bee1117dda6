"""scripts/evaluate/sgd.py: which words name a service, a dialogue's goal and its own words."""

from __future__ import annotations

from datetime import date

import pytest

from scripts.evaluate.sgd import (
    goal_of,
    informs,
    names_service,
    opening_turn,
    title_names_service,
    title_turn,
)


def inform(slot: str, value: str) -> dict:
    return {"act": "INFORM", "slot": slot, "values": [value], "canonical_values": [value]}


ASK = {"act": "INFORM_INTENT", "slot": "intent", "values": ["BookAppointment"]}


def user(text: str, *actions: dict, intent: str = "BookAppointment") -> dict:
    return {"speaker": "USER", "utterance": text, "intent": intent, "actions": list(actions)}


def system(text: str) -> dict:
    return {"speaker": "SYSTEM", "utterance": text, "actions": []}


DIALOGUE = {
    "dialogue_id": "1_001",
    "service": "Services_2",
    "service_calls": [
        {"method": "FindProvider", "parameters": {"city": "Gilroy"}},
        {"method": "BookAppointment", "parameters": {"appointment_date": "2019-03-08",
                                                     "appointment_time": "16:45"}},
        {"method": "BookAppointment", "parameters": {"appointment_date": "2019-03-10",
                                                     "appointment_time": "16:45"}},
    ],
    "turns": [
        user("I need a dentist in Gilroy.", intent="FindProvider"),
        system("How about Dr. Lim?"),
        user("Book it for March 8th at 4:45 pm.", ASK, inform("appointment_date", "2019-03-08"),
             inform("appointment_time", "16:45")),
        system("Sorry, that is taken."),
        user("Then the 10th at 4:45 pm.", inform("appointment_date", "2019-03-10"),
             inform("appointment_time", "16:45")),
        user("Yes, the 10th at quarter to 5.", inform("appointment_date", "2019-03-10")),
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "service", "named"),
    [
        ("Dentist appointment", "Services_2", True),
        ("Dental check", "Services_2", True),
        ("Appointment", "Services_2", False),
        ("Appointment with Krystle Lim", "Services_2", False),
        ("Dr. Lim", "Services_2", False),
        ("Dr. Lim", "Services_3", True),
        ("Doctor's appointment", "Services_3", True),
        ("Check-up", "Services_3", True),
        ("check up", "Services_3", True),
        ("Haircut", "Services_1", True),
        ("Hair cut", "Services_1", True),
        ("Salon visit", "Services_1", True),
        ("Chair", "Services_1", False),  # "hair" inside another word does not count
        ("Visit", "Services_1", False),
        ("", "Services_1", False),
        (None, "Services_1", False),
    ],
)
def test_names_service(text: str | None, service: str, named: bool) -> None:
    assert names_service(text, service) is named


def test_informs_reads_canonical_values_of_one_slot() -> None:
    turn = DIALOGUE["turns"][2]
    assert informs(turn, "appointment_date") == ["2019-03-08"]
    assert informs(turn, "appointment_time") == ["16:45"]
    assert informs(turn, "city") == []


def test_goal_is_the_last_booking_call_with_consistent_own_words() -> None:
    goal = goal_of(DIALOGUE)
    assert goal is not None
    assert (goal.date, goal.time, goal.service) == (date(2019, 3, 10), "16:45", "Services_2")
    assert goal.opening == "Book it for March 8th at 4:45 pm."
    assert goal.title_words == ("I need a dentist in Gilroy.",)
    # "March 8th" is not the goal's day: never said again; the last words come first.
    assert goal.date_words == ("Yes, the 10th at quarter to 5.", "Then the 10th at 4:45 pm.")
    assert goal.time_words == ("Then the 10th at 4:45 pm.",)
    assert goal.stale == {"2019-03-08"}  # the opening's first choice


def test_no_goal_without_a_booking_call() -> None:
    assert goal_of({**DIALOGUE, "service_calls": []}) is None


def test_opening_falls_back_to_the_first_user_turn() -> None:
    turns = [user("Find me a dentist", intent="FindProvider"), system("Where?")]
    assert opening_turn({"turns": turns})["utterance"] == "Find me a dentist"


def test_title_turn_prefers_a_booking_turn_that_names_the_service() -> None:
    turns = [
        {"text": "I need a dentist", "intent": "FindProvider"},
        {"text": "yes book it", "intent": "BookAppointment"},
        {"text": "book the dental visit", "intent": "BookAppointment"},
    ]
    assert title_turn(turns, "Services_2") == turns[2]
    assert title_turn(turns[:2], "Services_2") == turns[0]
    assert title_turn(turns[1:2], "Services_2") is None


@pytest.mark.parametrize(
    ("title", "right"),
    [
        ("Dentist appointment", True),
        ("Teeth hurt. Get", False),
        ("Dentist? Yes", False),
        ("Dr. Lim, dentist", True),
        ("Dentist.", True),  # a full stop at the end is no break
    ],
)
def test_a_booked_title_is_not_pieces_of_sentences(title: str, right: bool) -> None:
    assert title_names_service(title, "Services_2") is right
