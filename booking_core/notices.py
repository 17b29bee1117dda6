"""Telling a customer that a booking saved during a calendar outage is now in the calendar.

When the calendar does not answer, the assistant tells the customer "your booking is saved, I'll
finish adding it as soon as the calendar is back" (actions/submit.py), and the worker completes
the write later. The customer then expects to hear that it went through, with the link. The
worker queues that message in the outbox (booking_core.messaging.outbox) in the same transaction
that confirms the event, and links it as the event's `confirmed_message_id`; the outbox sender
(in the Rasa processes or the ingest process) formats it for the platform and sends it like any
reply, so it is durable, sent once and kept in the history.

Past the platform's messaging window (booking_core.messaging.windows) no notice is queued and
the event stays visible in the history.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from booking_core.db.models import CalendarEvent, Message
from booking_core.display import describe_window
from booking_core.messaging.outbox import queue_notice


def confirmation_text(event: CalendarEvent) -> str:
    """What the customer reads when their saved booking reached the calendar."""
    zone = ZoneInfo(event.timezone)
    when = describe_window(event.start.astimezone(zone), event.end.astimezone(zone), event.timezone)
    what = event.title
    if event.location and event.location.casefold() not in what.casefold():
        what += f" at {event.location}"  # not twice when the title already names the place
    text = f"Your booking is now in the calendar: {what}, {when}."
    if event.link:
        text += f" Add it to your calendar: {event.link}"
    return text


def queue_confirmation_notice(
    session: Session, *, event: CalendarEvent, now: datetime
) -> Message | None:
    """Queue the "it is in the calendar now" message for `event`'s customer, inside the
    caller's transaction; None when there is nobody to tell or the platform would refuse it."""
    if event.contact is None:
        return None
    notice = queue_notice(session, contact=event.contact, text=confirmation_text(event), now=now)
    if notice is not None:
        event.confirmed_message_id = notice.id
    return notice
