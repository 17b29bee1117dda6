"""History queries for the admin API: contacts, messages and events with filters and keyset
pagination. Every function is scoped by `tenant_id`.

Pagination is by keyset, not offset: a page ends at a row and the next page starts strictly after
its sort key (`after`), so rows arriving meanwhile neither repeat nor vanish. Callers ask for
`limit + 1` rows to know whether another page follows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, desc, or_, select
from sqlalchemy.orm import Session

from booking_core.db.models import DIRECTIONS, EVENT_STATUSES, CalendarEvent, Contact, Message
from booking_core.db.repository.contacts import check_channel
from booking_core.db.types import require_aware

# Column objects via __table__: the models annotate attributes with their Python types.
_CONTACT = Contact.__table__.c
_MESSAGE = Message.__table__.c
_EVENT = CalendarEvent.__table__.c

#: How far before an event's creation its booking conversation is looked for.
CONVERSATION_WINDOW = timedelta(minutes=30)


def _like(value: str) -> str:
    """A LIKE pattern matching `value` anywhere, with the wildcards in it escaped."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_contacts(
    session: Session,
    *,
    tenant_id: int,
    channel: str | None = None,
    search: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[Contact]:
    """The tenant's contacts, newest first; `search` matches name or platform id (any case)."""
    query = select(Contact).where(Contact.tenant_id == tenant_id)
    if channel is not None:
        check_channel(channel)
        query = query.where(Contact.channel == channel)
    if search:
        pattern = _like(search)
        query = query.where(
            or_(
                _CONTACT.display_name.ilike(pattern, escape="\\"),
                _CONTACT.platform_user_id.ilike(pattern, escape="\\"),
            )
        )
    if after_id is not None:
        query = query.where(Contact.id < after_id)
    return list(session.execute(query.order_by(desc(Contact.id)).limit(limit)).scalars())


def list_message_page(
    session: Session,
    *,
    tenant_id: int,
    contact_id: int | None = None,
    channel: str | None = None,
    direction: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    search: str | None = None,
    after: tuple[datetime, int] | None = None,
    oldest_first: bool = False,
    limit: int = 50,
) -> list[Message]:
    """The tenant's messages matching every given filter, ordered by (created_at, id).

    `since` is inclusive, `until` exclusive; `search` matches the text (any case); `after` is the
    (created_at, id) of the last row of the previous page.
    """
    query = select(Message).where(Message.tenant_id == tenant_id)
    if contact_id is not None:
        query = query.where(Message.contact_id == contact_id)
    if channel is not None:
        check_channel(channel)
        query = query.where(Message.channel == channel)
    if direction is not None:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}")
        query = query.where(Message.direction == direction)
    if since is not None:
        query = query.where(Message.created_at >= require_aware(since, "since"))
    if until is not None:
        query = query.where(Message.created_at < require_aware(until, "until"))
    if search:
        query = query.where(_MESSAGE.text.ilike(_like(search), escape="\\"))
    if after is not None:
        at, last_id = require_aware(after[0], "after"), after[1]
        if oldest_first:
            query = query.where(
                or_(Message.created_at > at, and_(Message.created_at == at, Message.id > last_id))
            )
        else:
            query = query.where(
                or_(Message.created_at < at, and_(Message.created_at == at, Message.id < last_id))
            )
    if oldest_first:
        query = query.order_by(Message.created_at, Message.id)
    else:
        query = query.order_by(desc(Message.created_at), desc(Message.id))
    return list(session.execute(query.limit(limit)).scalars())


def get_tenant_message(session: Session, *, tenant_id: int, message_id: int) -> Message | None:
    """The tenant's message with this id, or None."""
    return session.execute(
        select(Message).where(Message.tenant_id == tenant_id, Message.id == message_id)
    ).scalar_one_or_none()


def list_event_page(
    session: Session,
    *,
    tenant_id: int,
    contact_id: int | None = None,
    status: str | None = None,
    start_from: datetime | None = None,
    start_before: datetime | None = None,
    search: str | None = None,
    after: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[CalendarEvent]:
    """The tenant's events ordered by (start, id); `after` is the previous page's last key."""
    query = select(CalendarEvent).where(CalendarEvent.tenant_id == tenant_id)
    if contact_id is not None:
        query = query.where(CalendarEvent.contact_id == contact_id)
    if status is not None:
        if status not in EVENT_STATUSES:
            raise ValueError(f"status must be one of {EVENT_STATUSES}")
        query = query.where(CalendarEvent.status == status)
    if start_from is not None:
        query = query.where(CalendarEvent.start >= require_aware(start_from, "start_from"))
    if start_before is not None:
        query = query.where(CalendarEvent.start < require_aware(start_before, "start_before"))
    if search:
        query = query.where(_EVENT.title.ilike(_like(search), escape="\\"))
    if after is not None:
        at, last_id = require_aware(after[0], "after"), after[1]
        query = query.where(
            or_(
                CalendarEvent.start > at,
                and_(CalendarEvent.start == at, CalendarEvent.id > last_id),
            )
        )
    query = query.order_by(CalendarEvent.start, CalendarEvent.id).limit(limit)
    return list(session.execute(query).scalars())


def booking_conversation(
    session: Session, *, tenant_id: int, event: CalendarEvent, limit: int = 50
) -> list[Message]:
    """The messages that created and confirmed an event, oldest first.

    The ones linked by `requested_message_id`/`confirmed_message_id`, plus the contact's messages
    from `CONVERSATION_WINDOW` before the event was stored until a minute after it (the
    confirmation reply), so events booked without message links still show their conversation.
    """
    if event.tenant_id != tenant_id:
        return []
    linked_ids = [i for i in (event.requested_message_id, event.confirmed_message_id) if i]
    conditions = []
    if linked_ids:
        conditions.append(_MESSAGE.id.in_(linked_ids))
    if event.contact_id is not None:
        conditions.append(
            and_(
                Message.contact_id == event.contact_id,
                Message.created_at >= event.created_at - CONVERSATION_WINDOW,
                Message.created_at <= event.created_at + timedelta(minutes=1),
            )
        )
    if not conditions:
        return []
    query = (
        select(Message)
        .where(Message.tenant_id == tenant_id, or_(*conditions))
        .order_by(desc(Message.created_at), desc(Message.id))
        .limit(limit)
    )
    return list(reversed(session.execute(query).scalars().all()))


def list_published_events(
    session: Session,
    *,
    tenant_id: int,
    ending_after: datetime,
    statuses: tuple[str, ...] = ("confirmed", "cancelled"),
    limit: int = 5000,
) -> list[CalendarEvent]:
    """The tenant's events for its calendar feed: these statuses, ending after `ending_after`."""
    query = (
        select(CalendarEvent)
        .where(
            CalendarEvent.tenant_id == tenant_id,
            _EVENT.status.in_(statuses),
            CalendarEvent.end >= require_aware(ending_after, "ending_after"),
        )
        .order_by(CalendarEvent.start, CalendarEvent.id)
        .limit(limit)
    )
    return list(session.execute(query).scalars())
