"""scripts/conversation_tests/play.py: turns are played in order (a button sends its payload),
the first difference stops the conversation, the bookings are read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import pytest

from booking_core.db.repository import ensure_default_tenant
from booking_core.db.session import session_scope
from scripts.conversation_tests.compare import Booked
from scripts.conversation_tests.play import Assistant, play
from scripts.conversation_tests.spec import Conversation, Event, ExpectedMessage, Turn

TODAY = date(2026, 12, 6)
OFFER = [{"text": "Pick one", "buttons": [
    {"title": "Wed 9 Dec 12:00", "payload": "/at12"},
    {"title": "Wed 9 Dec 12:30", "payload": "/at1230"},
]}]  # fmt: skip


@dataclass
class FakeAssistant:
    """Answers from a script; records what was said and what was set up."""

    answers: list[list[dict[str, Any]]]
    booked: list[Booked] = field(default_factory=list)
    said: list[str] = field(default_factory=list)
    busy: list[Event] = field(default_factory=list)

    def today(self) -> date:
        return TODAY

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        self.said.append(text)
        return self.answers.pop(0)

    def add_busy(self, events: tuple[Event, ...], today: date) -> None:
        self.busy.extend(events)

    def bookings(self, sender: str) -> list[Booked]:
        return self.booked


def conversation(*turns: Turn, bookings: tuple[Event, ...] = ()) -> Conversation:
    return Conversation("c", "c.yml", turns, bookings, (Event("Busy", "today", time(9), 30),))


def test_buttons_send_their_payloads_by_title_or_number() -> None:
    fake = FakeAssistant([OFFER, OFFER, [{"text": "ok"}]])
    outcome = play(conversation(Turn("free {next wednesday}?", None, None),
                                Turn(None, "{next wednesday} 12:30", None),
                                Turn(None, 1, (ExpectedMessage(text="ok"),))),
                   fake, "s")  # type: ignore[arg-type]  # fmt: skip
    assert outcome.passed and fake.said == ["free Wed 9 Dec?", "/at1230", "/at12"]
    assert [event.title for event in fake.busy] == ["Busy"]
    assert [text for text, _ in outcome.transcript] == fake.said


def test_the_first_difference_stops_the_conversation() -> None:
    fake = FakeAssistant([[{"text": "Which day?"}], [{"text": "never asked"}]])
    outcome = play(conversation(Turn("book", None, (ExpectedMessage(text="What time?"),)),
                                Turn("10am", None, None)), fake, "s")  # type: ignore[arg-type]  # fmt: skip
    assert outcome.difference == "turn 1 ('book'): expected text 'What time?', got 'Which day?'"
    assert fake.said == ["book"]


def test_a_button_that_was_not_offered_is_a_difference() -> None:
    fake = FakeAssistant([OFFER])
    outcome = play(conversation(Turn("free?", None, None), Turn(None, 3, None)),
                   fake, "s")  # type: ignore[arg-type]  # fmt: skip
    assert outcome.difference == (
        "turn 2: no button 3 to press; the last answer offered ['Wed 9 Dec 12:00', "
        "'Wed 9 Dec 12:30']"
    )


def test_the_bookings_are_checked_at_the_end() -> None:
    fake = FakeAssistant([[{"text": "Booked"}]], booked=[Booked("Facial", TODAY, time(9), 60)])
    outcome = play(conversation(Turn("yes", None, None)), fake, "s")  # type: ignore[arg-type]
    assert outcome.difference == (
        "at the end: expected bookings: none; got: Facial, Sun 2026-12-06 09:00, 60 min"
    )


@pytest.fixture
def assistant(sqlite_url: str) -> Assistant:
    with session_scope(sqlite_url) as session:
        ensure_default_tenant(session)
    return Assistant("http://127.0.0.1:9", sqlite_url)


def test_the_calendar_set_up_occupies_the_tenants_calendar_and_is_cleared(
    assistant: Assistant,
) -> None:
    from booking_core.db.models import CalendarEvent

    busy = (Event("Massage", "next friday", time(10), 60, "Room 2"),)
    assistant.add_busy(busy, TODAY)
    with session_scope(assistant.database_url) as session:
        [event] = session.query(CalendarEvent).all()
        start = event.start.astimezone(assistant.zone)
        assert (event.title, event.status, event.location) == ("Massage", "confirmed", "Room 2")
        assert (start.date(), start.time(), event.contact_id) == (date(2026, 12, 11), time(10),
                                                                  None)  # fmt: skip
    assert assistant.bookings("anyone") == []  # nobody's booking: no contact
    assistant.clear_calendar()
    with session_scope(assistant.database_url) as session:
        assert session.query(CalendarEvent).count() == 0


def test_a_conversations_bookings_are_its_contacts_and_not_cancelled(assistant: Assistant) -> None:
    from datetime import datetime, timedelta

    from booking_core.db.repository import cancel_calendar_event, create_calendar_event
    from booking_core.db.repository.contacts import upsert_contact

    start = datetime(2026, 12, 8, 11, tzinfo=assistant.zone)
    with session_scope(assistant.database_url) as session:
        contact = upsert_contact(session, tenant_id=assistant.tenant_id, channel="rest",
                                 platform_user_id="conv-1")  # fmt: skip
        for title in ("Coffee", "Dropped"):
            event = create_calendar_event(
                session, tenant_id=assistant.tenant_id, contact_id=contact.id, title=title,
                start=start, end=start + timedelta(minutes=30), timezone=str(assistant.zone),
                provider="builtin", location="2250 Oak Street" if title == "Coffee" else None,
            )  # fmt: skip
            if title == "Dropped":
                cancel_calendar_event(session, tenant_id=assistant.tenant_id, event_id=event.id)
    assert assistant.bookings("conv-1") == [
        Booked("Coffee", date(2026, 12, 8), time(11), 30, "2250 Oak Street")
    ]
    assert assistant.bookings("conv-2") == []
