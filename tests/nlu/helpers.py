"""Shared fixed reference times for the time-parser tests (no test depends on today)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from nlu.timeparse import extract

# Duckling's corpus reference: Tuesday 2013-02-12 04:30 at -02:00.
DUCK_REF = datetime(2013, 2, 12, 4, 30, tzinfo=timezone(timedelta(hours=-2)))
DUCK_TZ = "-02:00"
# A booking reference: Monday 2026-11-30 09:00 in London.
LONDON = ZoneInfo("Europe/London")
BOOK_REF = datetime(2026, 11, 30, 9, 0, tzinfo=LONDON)


def times(text: str, **kw: Any) -> list[dict[str, Any]]:
    """Time entities of a text at the Duckling reference."""
    kw.setdefault("locale", "en_US")
    return [e for e in extract(text, DUCK_REF, DUCK_TZ, **kw) if e["entity"] == "time"]


def one(text: str, **kw: Any) -> dict[str, Any]:
    """The single time entity of a text, checked to cover the whole text."""
    found = times(text, **kw)
    assert len(found) == 1, (text, found)
    return found[0]


def value(text: str, **kw: Any) -> str:
    """Value of the single time entity (ISO string)."""
    return str(one(text, **kw)["value"])


def interval(text: str, **kw: Any) -> tuple[str, str]:
    """(from, to) of the single interval entity."""
    info = one(text, **kw)["additional_info"]
    assert info["type"] == "interval", (text, info)
    return info["from"], info["to"]
