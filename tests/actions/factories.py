"""Factories for rasa-sdk trackers and extractor entities used by the action tests, and the
booking form runner with its fixed clock (test_booking_form*.py import `fixed_clock`, autouse).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import context, service_choice
from actions.booking_form import ValidateBookingForm
from booking_core import catalog
from booking_core.catalog import BusinessInfo, ServiceInfo
from booking_core.scheduling import parse_business_hours

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)  # a Tuesday, GMT
DOMAIN: dict[str, Any] = {
    "forms": {
        "booking_form": {
            "required_slots": ["event_title", "event_date", "event_time", "event_duration"]
        }
    },
    "slots": {},
}


def time_entity(
    text: str,
    value: str,
    *,
    start: int = 0,
    grain: str = "hour",
    meridiem_assumed: bool = False,
    interval: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A `time` entity shaped as in docs/ARCHITECTURE.md."""
    info: dict[str, Any] = {"type": "value", "grain": grain, "value": value}
    if interval:
        info = {"type": "interval", "grain": grain, "from": interval[0], "end": interval[1]}
    if meridiem_assumed:
        info["meridiem_assumed"] = True
    return {
        "entity": "time",
        "start": start,
        "end": start + len(text),
        "text": text,
        "value": value,
        "additional_info": info,
        "extractor": "TimeEntityExtractor",
    }


def duration_entity(text: str, seconds: int, *, start: int = 0) -> dict[str, Any]:
    """A `duration` entity (value in seconds)."""
    return {
        "entity": "duration",
        "start": start,
        "end": start + len(text),
        "text": text,
        "value": seconds,
        "additional_info": {"normalized": {"value": seconds, "unit": "second"}},
    }


def title_entity(text: str, *, start: int = 0) -> dict[str, Any]:
    """A DIET `event_title` entity."""
    return {"entity": "event_title", "start": start, "end": start + len(text), "value": text}


def make_tracker(
    text: str = "",
    *,
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    sender_id: str = "tester",
    input_channel: str = "rest",
    confidence: float = 0.99,
    earlier: list[tuple[str, list[dict[str, Any]]]] | None = None,
    active_loop: str | None = "booking_form",
) -> Tracker:
    """A tracker whose latest message is `text` with the given parse.

    `earlier`: (text, entities) of user messages before it in the same session, oldest first.
    """
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    events: list[dict[str, Any]] = [{"event": "session_started"}]
    for old_text, old_entities in earlier or []:
        parse = {"text": old_text, "intent": {"name": "inform", "confidence": 0.9},
                 "entities": old_entities}  # fmt: skip
        events += [
            {"event": "action", "name": "action_listen"},
            {
                "event": "user",
                "text": old_text,
                "parse_data": parse,
                "input_channel": input_channel,
            },
            {"event": "bot", "text": "..."},
        ]
    events += [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest, "input_channel": input_channel},
    ]
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def offer_services(monkeypatch: pytest.MonkeyPatch, services: list[ServiceInfo]) -> None:
    """The tenant's catalogue as the actions read it (booking_core.catalog.business_info)."""
    info = BusinessInfo(name="Salon", timezone="Europe/London", hours=parse_business_hours(None),
                        services=tuple(services), address="1 High Street",
                        map_url="https://maps.example/salon", phone="+44 117 496 0000")  # fmt: skip
    monkeypatch.setattr(catalog, "business_info", lambda slug: info)
    service_choice.forget_catalogs()


HAIRCUT = ServiceInfo(1, "Haircut", ("cut", "trim"), 30, price_cents=2500, currency="GBP")
MASSAGE = ServiceInfo(2, "Massage", (), 60, duration_flexible=True, price_cents=5000,
                      currency="GBP")  # fmt: skip
MANICURE = ServiceInfo(3, "Manicure", (), 45)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The clock at NOW, the zone London, and a tenant without services (no database)."""
    monkeypatch.setattr(context, "utc_now", lambda: NOW)
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Europe/London")
    offer_services(monkeypatch, [])
    yield
    service_choice.forget_catalogs()


async def run_form(tracker: Any) -> tuple[dict[str, Any], list[str]]:
    """Run the validation action; return the slots it set and the responses it uttered."""
    dispatcher = CollectingDispatcher()
    events = await ValidateBookingForm().run(dispatcher, tracker, DOMAIN)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return slots, [m.get("response") or m.get("text") for m in dispatcher.messages]
