"""Google Calendar event bodies and times: what we write and how we read Google's answers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from booking_core.db.models import CalendarEvent
from booking_core.db.types import require_aware
from booking_core.display import event_details


def rfc3339(value: datetime, zone: str | None = None) -> str:
    """RFC 3339 text of an instant: UTC ("Z") without a zone, else local time with offset."""
    value = require_aware(value, "datetime")
    if zone is None:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def parse_when(when: Mapping[str, Any], fallback_zone: str) -> datetime:
    """Google's {"dateTime": ..., "timeZone": ...} or all-day {"date": ...} as aware UTC."""
    if when.get("dateTime"):
        raw = str(when["dateTime"])
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(when.get("timeZone") or fallback_zone))
        return value.astimezone(timezone.utc)
    zone_name = str(when.get("timeZone") or fallback_zone)
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    day = date.fromisoformat(str(when["date"]))
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(timezone.utc)


def event_body(event: CalendarEvent) -> dict[str, Any]:
    """Fields we own on the Google event: summary, start/end in the event's zone and, when the
    row has them, location and the service booked as the description (left out otherwise, so
    a patch keeps what was set in Google)."""
    body: dict[str, Any] = {
        "summary": event.title,
        "start": {"dateTime": rfc3339(event.start, event.timezone), "timeZone": event.timezone},
        "end": {"dateTime": rfc3339(event.end, event.timezone), "timeZone": event.timezone},
    }
    if event.location:
        body["location"] = event.location
    details = event_details(event)
    if details:
        body["description"] = details
    return body


def matches_row(payload: Mapping[str, Any], event: CalendarEvent) -> bool:
    """True when a Google event already shows the row's title, times and location (if any)."""
    try:
        start = parse_when(payload.get("start") or {}, event.timezone)
        end = parse_when(payload.get("end") or {}, event.timezone)
    except (KeyError, ValueError):
        return False
    if event.location and payload.get("location") != event.location:
        return False
    return (payload.get("summary"), start, end) == (event.title, event.start, event.end)


def insert_body(event: CalendarEvent) -> dict[str, Any]:
    """events.insert body: the row's uid is the client-chosen event id (idempotent retries)."""
    if not event.uid:
        raise ValueError("event has no uid yet: flush it before calling the provider")
    return {"id": event.uid, **event_body(event)}
