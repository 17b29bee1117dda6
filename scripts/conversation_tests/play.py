"""Playing one test conversation against a running assistant over the REST channel, and the
database work around it: the calendar set-up before, the bookings after.

The REST channel is the project's own (connectors.rest): the conversation is
`<tenant>:rest:<sender>`, its contact's platform user id the sender, so the bookings of a
conversation are found by its sender id, which is new for every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import delete, select

from booking_core.db.models import CalendarEvent, Contact
from booking_core.db.repository import (
    confirm_calendar_event,
    create_calendar_event,
    get_tenant_by_slug,
)
from booking_core.db.session import session_scope
from booking_core.settings import get_settings
from scripts.conversation_tests.compare import (
    Booked,
    answer_difference,
    bookings_difference,
    button_titles,
)
from scripts.conversation_tests.days import fill_days, resolve_day
from scripts.conversation_tests.spec import Conversation, Event, Turn

Messages = list[dict[str, Any]]


@dataclass
class Outcome:
    """How one conversation went: None as difference means it passed."""

    conversation: Conversation
    difference: str | None = None
    transcript: list[tuple[str, Messages]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether everything was as expected."""
        return self.difference is None


class Assistant:
    """A running assistant: its REST channel and its database (default tenant)."""

    def __init__(self, rasa_url: str, database_url: str, token: str | None = None) -> None:
        self.url = f"{rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self.database_url = database_url
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        with session_scope(database_url) as session:
            tenant = get_tenant_by_slug(session, slug=get_settings().default_tenant_slug)
            if tenant is None:
                raise RuntimeError(f"{database_url} has no default tenant: migrate it first")
            self.tenant_id, self.zone = int(tenant.id), ZoneInfo(tenant.timezone)

    def today(self) -> date:
        """Today in the tenant's zone (what "tomorrow" is counted from)."""
        return datetime.now(self.zone).date()

    def say(self, sender: str, text: str) -> Messages:
        """One message over the REST channel; the bot's messages."""
        answer = requests.post(self.url, json={"sender": sender, "message": text},
                               headers=self.headers, timeout=120)  # fmt: skip
        answer.raise_for_status()
        return list(answer.json())

    def clear_calendar(self) -> None:
        """Remove every event of the tenant (the runner's own database only)."""
        with session_scope(self.database_url) as session:
            session.execute(delete(CalendarEvent).where(CalendarEvent.tenant_id == self.tenant_id))

    def add_busy(self, events: tuple[Event, ...], today: date) -> None:
        """Put a conversation's calendar set-up in the tenant's calendar, confirmed."""
        with session_scope(self.database_url) as session:
            for event in events:
                day = resolve_day(event.day, today)
                start = datetime.combine(day, event.start, tzinfo=self.zone)
                row = create_calendar_event(
                    session, tenant_id=self.tenant_id, contact_id=None, title=event.title,
                    start=start, end=start + timedelta(minutes=event.minutes),
                    timezone=str(self.zone), provider="builtin", location=event.location,
                )  # fmt: skip
                confirm_calendar_event(session, event_id=row.id, provider_event_id=row.uid,
                                       link=None)  # fmt: skip

    def bookings(self, sender: str) -> list[Booked]:
        """The conversation's bookings that are not cancelled, in the tenant's zone."""
        query = (
            select(CalendarEvent)
            .join(Contact, Contact.id == CalendarEvent.contact_id)
            .where(CalendarEvent.tenant_id == self.tenant_id, Contact.platform_user_id == sender)
        )
        with session_scope(self.database_url) as session:
            events = [e for e in session.execute(query).scalars() if e.status != "cancelled"]
            return [self._booked(e) for e in events]

    def _booked(self, event: CalendarEvent) -> Booked:
        start = event.start.astimezone(self.zone)
        minutes = int((event.end - event.start).total_seconds() // 60)
        return Booked(event.title, start.date(), start.time(), minutes, event.location)


def _message(turn: Turn, last: Messages, today: date) -> str:
    """What the user sends: the text, or the payload of the button pressed (ValueError when
    the last answer has no such button)."""
    if turn.user is not None:
        return fill_days(turn.user, today)
    buttons = [b for m in last for b in m.get("buttons") or []]
    if isinstance(turn.button, int):
        if 1 <= turn.button <= len(buttons):
            return str(buttons[turn.button - 1]["payload"])
    else:
        for button in buttons:
            if button.get("title") == fill_days(str(turn.button), today):
                return str(button["payload"])
    titles = [t for m in last for t in button_titles(m)]
    raise ValueError(f"no button {turn.button!r} to press; the last answer offered {titles}")


def play(conversation: Conversation, assistant: Assistant, sender: str) -> Outcome:
    """Play every turn, stop at the first difference, then check the bookings."""
    outcome = Outcome(conversation)
    today = assistant.today()
    assistant.add_busy(conversation.calendar, today)
    last: Messages = []
    for number, turn in enumerate(conversation.turns, start=1):
        try:
            text = _message(turn, last, today)
        except ValueError as exc:
            outcome.difference = f"turn {number}: {exc}"
            return outcome
        last = assistant.say(sender, text)
        outcome.transcript.append((text, last))
        if turn.bot is not None:
            difference = answer_difference(turn.bot, last, today)
            if difference is not None:
                outcome.difference = f"turn {number} ({text!r}): {difference}"
                return outcome
    difference = bookings_difference(conversation.bookings, assistant.bookings(sender), today)
    if difference is not None:
        outcome.difference = f"at the end: {difference}"
    return outcome
