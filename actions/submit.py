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
from actions.confirmation import reset_booking_events, service_slot
from actions.context import (
    channel_name,
    message_metadata,
    platform_user_id,
    tenant_slug,
    tenant_timezone,
)

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
        from booking_core.booking import CONFIRMED, submit_booking  # lazy: no I/O at import

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
            outcome = await asyncio.to_thread(
                submit_booking,
                tenant_slug=tenant_slug(tracker),
                channel=channel_name(tracker),
                platform_user_id=platform_user_id(tracker),
                display_name=metadata.get("display_name"),
                title=title,
                start=begin,
                end=end,
                timezone=zone_name,
                location=tracker.get_slot("location"),
                service_id=(service_slot(tracker) or {}).get("id"),
            )
        except Exception:  # the user must hear about any failure; details go to the log
            logger.exception("booking failed for sender %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_booking_failed")
            return []
        when = time_slots.describe_window(begin, end, zone_name)
        if not outcome.saved:
            logger.warning("calendar refused booking %s: %s", outcome.booking.uid, outcome.error)
            dispatcher.utter_message(response="utter_booking_refused")
            return reset_booking_events()
        if outcome.outcome == CONFIRMED:
            text = f"Booked: {title}, {when}."
            if outcome.booking.link:
                text += f" Add it to your calendar: {outcome.booking.link}"
        else:  # deferred or needs_reauth: kept as pending and completed later
            text = (
                f"Your booking is saved: {title}, {when}. The calendar isn't answering right "
                "now, so I'll finish adding it as soon as it is back; nothing else to do."
            )
        dispatcher.utter_message(text=text)
        return reset_booking_events()
