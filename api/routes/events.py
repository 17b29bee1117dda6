"""Public per-event `.ics` download, the link the built-in calendar sends to users.

The uid is 128 random bits, so the URL itself is the capability (like a calendar's secret
address); unknown, malformed and not-yet-confirmed uids all answer 404 alike.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Response

from api.deps import SessionDep
from booking_core.calendars.ics import render_event
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
