"""Questions about the business, answered from the tenant's own data with buttons to book:
"how much is a haircut?", "what do you offer?", "how long does a massage take?", "when are
you open (on Saturday)?", "where are you?".

`answer` is pure (the catalogue and the question in, text and buttons out); the action reads
the catalogue (actions.service_choice.business_of) and the day a question names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.context import now_in, tenant_timezone
from actions.form_reading import VALUE_ENTITIES, latest
from actions.service_choice import business_of, service_said
from actions.title_answer import is_question
from booking_core.catalog import BusinessInfo, ServiceInfo
from booking_core.scheduling import OpeningHours
from nlu.business_questions import question_kind

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_BUTTONS = 10


@dataclass(frozen=True)
class Reply:
    """What to say and the buttons to offer."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


def book_button(service: ServiceInfo) -> dict[str, str]:
    """ "Book Haircut": starts the booking with the service as its title."""
    payload = json.dumps({"event_title": service.name})
    return {"title": f"Book {service.name}"[:60], "payload": f"/schedule_event{payload}"}


def _line(service: ServiceInfo) -> str:
    """ "Haircut, 30 minutes, £25.00"."""
    return ", ".join(part for part in (service.name, service.length, service.price) if part)


def _contact(info: BusinessInfo) -> str:
    ways = [way for way in (info.phone, info.email) if way]
    return f" You can reach us at {' or '.join(ways)}." if ways else ""


def _ranges(ranges: tuple[tuple[int, int], ...]) -> str:
    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return " and ".join(f"{hhmm(start)}-{hhmm(end)}" for start, end in ranges)


def describe_hours(hours: OpeningHours) -> str:
    """ "Monday to Friday 09:00-17:00, Saturday 09:00-12:00" (runs of equal days joined)."""
    parts: list[str] = []
    day = 0
    while day < 7:
        ranges = hours.get(day, ())
        last = day
        while last + 1 < 7 and hours.get(last + 1, ()) == ranges:
            last += 1
        if ranges:
            days = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]} to {DAY_NAMES[last]}"
            parts.append(f"{days} {_ranges(ranges)}")
        day = last + 1
    return ", ".join(parts) if parts else "closed every day"


def _services_reply(info: BusinessInfo, opening: str) -> Reply:
    lines = "; ".join(_line(s) for s in info.services)
    buttons = [book_button(s) for s in info.services[:MAX_BUTTONS]]
    return Reply(f"{opening} {lines}.", buttons)


def answer(kind: str, text: str, info: BusinessInfo, day: date | None = None) -> Reply:
    """The reply to a question of one of nlu.business_questions.KINDS about `info`'s business."""
    service = service_said(text, info) if info.services else None
    if kind == "hours":
        if day is not None:
            ranges = info.hours.get(day.weekday(), ())
            name = DAY_NAMES[day.weekday()]
            said = f"We're closed on {name}."
            if ranges:
                said = f"On {name} we're open {_ranges(ranges)}."
            return Reply(f"{said} Our hours: {describe_hours(info.hours)}.")
        return Reply(f"We're open {describe_hours(info.hours)}.")
    if kind == "location":
        if not info.address and not info.map_url:
            return Reply(f"{info.name} hasn't added an address here.{_contact(info)}")
        where = f"We're at {info.address}." if info.address else "Here's where we are:"
        return Reply(f"{where} {info.map_url}" if info.map_url else where)
    if not info.services:
        return Reply(f"I can't tell you about {info.name}'s services here; I can book an "
                     f"appointment for you.{_contact(info)}")  # fmt: skip
    if service is not None:
        if kind == "price":
            text = f"I don't have a price for a {service.name.lower()}.{_contact(info)}"
            if service.price:
                text = f"A {service.name.lower()} is {service.price} ({service.length})."
        elif kind == "duration":
            text = f"A {service.name.lower()} takes {service.length}"
            text += " (you can ask for another length)." if service.duration_flexible else "."
        else:
            text = f"Yes: {_line(service)}."
            if service.description:
                text += f" {service.description}"
        return Reply(text, [book_button(service)])
    if kind == "price":
        return _services_reply(info, "Our prices:")
    if kind == "duration":
        return _services_reply(info, "How long each takes:")
    return _services_reply(info, "We offer:")


def form_value(text: str, intent: str, entities: list[dict[str, Any]]) -> bool:
    """A message carrying a value the form can take (a time, a length, a title) that is not
    put as a question: an answer to the form, whatever the classifier guessed."""
    has_value = any(e.get("entity") in VALUE_ENTITIES for e in entities)
    return has_value and not is_question(text, intent)


class ActionAnswerBusinessQuestion(Action):
    """Answer a question about the business from its own data; inside the booking form the
    rules run the form again after this, so the booking carries on."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_answer_business_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """One answer; a catalogue that cannot be read gets an apology, never silence."""
        intent, text, entities = latest(tracker)
        if tracker.active_loop_name == "booking_form" and form_value(text, intent, entities):
            return []  # "three hours" read as a question: the form takes the value next
        info = await business_of(tracker)
        if info is None:
            dispatcher.utter_message(response="utter_business_info_unavailable")
            return []
        day = None
        zone = time_slots.tz_of(tenant_timezone(tracker))
        for entity in time_slots.entities_of(entities, "time"):
            reading = time_slots.read_time_entity(entity, zone)
            if reading is not None and reading.day is not None:
                day = reading.day
                break
        if day is not None and day < now_in(tracker).date():
            day = None  # "were you open yesterday?" is answered with the hours
        reply = answer(question_kind(text), text, info, day)
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        return []
