"""display: prices, lengths and the service line a calendar entry carries (Google's
description, the .ics DESCRIPTION)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from booking_core.calendars.google_events import event_body
from booking_core.calendars.ics import render_event
from booking_core.db.models import CalendarEvent
from booking_core.display import describe_minutes, describe_price, event_details

START = datetime(2030, 7, 1, 14, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("cents", "currency", "text"),
    [(2500, "GBP", "\u00a325.00"), (950, "eur", "\u20ac9.50"), (123456, "USD", "$1,234.56"),
     (3000, "JPY", "\u00a53,000"), (1999, "CHF", "19.99 CHF"), (0, "GBP", "\u00a30.00"),
     (None, "GBP", None), (2500, None, None)],
)  # fmt: skip
def test_describe_price(cents: int | None, currency: str | None, text: str | None) -> None:
    assert describe_price(cents, currency) == text


@pytest.mark.parametrize(("minutes", "text"), [(30, "30 minutes"), (60, "1 hour"), (90.0,
                         "1 hour 30 minutes"), (120, "2 hours"), (1, "1 minute")])  # fmt: skip
def test_describe_minutes(minutes: float, text: str) -> None:
    assert describe_minutes(minutes) == text


def _event(**fields: object) -> CalendarEvent:
    values = {"uid": "abc123def456", "title": "Haircut", "start": START,
              "end": START + timedelta(minutes=30), "timezone": "Europe/London",
              "status": "confirmed", "updated_at": START} | fields  # fmt: skip
    return CalendarEvent(**values)


def test_a_service_booking_carries_its_service_length_and_price() -> None:
    event = _event(service_id=3, price_cents=2500, currency="GBP")
    assert event_details(event) == "Haircut, 30 minutes, \u00a325.00"
    assert event_body(event)["description"] == "Haircut, 30 minutes, \u00a325.00"
    assert "DESCRIPTION:Haircut\\, 30 minutes\\, \u00a325.00" in render_event(event)


def test_a_free_text_booking_has_no_description() -> None:
    event = _event()
    assert event_details(event) is None
    assert "description" not in event_body(event)
    assert "DESCRIPTION" not in render_event(event)
