"""Confirmation step: the summary with Yes / Change / Cancel, changes and stopping."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.booking_form import FIELD_SLOTS
from actions.context import channel_name, platform_user_id, tenant_slug, tenant_timezone

if TYPE_CHECKING:
    from booking_core.availability import Availability

logger = logging.getLogger(__name__)

CONFIRM_BUTTONS = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "Change", "payload": "/change_booking"},
    {"title": "Cancel", "payload": "/stop"},
]
BOOKING_SLOTS = [
    "event_title",
    "event_date",
    "event_time",
    "event_duration",
    "location",
    "time_window",
    "offered_times",
    "change_target",
    "booking_note",
    "service",
]


def reset_booking_events() -> list[EventType]:
    """Events that forget the request (after booking or stopping)."""
    return [
        *(SlotSet(slot, None) for slot in BOOKING_SLOTS),
        SlotSet("change_pending", False),
        SlotSet("awaiting_confirmation", False),
    ]


def booking_summary(tracker: Tracker) -> str | None:
    """ "Dentist appointment, Tue 3 Dec, 15:00-15:45 (Europe/London)", or None if incomplete."""
    title = tracker.get_slot("event_title")
    day = tracker.get_slot("event_date")
    start = tracker.get_slot("event_time")
    minutes = tracker.get_slot("event_duration")
    if not (title and day and start and minutes):
        return None
    zone_name = tenant_timezone(tracker)
    begin, end = time_slots.booking_window(day, start, float(minutes), time_slots.tz_of(zone_name))
    where = tracker.get_slot("location")
    place = f" at {where}" if where else ""
    summary = f"{title}{place}, {time_slots.describe_window(begin, end, zone_name)}"
    price = (service_slot(tracker) or {}).get("price")
    return f"{summary}, {price}" if price else summary


def service_slot(tracker: Tracker) -> dict[str, Any] | None:
    """The tenant's service the request is for (actions.service_choice), if any."""
    service = tracker.get_slot("service")
    return service if isinstance(service, dict) and service.get("id") else None


def slot_button(
    start: datetime,
    zone_name: str,
    *,
    intent: str = "inform",
    extra: dict[str, Any] | None = None,
) -> dict[str, str]:
    """A button proposing another start; the payload's `time` entity is read like a typed one."""
    local = start.astimezone(time_slots.tz_of(zone_name))
    payload = json.dumps({**(extra or {}), "time": local.isoformat(timespec="seconds")})
    return {
        "title": f"{local:%a} {local.day} {local:%b} {local:%H:%M}",
        "payload": f"/{intent}{payload}",
    }


def clash_message(availability: Availability, title: str) -> str:
    """Why the requested time cannot be booked, in one sentence."""
    if availability.in_past:
        return "That time has already passed."
    if availability.refusals:  # a booking rule of the business: say which
        return f"Sorry, {'; '.join(r.reason for r in availability.refusals)}."
    if availability.clashes:
        return f"That time clashes with {', '.join(availability.clashes)}."
    if availability.outside_hours:
        return f"That's outside our opening hours for a {title.lower()}."
    return "That time isn't free."


class ActionConfirmBooking(Action):
    """Check the calendar, then show the summary with Yes / Change / Cancel buttons.

    On a clash it says what clashes and offers up to three nearest free slots of the same
    length as buttons; picking one re-runs the form and comes back here.
    """

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_confirm_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Summarise the request; the rules wait for affirm, deny, change or stop."""
        summary = booking_summary(tracker)
        if summary is None:
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return [SlotSet("awaiting_confirmation", False)]
        availability = await self._availability(tracker)
        if availability is not None and not availability.available:
            zone_name = tenant_timezone(tracker)
            text = clash_message(availability, str(tracker.get_slot("event_title")))
            buttons = [slot_button(slot.start, zone_name) for slot in availability.alternatives]
            if buttons:
                text += " These times are free:"
            else:
                text += " Please choose another time."
            dispatcher.utter_message(text=text, buttons=buttons)
            offered = [s.start.isoformat(timespec="seconds") for s in availability.alternatives]
            return [
                SlotSet("awaiting_confirmation", False),
                SlotSet("offered_times", offered or None),
            ]
        note = tracker.get_slot("booking_note")
        text = f"{summary}. Shall I book it?"
        if note:
            text = f"{summary}. {note} Shall I book it?"
        dispatcher.utter_message(text=text, buttons=CONFIRM_BUTTONS)
        return [SlotSet("awaiting_confirmation", True)]

    async def _availability(self, tracker: Tracker) -> Any:
        """Free/busy for the requested slot; None when it cannot be checked (then book anyway:
        the calendar write itself is idempotent and reports conflicts)."""
        from booking_core.availability import check_availability  # lazy: no I/O set-up at import

        zone_name = tenant_timezone(tracker)
        begin, end = time_slots.booking_window(
            tracker.get_slot("event_date"),
            tracker.get_slot("event_time"),
            float(tracker.get_slot("event_duration")),
            time_slots.tz_of(zone_name),
        )
        try:
            return await asyncio.to_thread(
                check_availability,
                tenant_slug=tenant_slug(tracker),
                channel=channel_name(tracker),
                platform_user_id=platform_user_id(tracker),
                start=begin,
                end=end,
                service_id=(service_slot(tracker) or {}).get("id"),
            )
        except Exception:  # availability is advice; the booking path reports real errors
            logger.exception("availability check failed for %s", tracker.sender_id)
            return None


class ActionPrepareChange(Action):
    """Apply a change asked for at the confirmation step, before the form runs again."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_prepare_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """A named field is cleared (the form asks for it); new values are applied by the form.

        A bare "change" makes the form ask what to change first.
        """
        entities = (tracker.latest_message or {}).get("entities") or []
        events: list[dict[str, Any]] = [
            SlotSet("awaiting_confirmation", False),
            SlotSet("change_target", None),
        ]
        has_value = any(e.get("entity") in {"time", "duration", "event_title"} for e in entities)
        fields = [e.get("value") for e in entities if e.get("entity") == "booking_field"]
        if has_value:
            return events
        slot = FIELD_SLOTS.get(str(fields[0])) if fields else None
        if slot:
            return [*events, SlotSet(slot, None)]
        return [*events, SlotSet("change_pending", True)]


class ActionCancelBooking(Action):
    """Stop: forget the request and say so."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Say that nothing was booked when there was a request, else just acknowledge."""
        had_request = any(tracker.get_slot(slot) for slot in BOOKING_SLOTS[:4])
        dispatcher.utter_message(
            response="utter_booking_stopped" if had_request else "utter_nothing_to_stop"
        )
        return reset_booking_events()
