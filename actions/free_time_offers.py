"""Offer the free times inside a window as buttons: asked for the time, or asked "anything free?".

The form asks "What time should it start?" through `action_ask_event_time`: when the customer
named a window ("Friday afternoon", "after 4pm"), the free times in it come as buttons. The
same offer answers an availability question, in the form or outside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.confirmation import service_slot, slot_button
from actions.context import channel_name, now_in, platform_user_id, tenant_slug, tenant_timezone
from actions.time_windows import TimeWindow, window_from_slot

logger = logging.getLogger(__name__)
#: Length offered when the customer has not said how long yet.
DEFAULT_OFFER_MINUTES = 30


def describe_day(window: TimeWindow) -> str:
    """ "Fri 11 Dec", with the customer's own words for the part of the day when they add any."""
    label = f"{window.day:%a} {window.day.day} {window.day:%b}"
    words = window.phrase.strip()
    return f"{label} ({words})" if words else label


async def offer_free_times(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    window: TimeWindow,
    *,
    follow_up: str,
) -> list[str]:
    """Say which times are free in the window, as buttons; the starts offered (ISO), if any."""
    from booking_core.free_times import free_times  # lazy: no I/O set-up at import

    zone_name = tenant_timezone(tracker)
    zone = time_slots.tz_of(zone_name)
    start, end = window.bounds(zone)
    minutes = tracker.get_slot("event_duration") or DEFAULT_OFFER_MINUTES
    try:
        found = await asyncio.to_thread(
            free_times,
            tenant_slug=tenant_slug(tracker),
            channel=channel_name(tracker),
            platform_user_id=platform_user_id(tracker),
            start=start,
            end=end,
            duration=timedelta(minutes=float(minutes)),
            now=now_in(tracker),
            service_id=(service_slot(tracker) or {}).get("id"),
        )
    except Exception:  # offering is advice: the question is still asked
        logger.exception("free times failed for %s", tracker.sender_id)
        return []
    label = describe_day(window)
    if not found.slots:
        dispatcher.utter_message(text=f"Nothing is free on {label}.")
        return []
    buttons = [slot_button(slot.start, zone_name) for slot in found.slots]
    dispatcher.utter_message(text=f"These times are free on {label}. {follow_up}", buttons=buttons)
    return offered_starts(slot.start for slot in found.slots)


def offered_starts(starts: Iterable[datetime]) -> list[str]:
    """The `offered_times` slot's value: the starts offered, in order, so "the second one"
    can be read back (actions/option_picks.py)."""
    return [start.isoformat(timespec="seconds") for start in starts]


class ActionAskEventTime(Action):
    """The form's time question, with the free times of the window the customer named."""

    def name(self) -> str:
        """The action name Rasa calls (forms call `action_ask_<slot>` when it exists)."""
        return "action_ask_event_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Offer the window's free times, else ask plainly."""
        window = window_from_slot(
            tracker.get_slot("time_window"), time_slots.tz_of(tenant_timezone(tracker))
        )
        if window is not None and tracker.get_slot("event_date") == window.day.isoformat():
            follow_up = "Pick one, or tell me another time."
            offered = await offer_free_times(dispatcher, tracker, window, follow_up=follow_up)
            if offered:
                return [SlotSet("offered_times", offered)]
        dispatcher.utter_message(response="utter_ask_event_time")
        return []
