"""`validate_booking_form`: fills and checks title, date, time and duration.

Every slot of the form has a custom mapping: the `extract_*` methods read the latest
message's entities (with the extractor's grain and interval information, which a
from_entity mapping would drop), and the `validate_*` methods apply the business rules
with a clear reason for each refusal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.context import now_in, tenant_timezone
from actions.form_reading import (
    answers_form,
    day_said_earlier,
    is_new_request,
    keeps_title,
    latest,
    picked_start,
    read_title,
)
from actions.service_choice import business_of, reconcile_service, service_said
from actions.time_windows import TimeWindow, asks_for_free_times, window_in

FIELD_SLOTS = {
    "title": "event_title",
    "date": "event_date",
    "time": "event_time",
    "duration": "event_duration",
}
BASE_SLOTS = ["event_title", "event_date", "event_time", "event_duration"]


class ValidateBookingForm(FormValidationAction):
    """Custom extraction and validation for `booking_form`."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "validate_booking_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Ask what to change first when the user said only "change" at confirmation."""
        if tracker.get_slot("change_pending"):
            return ["change_target", *domain_slots]
        return list(domain_slots)

    # ----- extraction -------------------------------------------------------------

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Rasa's validation, then the tenant's services: the title becomes a service (or is
        refused so that they are offered) and the duration follows it."""
        events = list(await super().get_validation_events(dispatcher, tracker, domain))
        return await reconcile_service(events, dispatcher, tracker)

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A complete new request mid-form replaces the pending one: what it leaves out is
        asked again instead of being carried over from the old request."""
        events = list(await super().get_extraction_events(dispatcher, tracker, domain))
        if not is_new_request(tracker):
            return events
        given = {e.get("name") for e in events if e.get("event") == "slot"}
        events += [SlotSet(slot, None) for slot in BASE_SLOTS if slot not in given]
        return events

    def _time_reading(self, tracker: Tracker) -> tuple[time_slots.TimeReading | None, str]:
        _, text, entities = latest(tracker)
        zone = time_slots.tz_of(tenant_timezone(tracker))
        times = time_slots.entities_of(entities, "time")
        readings = [(time_slots.read_time_entity(e, zone), e) for e in times]
        usable = [(r, e) for r, e in readings if r is not None]
        if not usable:
            return None, text
        # Prefer the most specific expression ("tomorrow at 3pm" over a stray "today").
        reading, entity = max(
            usable, key=lambda pair: (pair[0].start is not None, len(str(pair[1].get("text"))))
        )
        return reading, str(entity.get("text") or text)

    def _day_named_apart(self, tracker: Tracker) -> date | None:
        """A day named by another time expression of the same message than the time's."""
        zone = time_slots.tz_of(tenant_timezone(tracker))
        for entity in time_slots.entities_of(latest(tracker)[2], "time"):
            reading = time_slots.read_time_entity(entity, zone)
            phrase = str(entity.get("text") or "")
            if (
                reading
                and reading.day
                and reading.start is None
                and time_slots.mentions_day(phrase)
            ):
                return reading.day
        return None

    async def extract_event_title(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A learned `event_title` entity, or the whole answer when the form asked for it."""
        if keeps_title(tracker):
            return {}
        title = read_title(tracker).title
        if title:
            return {"event_title": title}
        intent, text, _ = latest(tracker)
        if intent in ("schedule_event", "inform") and answers_form(tracker):
            info = await business_of(tracker)  # "haircut tomorrow at 3" with no title tagged
            service = service_said(text, info) if info is not None else None
            if service is not None:
                return {"event_title": service.name}
        return {}

    async def extract_event_date(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The day of a time expression that names one ("tomorrow", "Friday at 3")."""
        chosen = picked_start(tracker)
        if chosen is not None:
            return {"event_date": chosen.strftime(time_slots.DATE_FORMAT)}
        if not answers_form(tracker):
            return {}
        reading, phrase = self._time_reading(tracker)
        window = window_in(latest(tracker)[2], time_slots.tz_of(tenant_timezone(tracker)))
        if (reading is None or reading.day is None) and window is not None:
            return {"event_date": window.day.strftime(time_slots.DATE_FORMAT)}  # "before noon"
        if reading is None or reading.day is None:
            if tracker.get_slot("requested_slot") == "event_date" and not latest(tracker)[
                1
            ].startswith("/"):
                dispatcher.utter_message(response="utter_date_not_understood")
                return {"event_date": None}
            return {}
        from_button = latest(tracker)[1].startswith("/")  # a payload carries a full instant
        names_no_day = (
            reading.start is not None
            and not from_button
            and not time_slots.mentions_day(phrase)
            and not time_slots.fixes_day(phrase)
        )
        # "at 4pm" names no day: keep the day already chosen; with none chosen yet, the day
        # named earlier in the conversation ("what's on Friday?" ... "book 3pm"), else ask:
        # a booking on a day the customer never said is worse than one more question.
        if names_no_day:
            said_too = self._day_named_apart(tracker)
            if said_too is not None:  # "on the 10th. Is there an opening at 13:00?"
                return {"event_date": said_too.strftime(time_slots.DATE_FORMAT)}
            if tracker.get_slot("event_date"):
                return {}
            earlier = day_said_earlier(tracker)
            if earlier is not None:
                return {"event_date": earlier.strftime(time_slots.DATE_FORMAT)}
            return {}
        return {"event_date": reading.day.strftime(time_slots.DATE_FORMAT)}

    async def extract_event_time(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The start time; an interval ("3 to 4:30pm") also sets the duration."""
        chosen = picked_start(tracker)
        if chosen is not None:
            return {"event_time": chosen.strftime(time_slots.TIME_FORMAT)}
        if not answers_form(tracker):
            return {}
        _, text, entities = latest(tracker)
        if window_in(entities, time_slots.tz_of(tenant_timezone(tracker))) is not None:
            # "Friday afternoon", "after 4pm": a window to choose in (validate_event_time
            # keeps it and action_ask_event_time offers its free times), not a start.
            return {"event_time": None}
        reading, _ = self._time_reading(tracker)
        if reading is None or reading.start is None:
            if tracker.get_slot("requested_slot") == "event_time":
                if time_slots.looks_like_impossible_time(text):
                    dispatcher.utter_message(response="utter_time_invalid")
                    return {"event_time": None}
                if reading is None and not text.startswith("/"):
                    dispatcher.utter_message(response="utter_time_not_understood")
                    return {"event_time": None}
            return {}
        slots: dict[str, Any] = {"event_time": reading.start.strftime(time_slots.TIME_FORMAT)}
        if reading.duration_minutes and not time_slots.entities_of(entities, "duration"):
            slots["event_duration"] = float(reading.duration_minutes)
        return slots

    async def extract_event_duration(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Minutes from a `duration` entity (or a duration button)."""
        if not answers_form(tracker):
            return {}
        _, text, entities = latest(tracker)
        durations = time_slots.entities_of(entities, "duration")
        minutes = next(
            (m for m in (time_slots.duration_minutes(d) for d in durations) if m is not None),
            None,
        )
        if minutes is not None:
            return {"event_duration": float(minutes)}
        if tracker.get_slot("requested_slot") == "event_duration":
            reading, _ = self._time_reading(tracker)
            if reading is None or reading.duration_minutes is None:
                if not text.startswith("/"):
                    dispatcher.utter_message(response="utter_duration_not_understood")
                return {"event_duration": None}
        return {}

    async def extract_change_target(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Which part the user wants to change, or "value" when they gave a new value."""
        if tracker.get_slot("requested_slot") != "change_target" or not answers_form(tracker):
            return {}
        _, _, entities = latest(tracker)
        fields = time_slots.entities_of(entities, "booking_field")
        if fields:
            return {"change_target": str(fields[0].get("value"))}
        if any(e.get("entity") in {"time", "duration", "event_title"} for e in entities):
            return {"change_target": "value"}
        return {}

    # ----- validation -------------------------------------------------------------

    def validate_change_target(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Clear the slot to change so that the form asks for it again."""
        slots: dict[str, Any] = {"change_target": value, "change_pending": False}
        slot = FIELD_SLOTS.get(str(value))
        if slot:
            slots[slot] = None
        return slots

    def validate_event_title(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A short, non-empty title; the place said with it fills `location`."""
        if not value or not isinstance(value, str) or len(value) > 80:
            dispatcher.utter_message(response="utter_title_invalid")
            return {"event_title": None}
        # Only validate_* results reach the tracker for slots outside the form.
        return {"event_title": value, "location": read_title(tracker).location}

    def validate_event_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Not in the past, not more than a year ahead."""
        if value is None:
            return {"event_date": None}
        try:
            day = time_slots.parse_day(str(value))
        except ValueError:
            return {"event_date": None}
        now = now_in(tracker)
        problem = time_slots.check_day(day, now.date())
        if problem:
            dispatcher.utter_message(response=problem)
            return {"event_date": None}
        cleared = self._check_start(tracker, day=day)
        if cleared:
            dispatcher.utter_message(response="utter_time_in_past")
        slots: dict[str, Any] = {"event_date": value, **cleared}
        intent, text, entities = latest(tracker)
        zone = time_slots.tz_of(tenant_timezone(tracker))
        if (intent == "check_availability" or asks_for_free_times(text)) and window_in(
            entities, zone
        ) is None:
            # "Is there anything on the 5th?": the time question offers the day's free times.
            slots["time_window"] = TimeWindow(day, None, None, "").to_slot()
        return slots

    def validate_event_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A real time of day, not already past on the chosen day."""
        if value is None:
            window = window_in(latest(tracker)[2], time_slots.tz_of(tenant_timezone(tracker)))
            return {"event_time": None, "time_window": window.to_slot() if window else None}
        try:
            time_slots.parse_start(str(value))
        except ValueError:
            dispatcher.utter_message(response="utter_time_invalid")
            return {"event_time": None}
        result = self._check_start(tracker, start=str(value))
        if result.get("event_time", value) is None:
            dispatcher.utter_message(response="utter_time_in_past")
            return {"event_time": None, "booking_note": None}
        # Only validate_* results reach the tracker for slots outside the form, so the
        # note about an assumed am/pm is set here rather than during extraction.
        reading, _ = self._time_reading(tracker)
        assumed = bool(
            reading
            and reading.meridiem_assumed
            and reading.start
            and reading.start.strftime(time_slots.TIME_FORMAT) == value
        )
        note = (
            f'I took that as {value}; say "change the time" if you meant otherwise.'
            if assumed
            else None
        )
        return {"event_time": value, "booking_note": note, "time_window": None}

    def validate_event_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Between 5 minutes and 12 hours."""
        if value is None:
            return {"event_duration": None}
        try:
            minutes = float(value)
        except (TypeError, ValueError):
            return {"event_duration": None}
        problem = time_slots.check_duration(minutes)
        if problem:
            dispatcher.utter_message(response=problem)
            return {"event_duration": None}
        return {"event_duration": minutes}

    def _check_start(
        self, tracker: Tracker, *, day: Any = None, start: str | None = None
    ) -> dict[str, Any]:
        """Clear the time when day + time is already past (checked whichever came last)."""
        day_value = day or tracker.get_slot("event_date")
        start_value = start or tracker.get_slot("event_time")
        if not day_value or not start_value:
            return {}
        try:
            the_day = (
                day_value if not isinstance(day_value, str) else time_slots.parse_day(day_value)
            )
            the_start = time_slots.parse_start(str(start_value))
        except ValueError:
            return {}
        zone = time_slots.tz_of(tenant_timezone(tracker))
        now: datetime = now_in(tracker)
        if time_slots.check_start(the_day, the_start, zone, now):
            return {"event_time": None}
        return {}
