"""free_time_offers: the time question offers a window's free times; picks can be typed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.executor import CollectingDispatcher

from actions.calendar_changes import ActionShowAgenda
from actions.free_time_offers import ActionAskEventTime, describe_day
from actions.time_windows import TimeWindow
from tests.actions.factories import make_tracker, time_entity

LONDON = ZoneInfo("Europe/London")


def _wednesday_next_week() -> datetime:
    today = datetime.now(LONDON).date()
    day = today + timedelta(days=7 - today.weekday() + 2)
    return datetime(day.year, day.month, day.day, tzinfo=LONDON)


async def _run(action: Any, tracker: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return events, dispatcher.messages


def test_describe_day() -> None:
    window = TimeWindow(datetime(2026, 12, 11).date(), None, None, "Friday afternoon")
    assert describe_day(window) == "Fri 11 Dec (Friday afternoon)"


async def test_the_time_question_offers_the_window(db_settings: str) -> None:
    day = _wednesday_next_week()
    window = TimeWindow(day.date(), day.replace(hour=12), day.replace(hour=18), "afternoon")
    tracker = make_tracker(
        "wednesday afternoon",
        slots={"event_date": day.date().isoformat(), "time_window": window.to_slot()},
    )
    events, said = await _run(ActionAskEventTime(), tracker)
    buttons = said[0]["buttons"]
    assert said[0]["text"].startswith("These times are free on") and 1 <= len(buttons) <= 3
    offered = events[0]["value"]
    assert events[0]["name"] == "offered_times" and len(offered) == len(buttons)
    assert all(12 <= datetime.fromisoformat(s).astimezone(LONDON).hour < 18 for s in offered)
    assert all('"time"' in b["payload"] and b["payload"].startswith("/inform") for b in buttons)


async def test_without_a_window_the_question_is_plain(db_settings: str) -> None:
    events, said = await _run(ActionAskEventTime(), make_tracker("x", slots={}))
    assert events == [] and said[0]["response"] == "utter_ask_event_time"


async def test_an_availability_question_gets_free_times(db_settings: str) -> None:
    day = _wednesday_next_week()
    entity = time_entity(f"on {day:%A}", day.isoformat(), grain="day", start=14)
    tracker = make_tracker(
        f"anything free on {day:%A}?", intent="check_availability", entities=[entity],
        active_loop=None,
    )  # fmt: skip
    events, said = await _run(ActionShowAgenda(), tracker)
    assert said[0]["buttons"] and events[0]["name"] == "offered_times"
    assert "Pick one to book it." in said[0]["text"]


async def test_next_week_is_a_week_of_bookings(db_settings: str) -> None:
    monday = _wednesday_next_week() - timedelta(days=2)
    entity = {
        "entity": "time", "text": "next week", "start": 10, "end": 19,
        "value": monday.isoformat(),
        "additional_info": {"type": "value", "grain": "week", "value": monday.isoformat()},
    }  # fmt: skip
    tracker = make_tracker(
        "what's on next week", intent="check_availability", entities=[entity], active_loop=None
    )
    _, said = await _run(ActionShowAgenda(), tracker)
    sunday = monday + timedelta(days=6)
    assert said[0]["text"] == (
        f"You have nothing booked on {monday:%a} {monday.day} {monday:%b} - "
        f"{sunday:%a} {sunday.day} {sunday:%b}."
    )
