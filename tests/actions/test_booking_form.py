"""validate_booking_form: extraction from entities and the validation rules (past or impossible
days and times, durations, titles, changes and new requests mid-form).

How days and times are read (bare days and hours, parts of day, picks, days said earlier or apart)
is in test_booking_form_times.py.
"""

from __future__ import annotations

import pytest

from tests.actions.factories import (
    duration_entity,
    fixed_clock,  # noqa: F401  (autouse: the clock stands at NOW, a Tuesday noon in London)
    make_tracker,
    run_form,
    time_entity,
    title_entity,
)


async def test_all_in_one_message_fills_every_slot() -> None:
    text = "book a dentist appointment tomorrow at 3pm for 45 minutes"
    tracker = make_tracker(
        text,
        intent="schedule_event",
        entities=[
            title_entity("dentist appointment", start=7),
            time_entity("tomorrow at 3pm", "2026-11-25T15:00:00.000+00:00", start=27),
            duration_entity("45 minutes", 2700, start=47),
        ],
    )
    slots, said = await run_form(tracker)
    assert slots == {
        "event_title": "Dentist appointment",
        "event_date": "2026-11-25",
        "event_time": "15:00",
        "event_duration": 45.0,
        "booking_note": None,
        "location": None,
        "time_window": None,
    }
    assert said == []


async def test_past_date_is_refused_with_a_reason() -> None:
    tracker = make_tracker(
        "last monday",
        entities=[time_entity("last monday", "2026-11-16T00:00:00.000+00:00", grain="day")],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, said = await run_form(tracker)
    assert slots["event_date"] is None
    assert said == ["utter_date_in_past"]


async def test_time_already_past_today_is_refused() -> None:
    tracker = make_tracker(
        "today at 9am",
        entities=[time_entity("today at 9am", "2026-11-24T09:00:00.000+00:00")],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, said = await run_form(tracker)
    assert slots["event_date"] == "2026-11-24"
    assert slots["event_time"] is None
    assert "utter_time_in_past" in said


async def test_impossible_time_gets_a_reason() -> None:
    tracker = make_tracker(
        "at 25:00",
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "requested_slot": "event_time",
        },
    )
    slots, said = await run_form(tracker)
    assert slots == {"event_time": None, "time_window": None}
    assert said == ["utter_time_invalid"]


@pytest.mark.parametrize(
    ("seconds", "ok"), [(240, False), (300, True), (43200, True), (43260, False)]
)
async def test_duration_limits(seconds: int, ok: bool) -> None:
    tracker = make_tracker(
        "x",
        entities=[duration_entity("x", seconds)],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "event_time": "15:00",
            "requested_slot": "event_duration",
        },
    )
    slots, said = await run_form(tracker)
    if ok:
        assert slots["event_duration"] == seconds / 60 and said == []
    else:
        assert slots["event_duration"] is None and said == ["utter_duration_out_of_range"]


async def test_duration_button_payload() -> None:
    tracker = make_tracker(
        '/inform{"duration": 1800}',
        entities=[{"entity": "duration", "value": 1800}],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "event_time": "15:00",
            "requested_slot": "event_duration",
        },
    )
    slots, said = await run_form(tracker)
    assert slots["event_duration"] == 30.0 and said == []


async def test_title_from_free_text_when_asked() -> None:
    tracker = make_tracker("a beard trim please", slots={"requested_slot": "event_title"})
    slots, _ = await run_form(tracker)
    assert slots["event_title"] == "Beard trim"


async def test_bare_change_asks_what_to_change_then_clears_it() -> None:
    filled = {
        "event_title": "Haircut",
        "event_date": "2026-11-27",
        "event_time": "15:00",
        "event_duration": 45.0,
        "change_pending": True,
        "requested_slot": "change_target",
    }
    tracker = make_tracker(
        "the date",
        intent="change_booking",
        entities=[{"entity": "booking_field", "value": "date", "start": 4, "end": 8}],
        slots=filled,
    )
    slots, _ = await run_form(tracker)
    assert slots["event_date"] is None
    assert slots["change_pending"] is False
    # The form goes back to the domain's order, so Rasa asks for the cleared date next.
    assert slots.get("requested_slot") in (None, "event_date")


async def test_out_of_scope_messages_are_not_answers() -> None:
    tracker = make_tracker(
        "what's the weather tomorrow",
        intent="out_of_scope",
        entities=[time_entity("tomorrow", "2026-11-25T00:00:00.000+00:00", grain="day")],
        slots={"requested_slot": "event_title"},
    )
    slots, said = await run_form(tracker)
    assert slots == {} and said == []


async def test_a_title_answer_classified_out_of_scope_is_the_title() -> None:
    tracker = make_tracker(
        "Piano recital", intent="out_of_scope", slots={"requested_slot": "event_title"}
    )
    slots, said = await run_form(tracker)
    assert slots["event_title"] == "Piano recital" and said == []


async def test_a_new_request_mid_form_replaces_the_pending_one() -> None:
    tracker = make_tracker(
        "actually book a massage on friday at 4",
        intent="schedule_event",
        entities=[
            title_entity("massage", start=16),
            time_entity("on friday at 4", "2026-11-27T16:00:00.000+00:00", start=24),
        ],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "event_time": "10:00",
            "event_duration": 45.0,
            "requested_slot": "event_duration",
        },
    )
    slots, _ = await run_form(tracker)
    assert slots["event_title"] == "Massage"
    assert (slots["event_date"], slots["event_time"]) == ("2026-11-27", "16:00")
    assert slots["event_duration"] is None  # asked again, not carried over


async def test_a_name_in_an_answer_to_another_question_does_not_rename_the_booking() -> None:
    tracker = make_tracker(
        "on the 26th with Sam Ortiz",
        intent="inform",
        entities=[
            time_entity("on the 26th", "2026-11-26T00:00:00.000+00:00", grain="day"),
            title_entity("with Sam Ortiz", start=12),
        ],
        slots={"event_title": "Dental appointment", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert slots.get("event_date") == "2026-11-26"
    assert slots.get("event_title", "Dental appointment") == "Dental appointment"


async def test_a_change_of_title_still_renames_it() -> None:
    tracker = make_tracker(
        "change the title to team sync",
        intent="change_booking",
        entities=[title_entity("team sync", start=20)],
        slots={"event_title": "Meeting", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert slots.get("event_title") == "Team sync"
