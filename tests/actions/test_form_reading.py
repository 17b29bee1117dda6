"""form_reading: what the latest message means to the form (titles, picks, days, new requests)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone

import pytest

from actions import context
from actions.form_reading import (
    answers_form,
    day_said_earlier,
    is_new_request,
    picked_start,
    read_title,
)
from tests.actions.factories import make_tracker, time_entity, title_entity

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)  # a Tuesday, GMT


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(context, "utc_now", lambda: NOW)
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/London")
    yield


@pytest.mark.parametrize("intent", ["out_of_scope", "nlu_fallback", "goodbye", "stop", "greet"])
def test_asked_for_the_title_any_intent_gives_it(intent: str) -> None:
    tracker = make_tracker(
        "Jazz night with Sam", intent=intent, slots={"requested_slot": "event_title"}
    )
    assert read_title(tracker).title == "Jazz night with Sam"


def test_not_asked_only_a_learned_title_of_an_answer_counts() -> None:
    tracker = make_tracker("Jazz night with Sam", intent="inform", slots={})
    assert read_title(tracker).title is None
    tracker = make_tracker(
        "book jazz night", intent="schedule_event", entities=[title_entity("jazz night", start=5)]
    )
    assert read_title(tracker).title == "Jazz night"
    stop = make_tracker(
        "stop the jazz night booking", intent="stop", entities=[title_entity("jazz night", start=9)]
    )
    assert read_title(stop).title is None


@pytest.mark.parametrize(
    ("text", "intent", "answers"),
    [
        ("Could you book it for 3:30 pm?", "out_of_scope", True),
        ("Is there an opening at 13:00?", "check_availability", True),
        ("anything free Friday afternoon?", "check_availability", True),
        ("what's the weather tomorrow", "out_of_scope", False),
        ("never mind tomorrow", "stop", False),
        ("hello, tomorrow at 3 please", "greet", True),
        ("thanks, make it 4pm", "thank", True),
        ("hello", "greet", False),
        # a day or time proposed as a question, whatever the classifier made of it
        ("How about a quarter to 5?", "out_of_scope", True),
        ("Is 4:15 PM still open?", "out_of_scope", True),
        ("Do they have anything at noon?", "nlu_fallback", True),
        ("Could you try for 10:45 with Dr. Ames?", "out_of_scope", True),
        ("would Thursday the 9th work?", "help", True),
        # questions that propose nothing stay questions
        ("what time does the bank close tomorrow?", "out_of_scope", False),
        ("who won the game on saturday?", "out_of_scope", False),
        ("are you open on saturday?", "ask_business", False),
    ],
)
def test_values_answer_the_form_whatever_the_intent(text: str, intent: str, answers: bool) -> None:
    start = len(text) - 8
    if "afternoon" in text:
        entity = time_entity(
            "Friday afternoon",
            "2026-11-27T12:00:00.000+00:00",
            start=14,
            interval=("2026-11-27T12:00:00.000+00:00", "2026-11-27T18:00:00.000+00:00"),
        )
    else:
        entity = time_entity(text[start:], "2026-11-25T15:30:00.000+00:00", start=start)
    entities = [] if text == "hello" else [entity]
    tracker = make_tracker(text, intent=intent, entities=entities, slots={})
    assert answers_form(tracker) is answers


def test_the_place_of_an_answer() -> None:
    tracker = make_tracker(
        "coffee with the landlord at 2250 Oak Street",
        intent="out_of_scope",
        slots={"requested_slot": "event_title"},
    )
    answer = read_title(tracker)
    assert (answer.title, answer.location) == ("Coffee with the landlord", "2250 Oak Street")


def test_a_typed_pick_among_offered_times() -> None:
    offered = ["2026-11-27T13:00:00+00:00", "2026-11-27T14:30:00+00:00"]
    tracker = make_tracker("the second one", slots={"offered_times": offered})
    assert picked_start(tracker) == datetime(2026, 11, 27, 14, 30, tzinfo=timezone.utc)
    assert picked_start(make_tracker("the second one", slots={})) is None
    assert picked_start(make_tracker("the third one", slots={"offered_times": offered})) is None


def test_the_day_said_earlier_in_the_session() -> None:
    friday = time_entity("on Friday", "2026-11-27T00:00:00.000+00:00", grain="day", start=10)
    tracker = make_tracker(
        "book a haircut at 3",
        earlier=[("what's on Friday?", [friday]), ("thanks", [])],
    )
    assert day_said_earlier(tracker) == date(2026, 11, 27)


def test_a_bare_time_said_earlier_names_no_day() -> None:
    three = time_entity("at 3", "2026-11-24T15:00:00.000+00:00", grain="hour")
    tracker = make_tracker("at 4 then", earlier=[("at 3", [three])])
    assert day_said_earlier(tracker) is None
    assert day_said_earlier(make_tracker("at 4")) is None


def test_a_complete_new_request_mid_form() -> None:
    filled = {
        "event_title": "Haircut",
        "event_date": "2026-11-25",
        "requested_slot": "event_duration",
    }
    entities = [
        title_entity("massage", start=15),
        time_entity("on friday at 4", "2026-11-27T16:00:00.000+00:00", start=23),
    ]
    new = make_tracker(
        "actually book a massage on friday at 4",
        intent="schedule_event",
        entities=entities,
        slots=filled,
    )
    assert is_new_request(new)
    unsure = make_tracker(
        "actually book a massage on friday at 4",
        intent="schedule_event",
        entities=entities,
        slots=filled,
        confidence=0.4,
    )
    assert not is_new_request(unsure)
    same = make_tracker(
        "haircut on friday at 4",
        intent="schedule_event",
        entities=[title_entity("haircut"), entities[1]],
        slots=filled,
    )
    assert not is_new_request(same)


def test_a_request_the_model_tagged_no_title_for_gives_its_noun_phrase() -> None:
    tracker = make_tracker(
        "I think I might be ill and need to visit a GP", intent="schedule_event", entities=[]
    )
    assert read_title(tracker).title == "GP"
    other = make_tracker("I need to visit a GP", intent="out_of_scope", entities=[])
    assert read_title(other).title is None  # not a booking request: no title from grammar


def test_asked_for_the_title_a_finding_question_gives_what_it_looks_for() -> None:
    tracker = make_tracker(
        "Can you find me a good osteopath?",
        intent="out_of_scope",
        entities=[],
        slots={"requested_slot": "event_title"},
    )
    assert read_title(tracker).title == "Osteopath"
    question = make_tracker(
        "what's the weather like?",
        intent="out_of_scope",
        entities=[],
        slots={"requested_slot": "event_title"},
    )
    assert read_title(question).title is None
