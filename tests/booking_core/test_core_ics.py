"""RFC 5545 rendering: structure, UTC times, escaping and folding."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from booking_core.calendars.ics import escape_text, fold_line, render_event, render_ics
from booking_core.db.models import CalendarEvent

STAMP = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_document_structure_and_utc_times() -> None:
    start = datetime(2026, 7, 1, 15, 0, tzinfo=ZoneInfo("Europe/London"))
    body = render_ics(
        uid="abc123",
        summary="Haircut",
        start=start,
        end=start + timedelta(minutes=30),
        dtstamp=STAMP,
        status="CONFIRMED",
    )
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")
    lines = _unfold(body)[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.index("BEGIN:VEVENT") < lines.index("END:VEVENT")
    assert "UID:abc123" in lines
    assert "DTSTAMP:20261130T120000Z" in lines
    assert "DTSTART:20260701T140000Z" in lines  # 15:00 BST
    assert "DTEND:20260701T143000Z" in lines
    assert "SUMMARY:Haircut" in lines
    assert "STATUS:CONFIRMED" in lines


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a,b;c", "a\\,b\\;c"),
        ("back\\slash", "back\\\\slash"),
        ("two\nlines", "two\\nlines"),
        ("crlf\r\nline", "crlf\\nline"),
        ("bell\x07", "bell"),
        ("tab\tok", "tab\tok"),
    ],
)
def test_escape_text(raw: str, escaped: str) -> None:
    assert escape_text(raw) == escaped


def test_summary_is_escaped_in_document() -> None:
    body = render_ics(
        uid="u1",
        summary="Cut, colour; wash\nthen dry",
        start=STAMP,
        end=STAMP + timedelta(hours=1),
        dtstamp=STAMP,
    )
    assert "SUMMARY:Cut\\, colour\\; wash\\nthen dry" in _unfold(body)


def test_location_line_is_escaped() -> None:
    body = render_ics(
        uid="u1",
        summary="Coffee with the landlord",
        start=STAMP,
        end=STAMP + timedelta(hours=1),
        dtstamp=STAMP,
        location="Flat 2; 2250 Oak Street, Springfield\nback door \\ side gate",
    )
    assert (
        "LOCATION:Flat 2\\; 2250 Oak Street\\, Springfield\\nback door \\\\ side gate"
        in _unfold(body)
    )


def test_no_location_no_line_and_long_location_folded() -> None:
    plain = render_ics(uid="u1", summary="s", start=STAMP, end=STAMP + timedelta(hours=1))
    assert "LOCATION" not in plain
    place = "The big meeting room on the third floor, " * 4
    event = CalendarEvent(
        uid="u2",
        title="Meeting",
        location=place,
        start=STAMP,
        end=STAMP + timedelta(hours=1),
        status="confirmed",
        updated_at=STAMP,
    )
    body = render_event(event)
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert f"LOCATION:{escape_text(place)}" in _unfold(body)


def test_short_line_untouched() -> None:
    line = "SUMMARY:" + "x" * 67
    assert len(line) == 75
    assert fold_line(line) == line


def test_folding_ascii_at_75_octets() -> None:
    line = "SUMMARY:" + "x" * 200
    folded = fold_line(line)
    parts = folded.split("\r\n")
    assert len(parts[0].encode()) == 75
    assert all(part.startswith(" ") for part in parts[1:])
    assert all(len(part.encode()) <= 75 for part in parts)
    assert folded.replace("\r\n ", "") == line


def test_folding_never_splits_multibyte_characters() -> None:
    line = "SUMMARY:" + "é€😀" * 40
    folded = fold_line(line)
    parts = folded.split("\r\n")
    for part in parts:
        assert len(part.encode("utf-8")) <= 75
        part.encode("utf-8").decode("utf-8")  # each physical line is valid UTF-8 on its own
    assert folded.replace("\r\n ", "") == line


def test_long_summary_in_document_is_folded() -> None:
    body = render_ics(
        uid="u1",
        summary="Consultation " * 20,
        start=STAMP,
        end=STAMP + timedelta(hours=1),
        dtstamp=STAMP,
    )
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "SUMMARY:" + ("Consultation " * 20) in _unfold(body)


def test_invalid_times_refused() -> None:
    with pytest.raises(ValueError):
        render_ics(uid="u", summary="s", start=STAMP, end=STAMP)
    with pytest.raises(ValueError):
        render_ics(uid="u", summary="s", start=datetime(2026, 1, 1), end=datetime(2026, 1, 1, 1))
