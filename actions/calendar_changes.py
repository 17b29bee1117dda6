"""Existing bookings: reschedule, cancel and "what's on", for the contact's own events only.

Each action turns the message (title hint, new time, chosen event id) into one call of
`booking_core.lookup`, `.availability` or `.changes` in a worker thread and answers from its
result. A change is proposed
first (slot `pending_change`, `awaiting_change = confirm`) and applied on yes.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date, datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.confirmation import clash_message, slot_button
from actions.context import channel_name, now_in, platform_user_id, tenant_slug, tenant_timezone
from actions.free_time_offers import offer_free_times
from actions.time_windows import TimeWindow, asks_for_free_times

logger = logging.getLogger(__name__)
YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def _who(tracker: Tracker) -> dict[str, Any]:
    """The contact the change is scoped to (never anyone else's events)."""
    return {
        "tenant_slug": tenant_slug(tracker),
        "channel": channel_name(tracker),
        "platform_user_id": platform_user_id(tracker),
    }


def _entities(tracker: Tracker) -> list[dict[str, Any]]:
    return list((tracker.latest_message or {}).get("entities") or [])


def _first_value(tracker: Tracker, kind: str) -> Any:
    found = time_slots.entities_of(_entities(tracker), kind)
    return found[0].get("value") if found else None


def _reading(tracker: Tracker) -> time_slots.TimeReading | None:
    zone = time_slots.tz_of(tenant_timezone(tracker))
    readings = [time_slots.read_time_entity(e, zone) for e in _entities(tracker)
                if e.get("entity") == "time"]  # fmt: skip
    usable = [r for r in readings if r is not None]
    return max(usable, key=lambda r: r.start is not None) if usable else None


def describe_event(event: Any) -> str:
    """ "Dentist appointment on Tue 3 Dec, 15:00-15:45"."""
    start = event.start
    return f"{event.title} on {start:%a} {start.day} {start:%b}, {start:%H:%M}-{event.end:%H:%M}"


def choice_buttons(events: list[Any], intent: str, extra: dict[str, Any]) -> list[dict[str, str]]:
    """One button per candidate event; the payload names it by id."""
    buttons = []
    for event in events[:10]:
        payload = json.dumps({"event_id": str(event.event_id), **extra})
        title = f"{event.title[:8].rstrip()} {event.start:%d/%m %H:%M}"  # <= 20 chars
        buttons.append({"title": title, "payload": f"/{intent}{payload}"})
    return buttons


async def _candidates(tracker: Tracker, day: date | None) -> list[Any]:
    """The contact's upcoming events matching the chosen id, the title hint or the day."""
    from booking_core.lookup import find_contact_events

    chosen = _first_value(tracker, "event_id")
    events: list[Any] = await asyncio.to_thread(
        find_contact_events,
        **_who(tracker),
        title_hint=_first_value(tracker, "event_title"),
        day=day,
    )
    if chosen is not None:
        events = [e for e in events if str(e.event_id) == str(chosen)] or events
    return events


def cutoff_message(exc: Any) -> str:
    """The business's cut-off in words, with its contact when it gave one."""
    text = f"Sorry, {exc.reason}."
    if exc.contact:
        text += f" Please contact us directly: {exc.contact}."
    return text


async def late_change(tracker: Tracker, event_id: int) -> str | None:
    """What to say instead of proposing a change the business's cut-off forbids."""
    from booking_core.changes import check_change_allowed
    from booking_core.errors import ChangeCutoffError, EventNotFoundError

    try:
        await asyncio.to_thread(check_change_allowed, **_who(tracker), event_id=event_id)
    except ChangeCutoffError as exc:
        return cutoff_message(exc)
    except EventNotFoundError:
        return None  # the change itself says so
    return None


class ActionFindReschedule(Action):
    """ "Move my dentist appointment to Friday at 10": find it, check the new time, propose."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_find_reschedule"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask which event, or when, or propose the move for a yes."""
        from booking_core.availability import check_availability

        reading = _reading(tracker)
        events = await _candidates(tracker, None)
        if not events:
            dispatcher.utter_message(response="utter_no_matching_booking")
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        new_start = None
        if reading is not None and reading.start is not None and reading.day is not None:
            new_start = time_slots.combine(
                reading.day, reading.start, time_slots.tz_of(tenant_timezone(tracker))
            )
        if len(events) > 1:
            extra = {"time": new_start.isoformat()} if new_start else {}
            dispatcher.utter_message(
                text="Which booking should I move?",
                buttons=choice_buttons(events, "reschedule_event", extra),
            )
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        event = events[0]
        refused = await late_change(tracker, event.event_id)
        if refused:
            dispatcher.utter_message(text=refused)
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        if new_start is None:
            dispatcher.utter_message(
                text=f"To move {describe_event(event)}, tell me the new day and time, e.g. "
                f'"move my {event.title.lower()} to Friday at 10".'
            )
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        new_end = new_start + (event.end - event.start)
        availability = await asyncio.to_thread(
            check_availability,
            **_who(tracker),
            start=new_start,
            end=new_end,
            exclude_event_id=event.event_id,
        )
        change: dict[str, Any] = {"kind": "reschedule", "event_id": event.event_id}
        if not availability.available:
            text = clash_message(availability, event.title)
            zone_name = tenant_timezone(tracker)
            extra = {"event_id": str(event.event_id)}
            buttons = [
                slot_button(slot.start, zone_name, intent="reschedule_event", extra=extra)
                for slot in availability.alternatives
            ]
            text += " These times are free:" if buttons else " Please choose another time."
            dispatcher.utter_message(text=text, buttons=buttons)
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        change.update(start=new_start.isoformat(), end=new_end.isoformat())
        local = new_start.astimezone(time_slots.tz_of(tenant_timezone(tracker)))
        dispatcher.utter_message(
            text=f"Move {describe_event(event)} to {local:%a} {local.day} {local:%b}, "
            f"{local:%H:%M}?",
            buttons=YES_NO,
        )
        return [SlotSet("pending_change", change), SlotSet("awaiting_change", "confirm")]


class ActionFindCancel(Action):
    """ "Cancel my meeting tomorrow": find it and ask for a yes."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_find_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Ask which event, or propose the cancellation for a yes."""
        reading = _reading(tracker)
        events = await _candidates(tracker, reading.day if reading else None)
        if not events:
            dispatcher.utter_message(response="utter_no_matching_booking")
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        if len(events) > 1:
            dispatcher.utter_message(
                text="Which booking should I cancel?",
                buttons=choice_buttons(events, "cancel_event", {}),
            )
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        event = events[0]
        refused = await late_change(tracker, event.event_id)
        if refused:
            dispatcher.utter_message(text=refused)
            return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        dispatcher.utter_message(text=f"Cancel {describe_event(event)}?", buttons=YES_NO)
        change = {"kind": "cancel", "event_id": event.event_id}
        return [SlotSet("pending_change", change), SlotSet("awaiting_change", "confirm")]


class ActionApplyChange(Action):
    """On yes: reschedule or cancel at the provider and in the database."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_apply_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Apply the proposed change and say how it went (done, saved for later, refused)."""
        from booking_core.changes import cancel_event, reschedule_event
        from booking_core.errors import (
            ChangeCutoffError,
            EventNotChangeableError,
            EventNotFoundError,
        )

        change = tracker.get_slot("pending_change") or {}
        reset = [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]
        try:
            if change.get("kind") == "reschedule" and change.get("start"):
                result = await asyncio.to_thread(
                    reschedule_event,
                    **_who(tracker),
                    event_id=int(change["event_id"]),
                    new_start=datetime.fromisoformat(change["start"]),
                    new_end=datetime.fromisoformat(change["end"]),
                )
                done = f"Done: {describe_event(result.event)}."
            elif change.get("kind") == "cancel":
                result = await asyncio.to_thread(
                    cancel_event, **_who(tracker), event_id=int(change["event_id"])
                )
                done = f"Cancelled: {describe_event(result.event)}."
            else:
                dispatcher.utter_message(response="utter_nothing_to_confirm")
                return reset
        except ChangeCutoffError as exc:  # the cut-off passed since the change was proposed
            dispatcher.utter_message(text=cutoff_message(exc))
            return reset
        except (EventNotFoundError, EventNotChangeableError):
            dispatcher.utter_message(response="utter_no_matching_booking")
            return reset
        if not result.saved:
            logger.warning("calendar refused change %s: %s", change, result.error)
            dispatcher.utter_message(response="utter_change_refused")
        elif result.outcome == "done":
            if result.event.link and change.get("kind") == "reschedule":
                done += f" {result.event.link}"
            dispatcher.utter_message(text=done)
        else:
            dispatcher.utter_message(
                text=f"{done} The calendar isn't answering right now; I've saved the change "
                "and will finish it as soon as it is back."
            )
        return reset


class ActionDropChange(Action):
    """No or stop: leave the booking as it was."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_drop_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Forget the proposal."""
        dispatcher.utter_message(response="utter_change_dropped")
        return [SlotSet("pending_change", None), SlotSet("awaiting_change", None)]


class ActionShowAgenda(Action):
    """ "What's on my calendar tomorrow?" / "am I free Friday afternoon?" - own events only."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_show_agenda"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """List the contact's bookings in the asked window (default: today), or, asked
        "anything free on Friday?", the free times in it as buttons."""
        from booking_core.lookup import agenda

        zone = time_slots.tz_of(tenant_timezone(tracker))
        window = self._window(tracker)
        begin, end = window if window else self._whole_day(now_in(tracker).date(), zone)
        text = str((tracker.latest_message or {}).get("text") or "")
        if asks_for_free_times(text):
            asked = TimeWindow(begin.date(), begin, end, "")
            in_form = bool(tracker.active_loop_name)
            follow_up = "Pick one, or answer my question." if in_form else "Pick one to book it."
            offered = await offer_free_times(dispatcher, tracker, asked, follow_up=follow_up)
            return [SlotSet("offered_times", offered)] if offered else []
        result = await asyncio.to_thread(agenda, **_who(tracker), day_start=begin, day_end=end)
        label = f"{begin:%a} {begin.day} {begin:%b}"
        last = end - timedelta(minutes=1)
        if last.date() != begin.date():  # a week: "between Mon 7 Dec and Sun 13 Dec"
            label = f"{label} - {last:%a} {last.day} {last:%b}"
        if not result.events:
            dispatcher.utter_message(text=f"You have nothing booked on {label}.")
            return []
        lines = [f"- {describe_event(e)}" + (" (being saved)" if e.pending else "")
                 for e in result.events]  # fmt: skip
        text = f"Your bookings on {label}:\n" + "\n".join(lines)
        if not result.verified:
            text += "\n(The calendar couldn't be reached just now; this is what I have saved.)"
        dispatcher.utter_message(text=text)
        return []

    @staticmethod
    def _whole_day(day: date, zone: Any) -> tuple[datetime, datetime]:
        begin = time_slots.combine(day, datetime.min.time(), zone)
        return begin, time_slots.combine(day + timedelta(days=1), datetime.min.time(), zone)

    def _window(self, tracker: Tracker) -> tuple[datetime, datetime] | None:
        """A day, or an interval such as "friday afternoon", from the message."""
        zone = time_slots.tz_of(tenant_timezone(tracker))
        for entity in time_slots.entities_of(_entities(tracker), "time"):
            info = entity.get("additional_info") or {}
            if info.get("type") == "interval" and info.get("from") and info.get("to"):
                return (
                    datetime.fromisoformat(str(info["from"])).astimezone(zone),
                    datetime.fromisoformat(str(info["to"])).astimezone(zone),
                )
            if info.get("grain") == "week" and entity.get("value"):  # "what's on next week"
                monday = datetime.fromisoformat(str(entity["value"])).astimezone(zone).date()
                first = max(monday, now_in(tracker).date())
                return self._whole_day(first, zone)[0], self._whole_day(
                    monday + timedelta(days=6), zone
                )[1]
            reading = time_slots.read_time_entity(entity, zone)
            if reading is not None and reading.day is not None:
                return self._whole_day(reading.day, zone)
        return None
