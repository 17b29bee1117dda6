"""validate_booking_form: how days and times are read - bare days and hours, intervals, parts
of day and availability windows, typed picks, and days said earlier or apart from the time.
"""

from __future__ import annotations

import pytest

from tests.actions.factories import (
    fixed_clock,  # noqa: F401  (autouse: the clock stands at NOW, a Tuesday noon in London)
    make_tracker,
    run_form,
    time_entity,
    title_entity,
)


async def test_bare_day_leaves_the_time_to_ask() -> None:
    tracker = make_tracker(
        "tomorrow",
        entities=[time_entity("tomorrow", "2026-11-25T00:00:00.000+00:00", grain="day")],
        slots={"event_title": "Haircut", "requested_slot": "event_date"},
    )
    slots, _ = await run_form(tracker)
    assert slots.get("event_date") == "2026-11-25"
    assert "event_time" not in slots


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
