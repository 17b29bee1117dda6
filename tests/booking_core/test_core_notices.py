"""booking_core.notices: the "now in the calendar" message for a booking saved in an outage."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from booking_core.db.models import CalendarEvent, Contact, Message
from booking_core.db.repository import ensure_default_tenant, record_message, upsert_contact
from booking_core.db.session import session_scope
from booking_core.display import describe_window
from booking_core.notices import confirmation_text, queue_confirmation_notice

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _event(session, contact: Contact | None) -> CalendarEvent:  # type: ignore[no-untyped-def]
    tenant = ensure_default_tenant(session)
    event = CalendarEvent(
        tenant_id=tenant.id,
        contact_id=contact.id if contact else None,
        title="Haircut",
        start=datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc),
        end=datetime(2026, 12, 2, 15, 45, tzinfo=timezone.utc),
        timezone="Europe/London",
        provider="builtin",
        link="https://calendar.example/e/1",
        status="confirmed",
    )
    session.add(event)
    session.flush()
    return event


def _customer(session, channel: str, wrote_at: datetime | None, account: str | None = "111"):  # type: ignore[no-untyped-def]
    tenant = ensure_default_tenant(session)
    contact = upsert_contact(session, tenant_id=tenant.id, channel=channel, platform_user_id="447")
    if wrote_at is not None:
        inbound = {"inbound": {"account_id": account}} if account else {}
        record_message(session, tenant_id=tenant.id, contact_id=contact.id, channel=channel,
                       direction="in", text="book", payload=inbound,
                       platform_message_id="m1", sent_at=wrote_at)  # fmt: skip
        contact.last_inbound_at = wrote_at
    return contact


def test_text_names_the_booking_in_its_zone_with_the_link() -> None:
    event = CalendarEvent(
        title="Haircut",
        start=datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc),
        end=datetime(2026, 12, 2, 15, 45, tzinfo=timezone.utc),
        timezone="Asia/Tokyo",
        link=None,
    )
    assert confirmation_text(event) == (
        "Your booking is now in the calendar: Haircut, Thu 3 Dec, 00:00-00:45 (Asia/Tokyo)."
    )
    event.link = "https://x/e"
    assert confirmation_text(event).endswith(" Add it to your calendar: https://x/e")


def test_text_names_the_place_when_there_is_one() -> None:
    event = CalendarEvent(
        title="Coffee with the landlord",
        location="2250 Oak Street",
        start=datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc),
        end=datetime(2026, 12, 2, 15, 45, tzinfo=timezone.utc),
        timezone="Europe/London",
        link=None,
    )
    assert confirmation_text(event) == (
        "Your booking is now in the calendar: Coffee with the landlord at 2250 Oak Street, "
        "Wed 2 Dec, 15:00-15:45 (Europe/London)."
    )
    event.title = "Coffee with the landlord at 2250 oak street"
    assert confirmation_text(event).startswith(
        "Your booking is now in the calendar: Coffee with the landlord at 2250 oak street, Wed"
    )


def test_describe_window_across_midnight() -> None:
    begin = datetime(2026, 12, 2, 23, 0, tzinfo=timezone.utc)
    assert describe_window(begin, begin + timedelta(hours=2), "UTC") == (
        "Wed 2 Dec, 23:00 - Thu 01:00 (UTC)"
    )


def test_queued_for_a_customer_inside_the_reply_window(db_settings) -> None:
    with session_scope() as session:
        contact = _customer(session, "whatsapp", NOW - timedelta(hours=23))
        event = _event(session, contact)
        notice = queue_confirmation_notice(session, event=event, now=NOW)
        assert notice is not None and event.confirmed_message_id == notice.id
    with session_scope() as session:
        row = session.execute(select(Message).where(Message.direction == "out")).scalar_one()
        assert (row.status, row.channel, row.contact_id) == ("queued", "whatsapp", contact.id)
        assert row.payload == {"notice": row.text, "recipient": "447", "account_id": "111"}
        assert row.text.startswith("Your booking is now in the calendar: Haircut, Wed 2 Dec")


@pytest.mark.parametrize(
    ("channel", "wrote_hours_ago", "account", "queued"),
    [
        ("whatsapp", 25, "111", False),  # outside WhatsApp's 24-hour window: a template needed
        ("instagram", 25, "111", False),
        ("telegram", 24 * 30, "111", True),  # Telegram has no window
        ("whatsapp", 1, None, False),  # no account known to send from
        ("whatsapp", None, "111", False),  # never wrote (booked some other way)
    ],
)
def test_not_queued_where_the_platform_would_refuse_it_or_nobody_to_tell(
    db_settings, channel: str, wrote_hours_ago: int | None, account: str | None, queued: bool
) -> None:
    wrote = NOW - timedelta(hours=wrote_hours_ago) if wrote_hours_ago is not None else None
    with session_scope() as session:
        event = _event(session, _customer(session, channel, wrote, account))
        assert (queue_confirmation_notice(session, event=event, now=NOW) is not None) is queued
        assert (event.confirmed_message_id is not None) is queued


def test_not_queued_without_a_contact(db_settings) -> None:
    with session_scope() as session:
        event = _event(session, None)
        assert queue_confirmation_notice(session, event=event, now=NOW) is None
