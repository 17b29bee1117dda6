"""Events: the public per-event `.ics` download (the link the built-in calendar sends to users),
and, with a tenant's API key, the tenant's events with filters and one event in detail.

The uid is 128 random bits, so the URL itself is the capability (like a calendar's secret
address); unknown, malformed and not-yet-confirmed uids all answer 404 alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import APIRouter, HTTPException, Response

from api import schemas
from api.core.pagination import decode_key_cursor, encode_key_cursor
from api.deps import CurrentTenant, SessionDep
from api.routes.params import Cursor, IdQuery, Limit, Search, StatusFilter, aware, id_path
from api.serializers import event_fields, event_out, message_out
from booking_core.calendars.builtin import ics_link
from booking_core.calendars.ics import render_event
from booking_core.db import repository as repo
from booking_core.db.repository import get_calendar_event_by_uid

router = APIRouter(tags=["events"])

_UID = re.compile(r"^[0-9a-v]{5,64}$")
_PUBLISHED_STATUSES = ("confirmed", "cancelled")


@router.get(
    "/events/{uid}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "Unknown event"}},
)
def event_ics(uid: str, session: SessionDep) -> Response:
    """The event as an iCalendar file (a cancelled event is served with STATUS:CANCELLED)."""
    event = get_calendar_event_by_uid(session, uid=uid) if _UID.match(uid) else None
    if event is None or event.status not in _PUBLISHED_STATUSES:
        raise HTTPException(status_code=404, detail="event not found")
    return Response(
        content=render_event(event).encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{event.uid}.ics"',
            "Cache-Control": "no-cache",
        },
    )


@router.get("/events", response_model=schemas.EventPage)
def list_events(
    tenant: CurrentTenant,
    session: SessionDep,
    status: StatusFilter = None,
    contact_id: IdQuery = None,
    start_from: datetime | None = None,
    start_before: datetime | None = None,
    q: Search = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> schemas.EventPage:
    """The tenant's events by start time; `start_from` inclusive, `start_before` exclusive
    (ISO 8601; no offset = UTC); `q` matches the title."""
    rows = repo.list_event_page(
        session,
        tenant_id=tenant.id,
        status=status,
        contact_id=contact_id,
        start_from=aware(start_from, "start_from"),
        start_before=aware(start_before, "start_before"),
        search=q,
        after=decode_key_cursor(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return schemas.EventPage(
        items=[event_out(e) for e in rows],
        next_cursor=encode_key_cursor(rows[-1].start, rows[-1].id) if more else None,
    )


@router.get("/events/{event_id:int}", response_model=schemas.EventDetail)
def read_event(
    tenant: CurrentTenant, session: SessionDep, event_id: int = id_path("event id")
) -> schemas.EventDetail:
    """One event with the messages that created and confirmed it."""
    event = repo.get_calendar_event(session, tenant_id=tenant.id, event_id=event_id)
    if event is None:
        raise HTTPException(status_code=404, detail="event not found")

    def linked(message_id: int | None) -> schemas.MessageOut | None:
        if message_id is None:
            return None
        message = repo.get_tenant_message(session, tenant_id=tenant.id, message_id=message_id)
        return message_out(message) if message is not None else None

    conversation = repo.booking_conversation(session, tenant_id=tenant.id, event=event)
    return schemas.EventDetail(
        **event_fields(event),
        ics_url=ics_link(event.uid),
        requested_message=linked(event.requested_message_id),
        confirmed_message=linked(event.confirmed_message_id),
        messages=[message_out(m) for m in conversation],
    )
