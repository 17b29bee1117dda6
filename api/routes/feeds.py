"""The tenant's iCalendar feed: every published booking in one VCALENDAR at an unguessable URL
(the feed token is the capability, like a calendar's "secret address"), for subscribing from
Google Calendar, Outlook or Apple Calendar."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Response

from api import schemas
from api.deps import CurrentTenant, SessionDep
from booking_core.calendars.ics import CRLF, PRODID, escape_text, fold_line, render_event
from booking_core.db import repository as repo
from booking_core.db.models import CalendarEvent, Tenant
from booking_core.db.types import utcnow
from booking_core.settings import get_settings

router = APIRouter(tags=["feeds"])

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_PUBLISHED = ("confirmed", "cancelled")
#: Past events kept in the feed; older ones drop out (calendar apps keep what they saw).
FEED_HISTORY = timedelta(days=180)
MAX_FEED_EVENTS = 5000


def feed_url(tenant: Tenant) -> str:
    """The public URL of the tenant's feed."""
    return f"{get_settings().admin_api_url}/api/v1/feeds/{tenant.feed_token}.ics"


def _vevent_lines(event: CalendarEvent) -> list[str]:
    """The VEVENT block of the single-event document ics.py renders (folded lines kept)."""
    lines = render_event(event).split(CRLF)
    begin, end = lines.index("BEGIN:VEVENT"), lines.index("END:VEVENT")
    return lines[begin : end + 1]


def render_feed(tenant: Tenant, events: list[CalendarEvent]) -> str:
    """A VCALENDAR with one VEVENT per event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        fold_line(f"X-WR-CALNAME:{escape_text(tenant.name)}"),
        fold_line(f"X-WR-TIMEZONE:{tenant.timezone}"),
        "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
        "X-PUBLISHED-TTL:PT15M",
    ]
    for event in events:
        lines += _vevent_lines(event)
    lines.append("END:VCALENDAR")
    return CRLF.join(lines) + CRLF


@router.get(
    "/feeds/{feed_token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "Unknown feed"}},
)
def tenant_feed(feed_token: str, session: SessionDep) -> Response:
    """All confirmed (and cancelled, so clients remove them) bookings of the tenant."""
    tenant = (
        repo.get_tenant_by_feed_token(session, feed_token=feed_token)
        if _TOKEN.match(feed_token)
        else None
    )
    if tenant is None:
        raise HTTPException(status_code=404, detail="feed not found")
    events = repo.list_published_events(
        session,
        tenant_id=tenant.id,
        ending_after=utcnow() - FEED_HISTORY,
        statuses=_PUBLISHED,
        limit=MAX_FEED_EVENTS,
    )
    return Response(
        content=render_feed(tenant, events).encode("utf-8"),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "no-cache", "Content-Disposition": 'inline; filename="feed.ics"'},
    )


@router.get("/feed", response_model=schemas.FeedOut)
def read_feed_url(tenant: CurrentTenant) -> schemas.FeedOut:
    """The tenant's feed URL (keep it private: anyone with it can read the bookings)."""
    return schemas.FeedOut(feed_url=feed_url(tenant))


@router.post("/feed/rotate", response_model=schemas.FeedOut)
def rotate_feed(tenant: CurrentTenant, session: SessionDep) -> schemas.FeedOut:
    """A new feed URL; the old one stops working."""
    updated = repo.rotate_feed_token(session, tenant_id=tenant.id)
    if updated is None:
        raise HTTPException(status_code=404, detail="tenant not found")
    return schemas.FeedOut(feed_url=feed_url(updated))
