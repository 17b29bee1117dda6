"""Telling a customer that a booking saved during a calendar outage is now in the calendar.

When the calendar does not answer, the assistant tells the customer "your booking is saved, I'll
finish adding it as soon as the calendar is back" (actions/submit.py), and the worker completes
the write later. The customer then expects to hear that it went through, with the link. The
worker queues that message as an outbound row ("queued", payload `notice`) in the same
transaction that confirms the event, and links it as the event's `confirmed_message_id`; the
connectors' outbox sender (in the Rasa processes or the ingest process) formats it for the
platform and sends it like any reply, so it is durable, sent once and kept in the history.

WhatsApp and Instagram only allow free-form business messages within 24 hours of the customer's
last message (outside it WhatsApp needs a pre-approved template, which a tenant would have to
register); past that window no notice is queued and the event stays visible in the history.
Telegram has no such window.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking_core.db.models import ACCOUNT_CHANNELS, CalendarEvent, Contact, Message
from booking_core.db.repository.messages import OUTBOX_NOTIFY_CHANNEL, notify_queue
from booking_core.display import describe_window

logger = logging.getLogger(__name__)

#: How long after the customer's last message a platform accepts a free-form message.
REPLY_WINDOWS = {"whatsapp": timedelta(hours=24), "instagram": timedelta(hours=24)}


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


def _account_id(session: Session, contact: Contact) -> str | None:
    """The tenant account the customer last wrote to (stored with their latest message)."""
    payloads = session.execute(
        select(Message.payload)
        .where(Message.contact_id == contact.id, Message.direction == "in")
        .order_by(Message.__table__.c.id.desc())
        .limit(5)
    ).scalars()
    for payload in payloads:
        inbound = (payload or {}).get("inbound")
        if isinstance(inbound, dict) and inbound.get("account_id"):
            return str(inbound["account_id"])
    return None


def queue_confirmation_notice(
    session: Session, *, event: CalendarEvent, now: datetime
) -> Message | None:
    """Queue the "it is in the calendar now" message for `event`'s customer, inside the
    caller's transaction; None when there is nobody to tell or the platform would refuse it."""
    contact = event.contact
    if contact is None or contact.channel not in ACCOUNT_CHANNELS:
        return None  # booked over REST or the admin API: no platform conversation
    window = REPLY_WINDOWS.get(contact.channel)
    last_wrote = contact.last_inbound_at
    if window is not None and (last_wrote is None or last_wrote < now - window):
        logger.info("event %s confirmed; customer wrote over %s ago: no notice", event.uid, window)
        return None
    account_id = _account_id(session, contact)
    if account_id is None:
        return None
    body = confirmation_text(event)
    notice = Message(
        tenant_id=event.tenant_id,
        contact_id=contact.id,
        channel=contact.channel,
        direction="out",
        text=body,
        payload={"notice": body, "recipient": contact.platform_user_id, "account_id": account_id},
        status="queued",
    )
    session.add(notice)
    session.flush()
    event.confirmed_message_id = notice.id
    notify_queue(session, name=OUTBOX_NOTIFY_CHANNEL, channel=contact.channel)
    return notice
