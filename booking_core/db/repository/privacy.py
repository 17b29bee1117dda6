"""Privacy requests: export everything stored about one contact, or erase it.

Scoped by `tenant_id` like every other query. Rasa's own tracker data is not in this database;
`rasa_sender_ids` names the conversations the caller must erase there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from booking_core.db.models import CalendarEvent, Contact, Message, Tenant
from booking_core.db.repository.contacts import get_contact

_EVENT = CalendarEvent.__table__.c

#: Channels whose Rasa sender id is the raw user id (no tenant/channel namespace).
RAW_SENDER_CHANNELS = ("shell",)


@dataclass(frozen=True)
class ErasureCounts:
    """What `erase_contact` deleted."""

    contacts: int
    messages: int
    events: int


def rasa_sender_ids(*, tenant_slug: str, contact: Contact) -> list[str]:
    """The Rasa conversation ids of a contact: the channels namespace them as
    `<tenant slug>:<channel>:<platform user id>` (REST too: `<slug>:rest:<sender>`); `rasa
    shell` conversations keep their raw id."""
    if contact.channel in RAW_SENDER_CHANNELS:
        return [contact.platform_user_id]
    return [f"{tenant_slug}:{contact.channel}:{contact.platform_user_id}"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _contact_events_query(tenant_id: int, contact_id: int) -> Any:
    own_messages = select(Message.id).where(
        Message.tenant_id == tenant_id, Message.contact_id == contact_id
    )
    return select(CalendarEvent).where(
        CalendarEvent.tenant_id == tenant_id,
        or_(
            CalendarEvent.contact_id == contact_id,
            _EVENT.requested_message_id.in_(own_messages),
            _EVENT.confirmed_message_id.in_(own_messages),
        ),
    )


def contact_events(session: Session, *, tenant_id: int, contact_id: int) -> list[CalendarEvent]:
    """Events the contact booked (or whose booking messages are the contact's)."""
    query = _contact_events_query(tenant_id, contact_id).order_by(
        CalendarEvent.start, CalendarEvent.id
    )
    return list(session.execute(query).scalars())


def export_contact(session: Session, *, tenant_id: int, contact_id: int) -> dict[str, Any] | None:
    """Everything stored about the contact as JSON-ready data, or None when unknown."""
    contact = get_contact(session, tenant_id=tenant_id, contact_id=contact_id)
    if contact is None:
        return None
    tenant = session.get(Tenant, tenant_id)
    messages = session.execute(
        select(Message)
        .where(Message.tenant_id == tenant_id, Message.contact_id == contact_id)
        .order_by(Message.created_at, Message.id)
    ).scalars()
    events = contact_events(session, tenant_id=tenant_id, contact_id=contact_id)
    return {
        "contact": {
            "id": contact.id,
            "channel": contact.channel,
            "platform_user_id": contact.platform_user_id,
            "display_name": contact.display_name,
            "locale": contact.locale,
            "created_at": _iso(contact.created_at),
            "last_inbound_at": _iso(contact.last_inbound_at),
            "rasa_sender_ids": rasa_sender_ids(
                tenant_slug=tenant.slug if tenant else "", contact=contact
            ),
        },
        "messages": [
            {
                "id": m.id,
                "channel": m.channel,
                "direction": m.direction,
                "platform_message_id": m.platform_message_id,
                "text": m.text,
                "payload": m.payload,
                "intent": m.intent,
                "status": m.status,
                "error": m.error,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "processed_at": _iso(m.processed_at),
            }
            for m in messages
        ],
        "events": [
            {
                "id": e.id,
                "uid": e.uid,
                "title": e.title,
                "location": e.location,
                "start": _iso(e.start),
                "end": _iso(e.end),
                "timezone": e.timezone,
                "status": e.status,
                "provider": e.provider,
                "link": e.link,
                "created_at": _iso(e.created_at),
                "updated_at": _iso(e.updated_at),
            }
            for e in events
        ],
    }


def erase_contact(session: Session, *, tenant_id: int, contact_id: int) -> ErasureCounts | None:
    """Delete the contact with its messages and events; None when the tenant has no such contact.

    Events go first (they may point at the messages), then messages, then the contact.
    """
    contact = get_contact(session, tenant_id=tenant_id, contact_id=contact_id)
    if contact is None:
        return None
    event_ids = [e.id for e in contact_events(session, tenant_id=tenant_id, contact_id=contact_id)]
    events = 0
    if event_ids:
        events = session.execute(
            delete(CalendarEvent)
            .where(CalendarEvent.tenant_id == tenant_id, _EVENT.id.in_(event_ids))
            .execution_options(synchronize_session="fetch")
        ).rowcount
    messages = session.execute(
        delete(Message)
        .where(Message.tenant_id == tenant_id, Message.contact_id == contact_id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    session.delete(contact)
    session.flush()
    return ErasureCounts(contacts=1, messages=int(messages or 0), events=int(events or 0))
