"""The outbox: outbound rows queued (replies by `inbox.complete_inbound`, notices and messages
outside a conversation turn here), claimed by the sender, and their send's outcome recorded.

A send that went out always ends "sent". A row left in "sending" holds back the conversation's
next replies until the lease runs out, and is then marked "outcome unknown" although the user
got it. Two things could leave it there after a successful send:

- the platform answers with a message id already stored for the tenant and channel (the unique
  key (tenant_id, channel, platform_message_id); e.g. Telegram ids are per chat, so two bots of
  one tenant talking to the same user can be given the same "<chat>:<message>" id): the row is
  recorded "sent" without the id, and `error` says which id it was (DUPLICATE_ID_NOTE); receipts
  and button references keep finding the row that holds it;
- the database is briefly unreachable: the record is tried again after each of RECORD_DELAYS;
  if it still fails the row stays "sending" and the lease marks it "outcome unknown". Either way
  it is never sent again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import psycopg2
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from booking_core.db.models import ACCOUNT_CHANNELS, Contact, Message
from booking_core.db.repository import mark_message
from booking_core.db.repository.contacts import get_contact_by_platform_id
from booking_core.db.repository.messages import OUTBOX_NOTIFY_CHANNEL, notify_queue
from booking_core.db.session import session_scope
from booking_core.db.types import utcnow
from booking_core.messaging.backend import Look, Outcome, backend_for
from booking_core.messaging.records import OutboundPayload, QueuedReply, StoredMessage
from booking_core.messaging.windows import closed_reason

__all__ = [
    "DUPLICATE_ID_NOTE", "OUTBOX_NOTIFY_CHANNEL", "RECORD_DELAYS", "UNKNOWN_SEND_OUTCOME",
    "OutsideWindowError", "UnknownContactError", "claim_next_outbound", "fail_rest_of_reply",
    "finish_outbound", "queue_message", "queue_notice", "record_outcome",
]  # fmt: skip

logger = logging.getLogger(__name__)

#: What a row a dead sender left in "sending" says in the history (it is not sent again).
UNKNOWN_SEND_OUTCOME = "outcome unknown: the process stopped while sending"
#: What a sent row whose platform id was already taken says in `error` (its status is "sent").
DUPLICATE_ID_NOTE = "sent; platform id {platform_message_id} not recorded: another message has it"
#: Seconds to wait before each new try of a record that failed (then the lease decides).
RECORD_DELAYS = (0.2, 1.0, 5.0)
#: The unique key refusing the platform id (SQLAlchemy session, or direct on PostgreSQL).
_ID_TAKEN = (IntegrityError, psycopg2.IntegrityError)


class OutsideWindowError(ValueError):
    """The platform would refuse a free-form message to this customer now (see windows)."""


class UnknownContactError(LookupError):
    """No contact of the tenant has this platform id on this channel."""


def claim_next_outbound(
    database_url: str | None,
    *,
    channel: str,
    limit: int,
    lease: timedelta,
    exclude: frozenset[int] = frozenset(),
) -> list[QueuedReply]:
    """Claim up to `limit` queued replies of `channel` to send, the oldest of each contact only
    (a contact's replies go out one at a time, in order). A row left in "sending" longer than
    `lease` belonged to a sender that died; it comes back with `abandoned` set."""
    return backend_for(database_url).claim_outbound(Look(channel, limit, lease, exclude))


def finish_outbound(
    database_url: str | None,
    row_id: int,
    *,
    platform_message_id: str | None,
    error: str | None,
    contact_id: int | None = None,
    sent: bool | None = None,
) -> bool:
    """The send's outcome: "sent" with the platform's id, or "failed" with the error (`sent`
    True: "sent" with `error` as a note). Returns whether `contact_id` has a later reply queued
    (the sender looks again only then)."""
    outcome = Outcome(
        status="sent" if (sent if sent is not None else not error) else "failed",
        error=error[:2000] if error else None,
        platform_message_id=platform_message_id or None,
    )
    return backend_for(database_url).finish_outbound(row_id, outcome, contact_id)


def fail_rest_of_reply(database_url: str | None, reply: QueuedReply, error: str) -> int:
    """After a part failed, the queued parts of the same answer are not sent (they would read
    out of context): marked failed. Returns how many."""
    in_reply_to = reply.outbound.in_reply_to
    if in_reply_to is None:
        return 0  # a notice stands alone
    failed = 0
    with session_scope(database_url) as session:
        rows = session.execute(
            select(Message).where(
                Message.contact_id == reply.contact_id,
                Message.direction == "out",
                Message.status == "queued",
                Message.id > reply.row_id,
            )
        ).scalars()
        for row in rows:
            if OutboundPayload.from_json(row.payload).in_reply_to == in_reply_to:
                mark_message(session, message_id=row.id, status="failed", error=error[:2000])
                failed += 1
    return failed


def _record(
    database_url: str | None, reply: QueuedReply, platform_message_id: str | None, error: str | None
) -> bool:
    """One try of `record_outcome` (in a worker thread)."""
    finish = functools.partial(finish_outbound, database_url, reply.row_id,
                               contact_id=reply.contact_id)  # fmt: skip
    try:
        later = finish(platform_message_id=platform_message_id, error=error)
    except _ID_TAKEN:
        if not platform_message_id or error:
            raise
        logger.warning("%s reply %s: platform id %s is already stored; recorded sent without it",
                       reply.channel, reply.row_id, platform_message_id)  # fmt: skip
        note = DUPLICATE_ID_NOTE.format(platform_message_id=platform_message_id)
        later = finish(platform_message_id=None, error=note, sent=True)
    if error:
        fail_rest_of_reply(database_url, reply,
                           f"not sent: an earlier part of the answer failed ({error})")  # fmt: skip
        return True  # other answers of the contact may be queued behind this one
    return later


async def record_outcome(
    database_url: str | None, reply: QueuedReply, platform_message_id: str | None, error: str | None
) -> bool:
    """Record a send's outcome ("sent" with the platform's id, or "failed" with `error`, the
    rest of the answer then failed too), tried again while it fails; whether the sender should
    look again (the contact's next reply is waiting, or the outcome is not recorded)."""
    for delay in RECORD_DELAYS:
        try:
            return await asyncio.to_thread(_record, database_url, reply, platform_message_id,
                                           error)  # fmt: skip
        except Exception:
            logger.warning("%s reply %s: recording the outcome failed; trying again in %.1f s",
                           reply.channel, reply.row_id, delay, exc_info=True)  # fmt: skip
            await asyncio.sleep(delay)
    try:
        return await asyncio.to_thread(_record, database_url, reply, platform_message_id, error)
    except Exception:
        logger.exception("%s reply %s: outcome not recorded; it stays 'sending' until the lease "
                         "ends, and is not sent again", reply.channel, reply.row_id)  # fmt: skip
        return True


# --- messages outside a conversation turn ------------------------------------------------------


def last_account_id(session: Session, contact: Contact) -> str | None:
    """The tenant account the customer last wrote to (stored with their latest messages)."""
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


def _queue(
    session: Session, contact: Contact, text: str, account_id: str,
    buttons: Sequence[dict[str, Any]] = (),
) -> Message:  # fmt: skip
    """The outbound row of a message outside a conversation turn: its plain text as `notice`,
    formatted for the platform by the sender. The outbox hears of it at commit."""
    payload = OutboundPayload(recipient=contact.platform_user_id, account_id=account_id,
                              notice=text, buttons=tuple(buttons))  # fmt: skip
    row = Message(
        tenant_id=contact.tenant_id,
        contact_id=contact.id,
        channel=contact.channel,
        direction="out",
        text=text,
        payload=payload.to_json(),
        status="queued",
    )
    session.add(row)
    session.flush()
    notify_queue(session, name=OUTBOX_NOTIFY_CHANNEL, channel=contact.channel)
    return row


def queue_notice(session: Session, *, contact: Contact, text: str, now: datetime) -> Message | None:
    """Queue `text` for `contact` inside the caller's transaction; None when there is nobody
    to send it to (no platform conversation) or the platform would refuse it."""
    if contact.channel not in ACCOUNT_CHANNELS:
        return None  # booked over REST or the admin API: no platform conversation
    reason = closed_reason(contact.channel, contact.last_inbound_at, now)
    if reason is not None:
        logger.info("no notice for contact %s: %s", contact.id, reason)
        return None
    account_id = last_account_id(session, contact)
    if account_id is None:
        return None
    return _queue(session, contact, text, account_id)


def _checked_buttons(buttons: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    checked = []
    for button in buttons or ():
        title, payload = button.get("title"), button.get("payload")
        if not isinstance(title, str) or not title or not isinstance(payload, str):
            raise ValueError(f"a button needs a title and a payload (strings): {button!r}")
        checked.append({"title": title, "payload": payload})
    return checked


def queue_message(
    database_url: str | None,
    *,
    tenant_id: int,
    channel: str,
    recipient: str,
    text: str,
    buttons: Sequence[dict[str, Any]] | None = None,
    account_id: str | None = None,
) -> StoredMessage:
    """Queue a plain message (optionally with buttons, [{"title", "payload"}]) to a customer
    outside a conversation turn; the outbox sender sends it in the platform's format.

    Raises UnknownContactError when the tenant has no such contact on `channel`, and
    OutsideWindowError when the platform would refuse it (its window is closed, see
    `windows`, or the customer never wrote). `account_id` defaults to the account the customer
    last wrote to.
    """
    if channel not in ACCOUNT_CHANNELS:
        raise ValueError(f"{channel!r} is not a messaging platform ({', '.join(ACCOUNT_CHANNELS)})")
    if not text.strip():
        raise ValueError("text must not be empty")
    checked = _checked_buttons(buttons)
    with session_scope(database_url) as session:
        contact = get_contact_by_platform_id(
            session, tenant_id=tenant_id, channel=channel, platform_user_id=recipient
        )
        if contact is None:
            raise UnknownContactError(f"tenant {tenant_id} has no {channel} contact {recipient!r}")
        reason = closed_reason(channel, contact.last_inbound_at, utcnow())
        if reason is not None:
            raise OutsideWindowError(reason)
        account_id = account_id or last_account_id(session, contact)
        if account_id is None:
            raise OutsideWindowError(f"{channel}: no account of the tenant this customer wrote to")
        row = _queue(session, contact, text, account_id, checked)
        return StoredMessage(row.id, tenant_id, contact.id, channel, recipient, text, row.status)
