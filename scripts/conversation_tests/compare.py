"""Comparing what the bot said and booked with what a conversation expects: the first
difference, in words a developer can act on (expected vs got), or None."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from scripts.conversation_tests.days import fill_days, resolve_day
from scripts.conversation_tests.spec import Event, ExpectedMessage


def message_text(message: dict[str, Any]) -> str:
    """A bot message's text ("" for one without, e.g. an image)."""
    return str(message.get("text") or "")


def button_titles(message: dict[str, Any]) -> list[str]:
    """The titles of a bot message's buttons, in order."""
    return [str(b.get("title", "")) for b in message.get("buttons") or []]


def _said(messages: Sequence[dict[str, Any]]) -> str:
    return " | ".join(repr(message_text(m)) for m in messages) or "nothing"


def message_difference(expected: ExpectedMessage, got: dict[str, Any], today: date) -> str | None:
    """How one bot message differs from its expectation, or None."""
    text = message_text(got)
    if expected.text is not None:
        wanted = fill_days(expected.text, today)
        if text != wanted:
            return f"expected text {wanted!r}, got {text!r}"
    for piece in expected.contains:
        wanted = fill_days(piece, today)
        if wanted not in text:
            return f"expected a text containing {wanted!r}, got {text!r}"
    if expected.buttons is not None:
        wanted_titles = [fill_days(t, today) for t in expected.buttons]
        titles = button_titles(got)
        if titles != wanted_titles:
            return f"expected buttons {wanted_titles}, got {titles} (text {text!r})"
    return None


def answer_difference(
    expected: Sequence[ExpectedMessage], got: Sequence[dict[str, Any]], today: date
) -> str | None:
    """How the bot's answer (its messages, in order) differs from the expected one, or None."""
    if len(got) != len(expected):
        return f"expected {len(expected)} bot message(s), got {len(got)}: {_said(got)}"
    for number, (wanted, message) in enumerate(zip(expected, got, strict=True), start=1):
        difference = message_difference(wanted, message, today)
        if difference is not None:
            prefix = f"bot message {number}: " if len(expected) > 1 else ""
            return prefix + difference
    return None


@dataclass(frozen=True, order=True)
class Booked:
    """A booking as compared: in the tenant's zone, to the minute."""

    title: str
    day: date
    start: time
    minutes: int
    location: str | None = None

    def __str__(self) -> str:
        where = f" at {self.location}" if self.location else ""
        return f"{self.title}{where}, {self.day:%a %Y-%m-%d} {self.start:%H:%M}, {self.minutes} min"


def expected_booking(event: Event, today: date, *, with_location: bool) -> Booked:
    """An expected booking resolved against `today`."""
    return Booked(event.title, resolve_day(event.day, today), event.start, event.minutes,
                  event.location if with_location else None)  # fmt: skip


def bookings_difference(
    expected: Sequence[Event], got: Sequence[Booked], today: date
) -> str | None:
    """How the conversation's bookings differ from the expected ones (any order), or None.
    A location is compared only where the expectation names one."""
    named = {e.title for e in expected if e.location is not None}
    wanted = sorted(expected_booking(e, today, with_location=e.location is not None)
                    for e in expected)  # fmt: skip
    booked = sorted(b if b.title in named else Booked(b.title, b.day, b.start, b.minutes)
                    for b in got)  # fmt: skip
    if wanted == booked:
        return None
    return f"expected bookings: {_listed(wanted)}; got: {_listed(booked)}"


def _listed(bookings: Sequence[Booked]) -> str:
    return "; ".join(map(str, bookings)) or "none"
