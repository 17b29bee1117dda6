"""Message crud, including the atomic de-duplicating insert used by the connectors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.db.models import DIRECTIONS, MESSAGE_STATUSES, Contact, Message
from booking_core.db.repository.contacts import check_channel
from booking_core.db.types import require_aware, utcnow

#: Delivery receipts can arrive out of order; a later receipt never moves a message back.
_OUTBOUND_PROGRESS = {"queued": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3}


def _check_status(status: str) -> None:
    if status not in MESSAGE_STATUSES:
        raise ValueError(f"unknown message status {status!r}; expected one of {MESSAGE_STATUSES}")


#: PostgreSQL NOTIFY channels telling the connectors' processes that an inbound message was
#: stored (inbox) or an outbound one queued (sender); the payload is the platform channel.
INBOX_NOTIFY_CHANNEL = "booking_inbox"
OUTBOX_NOTIFY_CHANNEL = "booking_outbox"


def notify_queue(session: Session, *, name: str, channel: str) -> None:
    """PostgreSQL only, delivered at commit: other processes wake without polling."""
    if session.get_bind().dialect.name == "postgresql":
        notify = text("SELECT pg_notify(:name, :channel)")
        session.execute(notify, {"name": name, "channel": channel})


def record_message(
    session: Session,
    *,
    tenant_id: int,
    contact_id: int,
    channel: str,
    direction: str,
    text: str | None = None,
    payload: dict[str, Any] | None = None,
    platform_message_id: str | None = None,
    intent: str | None = None,
    status: str | None = None,
    sent_at: datetime | None = None,
) -> Message | None:
    """Store a message; return None when (tenant, channel, platform_message_id) already exists.

    Platforms re-deliver webhooks, sometimes concurrently, so the check must be the database's
    unique constraint, not a select-then-insert: the insert runs in a savepoint and a unique
    violation rolls back only that savepoint, leaving the caller's transaction usable.
    `status` defaults to "received" for inbound and "sent" for outbound messages. An inbound
    message also updates the contact's `last_inbound_at` (the 24-hour reply window).
    """
    check_channel(channel)
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if status is None:
        status = "received" if direction == "in" else "sent"
    _check_status(status)
    if sent_at is not None:
        sent_at = require_aware(sent_at, "sent_at")
    contact = session.get(Contact, contact_id)
    if contact is None or contact.tenant_id != tenant_id:
        raise ValueError(f"contact {contact_id} does not belong to tenant {tenant_id}")

    message = Message(
        tenant_id=tenant_id,
        contact_id=contact_id,
        channel=channel,
        direction=direction,
        text=text,
        payload=payload,
        platform_message_id=platform_message_id or None,
        intent=intent,
        status=status,
        sent_at=sent_at,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        if platform_message_id and get_message_by_platform_id(
            session,
            tenant_id=tenant_id,
            channel=channel,
            platform_message_id=platform_message_id,
        ):
            return None
        raise
    if direction == "in":
        seen = sent_at or message.created_at
        if contact.last_inbound_at is None or seen > contact.last_inbound_at:
            contact.last_inbound_at = seen
    return message


def get_message(session: Session, *, message_id: int) -> Message | None:
    """The message with this id, or None."""
    return session.get(Message, message_id)


def get_message_by_platform_id(
    session: Session, *, tenant_id: int, channel: str, platform_message_id: str
) -> Message | None:
    """Look a message up by the platform's id (e.g. to apply a delivery receipt)."""
    return session.execute(
        select(Message).where(
            Message.tenant_id == tenant_id,
            Message.channel == channel,
            Message.platform_message_id == platform_message_id,
        )
    ).scalar_one_or_none()


def mark_message(
    session: Session, *, message_id: int, status: str, error: str | None = None
) -> Message | None:
    """Set a message's status (and error); return it, or None when it does not exist.

    "processed" stamps `processed_at`. Outbound receipts only move forward
    (sent -> delivered -> read), so a late "delivered" does not overwrite "read".
    """
    _check_status(status)
    message = session.get(Message, message_id)
    if message is None:
        return None
    current = _OUTBOUND_PROGRESS.get(message.status)
    new = _OUTBOUND_PROGRESS.get(status)
    if current is not None and new is not None and new < current:
        return message
    message.status = status
    if error is not None:
        message.error = error
    if status == "processed" and message.processed_at is None:
        message.processed_at = utcnow()
    return message


def list_messages(
    session: Session, *, tenant_id: int, contact_id: int | None = None, limit: int = 100
) -> list[Message]:
    """A tenant's messages (optionally one contact's), oldest first."""
    query = select(Message).where(Message.tenant_id == tenant_id)
    if contact_id is not None:
        query = query.where(Message.contact_id == contact_id)
    query = query.order_by(Message.created_at, Message.id).limit(limit)
    return list(session.execute(query).scalars())
