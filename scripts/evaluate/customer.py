"""The simulated customer of an SGD dialogue: it wants the dialogue's goal and answers the
assistant's questions with the dialogue's own user words where it can.

It sees only what a customer sees (the assistant's texts and buttons), so the dialogue is
judged from the outside. What it says, by question:

- opening: the dialogue's first user turn that asks to book (else its first user turn);
- title: the dialogue's first user utterance naming the service, then a plain phrase
  ("a dentist appointment");
- day / time: the user utterances that gave the goal's date / time (last one first), then a
  plain phrase ("Thursday 7 March", "at 15:30");
- duration: "30 minutes" (SGD has no durations), then the first duration button;
- free times offered: the goal's button, else the answer to the time question;
- summary: presses Yes when the summary has the goal's day and time; otherwise asks once per
  field to change it (SGD users change their minds when a time is taken, so words said early
  can name a day the goal no longer has). A change is counted as the customer's own change of
  mind when the summary shows a value its words gave (`Goal.stale`), else as a misreading the
  customer had to correct;
- anything else (a greeting, the fallback, help): "I'd like to book <plain title>".
Each question asked again gets the next answer of its list (the last one repeats).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scripts.evaluate.sgd import PLAIN_TITLES, Goal

#: What the assistant's texts say, by the question they ask (domain.yml, actions/).
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("booked", r"^Booked:|^Your booking is saved"),
        ("confirm", r"Shall I book it\?"),
        ("offer", r"These times are free|Please choose another time|Nothing is free on"),
        ("change", r"What would you like to change"),
        ("title", r"What would you like to book\?|short name for the appointment"),
        ("date", r"Which day would you like|didn't catch a day|more than a year ahead"),
        ("time", r"What time should it start|didn't catch a time|valid time of day|"
                 r"time has already passed"),
        ("duration", r"How long should it be|didn't catch how long|5 minutes to 12 hours"),
        ("stopped", r"Nothing was booked"),
    )
)  # fmt: skip


def kind_of(text: str) -> str:
    """The question (or outcome) one assistant text stands for; "other" when none."""
    return next((kind for kind, pattern in KINDS if pattern.search(text)), "other")


def turn_kind(messages: Sequence[Mapping[str, Any]]) -> str:
    """What the assistant's answer to one message asks: its last text that asks something."""
    kinds = [kind_of(str(m.get("text") or "")) for m in messages]
    return next((k for k in reversed(kinds) if k != "other"), "other")


def buttons(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every button of the answer, in order."""
    return [dict(b) for m in messages for b in m.get("buttons") or []]


def plain_date(day: date) -> str:
    """ "Thursday 7 March": a day as a customer writes it plainly."""
    return f"{day:%A} {day.day} {day:%B}"


def plain_time(start: str) -> str:
    """ "at 15:30": unambiguous, no am/pm to assume."""
    return f"at {start}"


def summary_day(day: date) -> str:
    """How the assistant's summary writes the day (booking_core.display.describe_window)."""
    return f"{day:%a} {day.day} {day:%b},"


@dataclass
class Customer:
    """One simulated customer; `reply` gives its next message, None when it is done."""

    goal: Goal
    asked: dict[str, int] = field(default_factory=dict)
    corrected: set[str] = field(default_factory=set)
    misread: set[str] = field(default_factory=set)
    plain_phrases: int = 0
    outcome: str | None = None

    def opening(self) -> str:
        """The first message."""
        return self.goal.opening

    def _pick(self, kind: str, own: Sequence[str], plain: str) -> str:
        """The next answer to question `kind`: own words first, then the plain phrase."""
        self.asked[kind] = self.asked.get(kind, 0) + 1
        options = [*own, plain]
        answer = options[min(self.asked[kind], len(options)) - 1]
        if answer == plain and kind != "duration":
            self.plain_phrases += 1
        return answer

    def _confirm(self, messages: Sequence[Mapping[str, Any]]) -> str:
        text = " ".join(str(m.get("text") or "") for m in messages)
        wrong = [
            name
            for name, ok in (
                ("date", summary_day(self.goal.date) in text),
                ("time", f"{self.goal.time}-" in text),
            )
            if not ok and name not in self.corrected
        ]
        if wrong:
            self.corrected.add(wrong[0])
            if not self._shows_stale(wrong[0], text):
                self.misread.add(wrong[0])
            self.plain_phrases += 1
            if wrong[0] == "date":
                return f"change the date to {plain_date(self.goal.date)}"
            return f"change the time to {self.goal.time}"
        yes = next((b for b in buttons(messages) if b.get("title") == "Yes"), None)
        return yes["payload"] if yes else "yes"

    def _shows_stale(self, name: str, text: str) -> bool:
        """Whether the summary's wrong date (or time) is one the customer's own words gave."""
        for value in self.goal.stale:
            if name == "date" and "-" in value and summary_day(date.fromisoformat(value)) in text:
                return True
            if name == "time" and ":" in value and f"{value}-" in text:
                return True
        return False

    def _offer(self, messages: Sequence[Mapping[str, Any]]) -> str:
        """Free times offered (after a clash, or with the time question): the goal's button,
        else its time as it would answer the time question."""
        goal = self.goal
        wanted = f"{goal.date:%a} {goal.date.day} {goal.date:%b} {goal.time}"
        pick = next((b for b in buttons(messages) if b.get("title") == wanted), None)
        if pick:
            return pick["payload"]
        return self._pick("time", goal.time_words, plain_time(goal.time))

    def _change(self, messages: Sequence[Mapping[str, Any]]) -> str:
        field_name = next(iter(sorted(self.corrected)), "date")
        pick = next(
            (b for b in buttons(messages) if b.get("title", "").lower() == field_name), None
        )
        return pick["payload"] if pick else f"the {field_name}"

    def reply(self, messages: Sequence[Mapping[str, Any]]) -> str | None:
        """The answer to the assistant's messages of one turn; None once booked or stopped."""
        kind = turn_kind(messages)
        goal = self.goal
        if kind in {"booked", "stopped"}:
            self.outcome = kind
            return None
        if kind == "confirm":
            return self._confirm(messages)
        if kind == "offer":
            return self._offer(messages)
        if kind == "change":
            return self._change(messages)
        if kind == "title":
            return self._pick("title", goal.title_words, PLAIN_TITLES[goal.service])
        if kind == "date":
            return self._pick("date", goal.date_words, plain_date(goal.date))
        if kind == "time":
            return self._pick("time", goal.time_words, plain_time(goal.time))
        if kind == "duration":
            first = next(iter(buttons(messages)), None)
            return self._pick("duration", ["30 minutes"], first["payload"] if first else "30 min")
        self.plain_phrases += 1
        return f"I'd like to book {PLAIN_TITLES[goal.service]}"
