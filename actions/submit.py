"""`action_submit_booking`: the confirmed request becomes a calendar event."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.confirmation import reset_booking_events
from actions.context import channel_name, message_metadata, tenant_slug, tenant_timezone

logger = logging.getLogger(__name__)


class ActionSubmitBooking(Action):
    """Write the event through the booking service and answer with its link."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Book in a worker thread (database and provider I/O never block the event loop)."""
        from booking_core.booking import book_event  # lazy: no I/O set-up at import

        title = tracker.get_slot("event_title")
        day = tracker.get_slot("event_date")
        start = tracker.get_slot("event_time")
        minutes = tracker.get_slot("event_duration")
        if not (title and day and start and minutes):
            dispatcher.utter_message(response="utter_nothing_to_confirm")
            return [SlotSet("awaiting_confirmation", False)]
        zone_name = tenant_timezone(tracker)
        begin, end = time_slots.booking_window(
            day, start, float(minutes), time_slots.tz_of(zone_name)
        )
        metadata = message_metadata(tracker)
        try:
            result = await asyncio.to_thread(
                book_event,
                tenant_slug=tenant_slug(tracker),
                channel=channel_name(tracker),
                platform_user_id=str(metadata.get("platform_user_id") or tracker.sender_id),
                display_name=metadata.get("display_name"),
                title=title,
                start=begin,
                end=end,
                timezone=zone_name,
            )
        except Exception:  # the user must hear about any failure; details go to the log
            logger.exception("booking failed for sender %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_booking_failed")
            return []
        when = time_slots.describe_window(begin, end, zone_name)
        text = f"Booked: {title}, {when}."
        if result.link:
            text += f" Add it to your calendar: {result.link}"
        dispatcher.utter_message(text=text)
        return reset_booking_events()
