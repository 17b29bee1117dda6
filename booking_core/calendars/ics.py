"""Minimal RFC 5545 writer for a VCALENDAR holding one VEVENT.

Hand-written on purpose: no iCalendar library is installed in the project environment and one
event needs only escaping (3.3.11), UTC date-times (3.3.5) and line folding at 75 octets (3.1).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from booking_core.db.models import CalendarEvent
from booking_core.db.types import require_aware, utcnow
from booking_core.display import event_details

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Booking Assistant//booking_core//EN"

_ICS_STATUS = {"pending": "TENTATIVE", "confirmed": "CONFIRMED", "cancelled": "CANCELLED"}
# Control characters other than TAB are not allowed in TEXT values (RFC 5545 3.1, 3.3.11).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines; drop other controls."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\n", "\\n")
    return _CONTROL.sub("", value)


def format_utc(value: datetime) -> str:
    """DATE-TIME in UTC form, e.g. 20261201T150000Z."""
    return require_aware(value, "datetime").astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def fold_line(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets joined by CRLF + space.

    Counting is in UTF-8 octets and never splits a multi-byte character.
    """
    if len(line.encode("utf-8")) <= MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            limit = MAX_LINE_OCTETS - 1  # continuation lines start with one space
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def render_ics(
    *,
    uid: str,
    summary: str,
    start: datetime,
    end: datetime,
    dtstamp: datetime | None = None,
    status: str | None = None,
    description: str | None = None,
    url: str | None = None,
    sequence: int = 0,
    location: str | None = None,
) -> str:
    """A complete VCALENDAR (CRLF line ends, folded) with one VEVENT in UTC."""
    if require_aware(end, "end") <= require_aware(start, "start"):
        raise ValueError("end must be after start")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{format_utc(dtstamp or utcnow())}",
        f"DTSTART:{format_utc(start)}",
        f"DTEND:{format_utc(end)}",
        f"SUMMARY:{escape_text(summary)}",
        f"SEQUENCE:{sequence}",
    ]
    if status is not None:
        lines.append(f"STATUS:{status}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if url:
        lines.append(f"URL:{_CONTROL.sub('', url)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return CRLF.join(fold_line(line) for line in lines) + CRLF


def render_event(event: CalendarEvent, *, url: str | None = None) -> str:
    """The `.ics` document of a stored event (DTSTAMP = last change, STATUS from the row)."""
    return render_ics(
        uid=event.uid,
        summary=event.title,
        start=event.start,
        end=event.end,
        dtstamp=event.updated_at or event.created_at,
        status=_ICS_STATUS.get(event.status),
        url=url if url is not None else event.link,
        location=event.location,
        description=event_details(event),
    )
