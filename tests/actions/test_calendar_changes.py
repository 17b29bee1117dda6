"""Reschedule / cancel / agenda actions against the real data layer (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.executor import CollectingDispatcher

from actions.calendar_changes import (
    ActionApplyChange,
    ActionFindCancel,
    ActionFindReschedule,
    ActionShowAgenda,
    choice_buttons,
)
from tests.actions.factories import make_tracker, time_entity, title_entity
from tests.booking_core.factories import book_event

LONDON = ZoneInfo("Europe/London")


def _next_weekday_at(hour: int, weekday: int = 2) -> datetime:
    """A future weekday (default Wednesday next week) at `hour`, inside opening hours."""
    today = datetime.now(LONDON).date()
    day = today + timedelta(days=7 - today.weekday() + weekday)
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _book(sender: str, title: str, start: datetime) -> Any:
    return book_event(
        tenant_slug=None, channel="rest", platform_user_id=sender, display_name=None,
        title=title, start=start, end=start + timedelta(hours=1), timezone="Europe/London",
    )  # fmt: skip


async def _run(action: Any, tracker: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, dispatcher.messages


async def test_reschedule_proposes_then_applies(db_settings: str) -> None:
    start = _next_weekday_at(10)
    _book("erin", "Massage", start)
    new = start + timedelta(hours=4)
    text = "move my massage to 2pm"
    tracker = make_tracker(
        text,
        intent="reschedule_event",
        entities=[title_entity("massage", start=8), time_entity("2pm", new.isoformat(), start=20)],
        sender_id="erin",
    )
    slots, messages = await _run(ActionFindReschedule(), tracker)
    assert slots["awaiting_change"] == "confirm"
    assert messages[0]["text"].startswith("Move Massage") and "14:00" in messages[0]["text"]

    confirm = make_tracker("yes", intent="affirm", slots=slots, sender_id="erin")
    slots, messages = await _run(ActionApplyChange(), confirm)
    assert messages[0]["text"].startswith("Done: Massage") and "14:00-15:00" in messages[0]["text"]
    assert slots == {"pending_change": None, "awaiting_change": None}


async def test_another_contacts_events_are_invisible(db_settings: str) -> None:
    _book("gina", "Facial", _next_weekday_at(11))
    tracker = make_tracker(
        "cancel my facial", intent="cancel_event",
        entities=[title_entity("facial", start=10)], sender_id="harry",
    )  # fmt: skip
    _, messages = await _run(ActionFindCancel(), tracker)
    assert messages[0]["response"] == "utter_no_matching_booking"
    agenda = make_tracker("what's on", intent="check_availability", sender_id="harry")
    _, messages = await _run(ActionShowAgenda(), agenda)
    assert "nothing booked" in messages[0]["text"]


async def test_cancel_after_yes(db_settings: str) -> None:
    start = _next_weekday_at(15, weekday=3)
    _book("ivy", "Piano lesson", start)
    tracker = make_tracker(
        "cancel my piano lesson", intent="cancel_event",
        entities=[title_entity("piano lesson", start=10)], sender_id="ivy",
    )  # fmt: skip
    slots, messages = await _run(ActionFindCancel(), tracker)
    assert messages[0]["text"].startswith("Cancel Piano lesson")
    slots, messages = await _run(
        ActionApplyChange(), make_tracker("yes", intent="affirm", slots=slots, sender_id="ivy")
    )
    assert messages[0]["text"].startswith("Cancelled: Piano lesson")
    day = make_tracker(
        "what's on", intent="check_availability", sender_id="ivy",
        entities=[time_entity("thursday", start.replace(hour=0).isoformat(), grain="day")],
    )  # fmt: skip
    _, messages = await _run(ActionShowAgenda(), day)
    assert "nothing booked" in messages[0]["text"]


async def test_a_late_cancel_is_refused_with_the_business_contact(db_settings: str) -> None:
    from booking_core.db.repository import ensure_default_tenant
    from booking_core.db.session import session_scope

    with session_scope() as session:
        tenant = ensure_default_tenant(session)
        tenant.booking_rules = {"change_cutoff_hours": 24 * 30}
        tenant.phone = "+44 117 496 0000"
    _book("jack", "Haircut", _next_weekday_at(10))
    tracker = make_tracker(
        "cancel my haircut", intent="cancel_event",
        entities=[title_entity("haircut", start=10)], sender_id="jack",
    )  # fmt: skip
    slots, messages = await _run(ActionFindCancel(), tracker)
    assert messages[0]["text"] == (
        "Sorry, bookings can be changed or cancelled only up to 30 days before they start. "
        "Please contact us directly: +44 117 496 0000.")  # fmt: skip
    assert slots == {"pending_change": None, "awaiting_change": None}
    # A change proposed before the rule was set is refused at the yes, the same way.
    proposed = {"pending_change": {"kind": "cancel", "event_id": 1}, "awaiting_change": "confirm"}
    yes = make_tracker("yes", intent="affirm", slots=proposed, sender_id="jack")
    _, messages = await _run(ActionApplyChange(), yes)
    assert messages[0]["text"].startswith("Sorry, bookings can be changed or cancelled")


def test_choice_buttons_fit_platform_limits() -> None:
    class Event:
        event_id = 123456
        title = "A very long appointment title"
        start = datetime(2030, 3, 5, 15, 0, tzinfo=LONDON)

    [button] = choice_buttons([Event()], "reschedule_event", {"time": "2030-03-08T10:00:00+00:00"})
    assert len(button["title"]) <= 20
    assert len(button["payload"].encode()) <= 256
