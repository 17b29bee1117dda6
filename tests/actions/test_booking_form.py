"""validate_booking_form: extraction from entities and the validation rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.booking_form import ValidateBookingForm
from tests.actions.factories import duration_entity, make_tracker, time_entity, title_entity

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)  # a Tuesday, GMT
DOMAIN: dict[str, Any] = {
    "forms": {
        "booking_form": {
            "required_slots": ["event_title", "event_date", "event_time", "event_duration"]
        }
    },
    "slots": {},
}


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(context, "utc_now", lambda: NOW)
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/London")
    yield


async def run_form(tracker: Any) -> tuple[dict[str, Any], list[str]]:
    """Run the validation action; return the slots it set and the responses it uttered."""
    dispatcher = CollectingDispatcher()
    events = await ValidateBookingForm().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return slots, [m.get("response") or m.get("text") for m in dispatcher.messages]


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


async def test_bare_day_leaves_the_time_to_ask() -> None:
    tracker = make_tracker(
        "tomorrow",
        entities=[time_entity("tomorrow", "2026-11-25T00:00:00.000+00:00", grain="day")],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert slots.get("event_date") == "2026-11-25"
    assert "event_time" not in slots


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


async def test_bare_hour_is_read_as_business_hours_and_noted() -> None:
    entity = time_entity("at 5", "2026-11-24T17:00:00.000+00:00", meridiem_assumed=True)
    tracker = make_tracker(
        "at 5",
        entities=[entity],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "requested_slot": "event_time",
        },
    )
    slots, _ = await run_form(tracker)
    assert slots["event_time"] == "17:00"
    assert "17:00" in slots["booking_note"]


async def test_interval_fills_time_and_duration() -> None:
    entity = time_entity(
        "from 3 to 4:30pm",
        "2026-11-25T15:00:00.000+00:00",
        grain="minute",
        interval=("2026-11-25T15:00:00.000+00:00", "2026-11-25T16:30:00.000+00:00"),
    )
    tracker = make_tracker(
        "from 3 to 4:30pm",
        entities=[entity],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "requested_slot": "event_time",
        },
    )
    slots, _ = await run_form(tracker)
    assert (slots["event_time"], slots["event_duration"]) == ("15:00", 90.0)


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


async def test_change_of_time_keeps_the_chosen_day() -> None:
    # At confirmation: "change the time to 4pm"; 4pm resolves to today, the day stays.
    tracker = make_tracker(
        "change the time to 4pm",
        intent="change_booking",
        entities=[time_entity("4pm", "2026-11-24T16:00:00.000+00:00", start=19)],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-27",
            "event_time": "15:00",
            "event_duration": 45.0,
        },
    )
    slots, _ = await run_form(tracker)
    assert slots["event_time"] == "16:00"
    assert slots.get("event_date", "2026-11-27") == "2026-11-27"


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


async def test_a_part_of_day_keeps_the_day_and_asks_for_a_time_in_it() -> None:
    entity = time_entity(
        "friday afternoon",
        "2026-11-27T12:00:00.000+00:00",
        interval=("2026-11-27T12:00:00.000+00:00", "2026-11-27T18:00:00.000+00:00"),
    )
    entity["additional_info"]["to"] = "2026-11-27T19:00:00.000+00:00"
    tracker = make_tracker(
        "friday afternoon",
        entities=[entity],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert slots["event_date"] == "2026-11-27"
    assert slots["event_time"] is None
    assert slots["time_window"]["phrase"] == "friday afternoon"
    assert "event_duration" not in slots


async def test_a_typed_pick_fills_day_and_time() -> None:
    tracker = make_tracker(
        "the second one",
        intent="affirm",
        slots={
            "event_title": "Haircut",
            "requested_slot": "event_time",
            "offered_times": ["2026-11-27T13:00:00+00:00", "2026-11-27T14:30:00+00:00"],
        },
    )
    slots, _ = await run_form(tracker)
    assert (slots["event_date"], slots["event_time"]) == ("2026-11-27", "14:30")


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


async def test_a_bare_time_takes_the_day_said_earlier() -> None:
    friday = time_entity("Friday", "2026-11-27T00:00:00.000+00:00", grain="day", start=10)
    tracker = make_tracker(
        "a haircut at 3pm",
        intent="schedule_event",
        entities=[
            title_entity("haircut", start=2),
            time_entity("at 3pm", "2026-11-24T15:00:00.000+00:00", start=10),
        ],
        earlier=[("what's on Friday?", [friday])],
    )
    slots, _ = await run_form(tracker)
    assert (slots["event_date"], slots["event_time"]) == ("2026-11-27", "15:00")


async def test_an_availability_question_mid_form_moves_to_its_window() -> None:
    entity = time_entity(
        "Friday afternoon",
        "2026-11-27T12:00:00.000+00:00",
        start=14,
        interval=("2026-11-27T12:00:00.000+00:00", "2026-11-27T18:00:00.000+00:00"),
    )
    tracker = make_tracker(
        "anything free Friday afternoon?",
        intent="check_availability",
        entities=[entity],
        slots={
            "event_title": "Haircut",
            "event_date": "2026-11-25",
            "event_time": "10:00",
            "requested_slot": "event_duration",
        },
    )
    slots, said = await run_form(tracker)
    assert (slots["event_date"], slots["event_time"]) == ("2026-11-27", None)
    assert slots["time_window"]["phrase"] == "Friday afternoon" and said == []
    assert "event_duration" not in slots  # not a 6-hour booking


async def test_an_availability_question_about_a_day_offers_the_whole_day() -> None:
    entity = time_entity("on the 27th", "2026-11-27T00:00:00.000+00:00", grain="day", start=22)
    tracker = make_tracker(
        "is there an opening on the 27th?",
        intent="check_availability",
        entities=[entity],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert slots["event_date"] == "2026-11-27"
    assert slots["time_window"] == {
        "day": "2026-11-27", "from": None, "to": None, "phrase": ""
    }  # fmt: skip


async def test_a_day_and_a_time_said_apart_in_one_message() -> None:
    text = "book it on the 27th. Is there an opening at 13:00?"
    tracker = make_tracker(
        text,
        intent="schedule_event",
        entities=[
            time_entity("on the 27th", "2026-11-27T00:00:00.000+00:00", grain="day", start=8),
            time_entity("at 13:00", "2026-11-24T13:00:00.000+00:00", grain="minute", start=41),
        ],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert (slots["event_date"], slots["event_time"]) == ("2026-11-27", "13:00")


@pytest.mark.parametrize(
    ("phrase", "day"),
    [
        # Said at 12:00 on a Tuesday: today would be possible, but the customer named no day,
        # and a booking on a day never said costs more than one question.
        ("at 3pm", None),
        ("half past 4 in the afternoon", None),
        ("3 o'clock in the afternoon", None),
        # words that pin today or now fill the day
        ("this afternoon at 3", "2026-11-24"),
        ("in 3 hours", "2026-11-24"),
        ("later at 3pm", "2026-11-24"),
    ],
)
async def test_a_bare_time_fills_the_day_only_when_words_fix_it(
    phrase: str, day: str | None
) -> None:
    tracker = make_tracker(
        f"book a haircut {phrase}",
        intent="schedule_event",
        entities=[time_entity(phrase, "2026-11-24T15:00:00.000+00:00", start=15)],
        slots={"event_title": "Haircut"},
    )
    slots, _ = await run_form(tracker)
    assert slots.get("event_time") == "15:00"
    assert slots.get("event_date") == day


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
