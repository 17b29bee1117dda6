"""How a booking's time is written for people, shared by the assistant's answers (actions/) and
the messages the data layer queues itself (booking_core.notices)."""

from __future__ import annotations

from datetime import datetime


def describe_window(begin: datetime, end: datetime, zone_name: str) -> str:
    """ "Tue 3 Dec, 15:00-15:45 (Europe/London)", the way people read a booking."""
    when = f"{begin:%a} {begin.day} {begin:%b}, {begin:%H:%M}-{end:%H:%M}"
    if end.date() != begin.date():
        when = f"{begin:%a} {begin.day} {begin:%b}, {begin:%H:%M} - {end:%a} {end:%H:%M}"
    return f"{when} ({zone_name})"
