"""The tenant's services in the booking form: a request names a service, the service fills the
title and the duration, an unknown request is offered the services as buttons.

A tenant with no services keeps free-text titles. The catalogue is read through
`booking_core.catalog` in a worker thread and kept for a few seconds per tenant, so a form turn
costs no query while an admin's change shows within CATALOG_SECONDS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import time_slots
from actions.context import tenant_slug
from actions.form_reading import latest
from booking_core.catalog import BusinessInfo, ServiceInfo
from booking_core.display import describe_minutes
from nlu.service_match import Offering, best_service, service_matches

logger = logging.getLogger(__name__)

CATALOG_SECONDS = 5.0
#: Buttons offered at most (WhatsApp lists hold 10 rows).
MAX_CHOICES = 10
_catalogs: dict[str | None, tuple[float, BusinessInfo]] = {}


async def business_of(tracker: Tracker) -> BusinessInfo | None:
    """The conversation's tenant with its active services; None when it cannot be read (the
    form then works as for a tenant without services)."""
    from booking_core.catalog import business_info  # lazy: no I/O set-up at import

    slug = tenant_slug(tracker)
    cached = _catalogs.get(slug)
    if cached is not None and time.monotonic() - cached[0] < CATALOG_SECONDS:
        return cached[1]
    try:
        info = await asyncio.to_thread(business_info, slug)
    except Exception:
        logger.exception("could not read the services of tenant %s", slug)
        return None
    _catalogs[slug] = (time.monotonic(), info)
    return info


def forget_catalogs() -> None:
    """Drop the cached catalogues (tests, and after an admin change in-process)."""
    _catalogs.clear()


def _offerings(info: BusinessInfo) -> list[Offering]:
    return [Offering(s.id, s.name, s.synonyms) for s in info.services]


def _by_id(info: BusinessInfo, service_id: int) -> ServiceInfo:
    return next(s for s in info.services if s.id == service_id)


def service_said(text: str | None, info: BusinessInfo) -> ServiceInfo | None:
    """The one service `text` clearly asks for."""
    match = best_service(text or "", _offerings(info))
    return _by_id(info, match.offering.id) if match else None


def service_choices(text: str | None, info: BusinessInfo) -> list[ServiceInfo]:
    """The services `text` may mean (best first), else every service."""
    matches = service_matches(text or "", _offerings(info))
    found = [_by_id(info, m.offering.id) for m in matches]
    return (found or list(info.services))[:MAX_CHOICES]


def service_button(service: ServiceInfo) -> dict[str, str]:
    """A button whose payload is the name itself: read like a typed answer."""
    label = f"{service.name} ({service.price})" if service.price else service.name
    return {"title": label[:60], "payload": service.name}


def _explicit_minutes(tracker: Tracker) -> float | None:
    """The duration the customer said in this message ("for 45 minutes", "3 to 4:30")."""
    _, _, entities = latest(tracker)
    for entity in time_slots.entities_of(entities, "duration"):
        minutes = time_slots.duration_minutes(entity)
        if minutes is not None:
            return float(minutes)
    return None


async def reconcile_service(
    events: list[EventType], dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """After the form's validation: a title given this turn becomes one of the tenant's
    services (or is refused so the services are offered), and the duration follows the
    service unless the customer asked for another length of a service that allows it."""
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    changes: dict[str, Any] = {}
    if values.get("event_title"):
        info = await business_of(tracker)
        if info is not None and info.services:
            text = latest(tracker)[1]
            service = service_said(str(values["event_title"]), info) or service_said(text, info)
            if service is None:
                changes.update(event_title=None, service=None)
            else:
                changes.update(event_title=service.name, service=service.to_slot())
        elif tracker.get_slot("service"):
            changes["service"] = None
    service = changes.get("service", tracker.get_slot("service"))
    if service:
        changes.update(_duration_for(service, "service" in changes, dispatcher, tracker))
    if not changes:
        return events
    kept = [e for e in events if not (e.get("event") == "slot" and e.get("name") in changes)]
    return kept + [SlotSet(name, value) for name, value in changes.items()]


def _duration_for(
    service: dict[str, Any], new_service: bool, dispatcher: CollectingDispatcher, tracker: Tracker
) -> dict[str, Any]:
    minutes = float(service["minutes"])
    asked = _explicit_minutes(tracker)
    current = tracker.get_slot("event_duration")
    if service.get("flexible"):
        if asked is None and (new_service or current is None):
            return {"event_duration": minutes}
        return {}
    if asked is not None and asked != minutes:
        length = describe_minutes(int(minutes))
        dispatcher.utter_message(
            text=f"A {service['name'].lower()} takes {length}, so I've planned {length}."
        )
    if current != minutes or asked is not None:
        return {"event_duration": minutes}
    return {}


class ActionAskEventTitle(Action):
    """Ask what to book: with the services as buttons when the tenant has any (those the
    customer's words may mean first), else the plain question."""

    def name(self) -> str:
        """The action name Rasa calls."""
        return "action_ask_event_title"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """One question, with buttons when there is something to choose from."""
        info = await business_of(tracker)
        if info is None or not info.services:
            dispatcher.utter_message(response="utter_ask_event_title")
            return []
        _, text, _ = latest(tracker)
        choices = service_choices(text, info)
        question = "Which of these would you like to book?"
        if len(choices) == len(info.services):
            question = "What would you like to book? We offer:"
        dispatcher.utter_message(text=question, buttons=[service_button(s) for s in choices])
        return []
